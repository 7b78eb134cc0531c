import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from metrics.models import Figure, Indicator
from reports.models import ReportTemplate

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "法治简报示例.docx"


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_template", str(SAMPLE), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_proposes_only(demo_data):
    indicators = Indicator.objects.count()
    out, _ = _run("--name", "简报", "--period", "2025", "--json")
    data = json.loads(out)
    assert data["template"] == "简报"
    assert {"code", "value", "filter", "text", "new"} <= set(data["figures"][0])
    assert any(f["new"] for f in data["figures"]) and any(not f["new"] for f in data["figures"])
    assert any(x["reason"] == "热线号码" for x in data["literals"])
    assert Indicator.objects.count() == indicators
    assert not ReportTemplate.objects.filter(name="简报").exists()


def test_accept_as_the_command_line_account(demo_data):
    _run(
        "--name",
        "简报",
        "--period",
        "2025",
        "--department",
        "sfj",
        "--from-period",
        "2026",
        "--accept",
    )
    document = ReportTemplate.objects.get(name="简报")
    assert document.current_version.created_by.username == "system-cli"
    new = Indicator.objects.get(name="办理法律援助案件")
    assert new.department.code == "sfj"
    figure = Figure.objects.get(indicator=new, period__code="2025")
    assert figure.history.get().history_user.username == "system-cli"
    assert new.first_period.code == "2026"


def test_accept_of_last_years_document_asks_from_which_period(demo_data):
    indicators = Indicator.objects.count()
    with pytest.raises(CommandError, match="请选择新指标从哪一期起填报"):
        _run("--name", "简报", "--period", "2025", "--department", "sfj", "--accept")
    assert Indicator.objects.count() == indicators


def test_accept_without_department_refuses(demo_data):
    indicators = Indicator.objects.count()
    with pytest.raises(CommandError, match="尚未选择填报部门"):
        _run("--name", "简报", "--period", "2025", "--accept")
    assert Indicator.objects.count() == indicators
    assert not ReportTemplate.objects.filter(name="简报").exists()
