import getpass
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from metrics.models import Figure, FigureStatus, ReportingPeriod
from tests import factories


@pytest.fixture
def open_2026(db):
    return factories.period("2026")


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _snapshot():
    return sorted(Figure.objects.values_list("indicator__code", "value", "status", "version"))


def test_csv_import_creates_drafts_with_history(tmp_path, open_2026, reviewer):
    path = _write(
        tmp_path,
        "f.csv",
        "code,value,remark\nbiz_approval_reforms,120,含新增事项\ngrass_grid_coverage,98.5%,\n",
    )
    out = io.StringIO()
    call_command("load_figures", path, period="2026", user=reviewer.username, stdout=out)
    assert "已导入 2 条" in out.getvalue()
    figure = Figure.objects.get(indicator__code="biz_approval_reforms")
    assert (figure.value, figure.remark, figure.status) == (120, "含新增事项", FigureStatus.DRAFT)
    assert Figure.objects.get(indicator__code="grass_grid_coverage").value == Decimal("98.5")
    record = figure.history.get()
    assert record.history_user == reviewer
    assert "管理导入" in record.history_change_reason


def test_approve_marks_figures_approved_as_an_administrative_import(tmp_path, open_2026):
    path = _write(tmp_path, "f.csv", "biz_review_cases_received,10\nbiz_review_cases_closed,9\n")
    call_command("load_figures", path, period="2026", approve=True, stdout=io.StringIO())
    figures = Figure.objects.filter(period=open_2026)
    assert {f.status for f in figures} == {FigureStatus.APPROVED}
    assert all("管理导入" in f.history.get().history_change_reason for f in figures)
    assert all("审核通过" in f.history.get().history_change_reason for f in figures)
    # No portal user given: the history names the system account that ran the command.
    account = getpass.getuser()
    assert all(f"系统账户 {account}" in f.history.get().history_change_reason for f in figures)


def test_import_names_the_portal_user_given(tmp_path, open_2026):
    from metrics.models import User
    from tests import factories

    reviewer = factories.UserFactory(role="reviewer", username="fzb_import")
    path = _write(tmp_path, "f.csv", "edu_bulletin_boards,12\n")
    call_command("load_figures", path, period="2026", user="fzb_import", stdout=io.StringIO())
    entry = Figure.objects.get(period=open_2026).history.get()
    assert entry.history_user == reviewer and "系统账户" not in entry.history_change_reason
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        call_command("load_figures", path, period="2026", user="nobody", stdout=io.StringIO())
    assert User.objects.filter(username="nobody").count() == 0


def test_xlsx_import(tmp_path, open_2026):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "value", "remark"])
    sheet.append(["edu_people_educated", 91800, "全年累计"])
    sheet.append(["grass_grid_coverage", 99.5, None])
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    call_command("load_figures", str(path), period="2026", stdout=io.StringIO())
    assert dict(Figure.objects.values_list("indicator__code", "value")) == {
        "edu_people_educated": Decimal("91800"),
        "grass_grid_coverage": Decimal("99.5"),
    }


BAD_FILES = {
    "unknown code": (
        "biz_approval_reforms,1\nno_such_code,5\n",
        "第2行：未知的指标代码“no_such_code”",
    ),
    "not a number": (
        "biz_approval_reforms,1\nbiz_inhouse_counsel,十二\n",
        "第2行（内聘法律顾问）：“十二”不是数字",
    ),
    "negative count": (
        "biz_approval_reforms,-4\n",
        "第1行（完成涉企行政审批事项改革）：完成涉企行政审批事项改革是计数，不能为负数",
    ),
    "percentage over 100": (
        "grass_grid_coverage,120\n",
        "第1行（网格化管理服务覆盖率）：网格化管理服务覆盖率是百分比，应在 0 到 100 之间",
    ),
    "fractional count": ("biz_approval_reforms,2.5\n", "应为整数"),
    "NaN": ("biz_approval_reforms,NaN\n", "不是有效的数字"),
    "huge": ("biz_approval_reforms,1" + "0" * 17 + "\n", "数值过大"),
    "exponent": ("biz_approval_reforms,9e9999999\n", "科学计数法"),
    "duplicate row": (
        "biz_approval_reforms,1\nbiz_approval_reforms,2\n",
        "第2行：指标“完成涉企行政审批事项改革”与第1行重复",
    ),
    "empty value": ("biz_approval_reforms,\n", "数值为空"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_row_refuses_the_whole_file(tmp_path, open_2026, case):
    factories.FigureFactory(indicator__code="existing_one", value=7, period=open_2026)
    before = _snapshot()
    text, message = BAD_FILES[case]
    path = _write(tmp_path, "bad.csv", text)
    with pytest.raises(CommandError) as raised:
        call_command("load_figures", path, period="2026", stdout=io.StringIO())
    assert "未导入任何数据" in str(raised.value)
    assert message in str(raised.value)
    assert _snapshot() == before


def test_good_rows_before_a_bad_one_are_not_imported(tmp_path, open_2026):
    path = _write(
        tmp_path, "f.csv", "edu_bulletin_boards,3\nedu_culture_signs,4\nedu_publicity_panels,x\n"
    )
    with pytest.raises(CommandError, match="第3行"):
        call_command("load_figures", path, period="2026", stdout=io.StringIO())
    assert not Figure.objects.exists()


def test_locked_period_refuses_import(tmp_path, db):
    factories.period("2025", locked=True)
    path = _write(tmp_path, "f.csv", "biz_approval_reforms,1\n")
    with pytest.raises(CommandError, match="2025年度已锁定"):
        call_command("load_figures", path, period="2025", stdout=io.StringIO())
    assert not Figure.objects.exists()


def test_unknown_period_is_named(tmp_path, db):
    path = _write(tmp_path, "f.csv", "biz_approval_reforms,1\n")
    with pytest.raises(CommandError, match="报告期“2030”不存在"):
        call_command("load_figures", path, period="2030", stdout=io.StringIO())
    assert not ReportingPeriod.objects.filter(code="2030").exists()


def test_approved_import_obeys_the_review_cases_rule(tmp_path, open_2026):
    path = _write(tmp_path, "f.csv", "biz_review_cases_received,10\nbiz_review_cases_closed,12\n")
    with pytest.raises(CommandError, match="办结行政复议案件数不应超过受理数"):
        call_command("load_figures", path, period="2026", approve=True, stdout=io.StringIO())
    assert not Figure.objects.exists()


def test_gbk_csv_from_excel_is_read(tmp_path, open_2026):
    path = tmp_path / "gbk.csv"
    path.write_bytes("代码,数值,备注\nbiz_approval_reforms,9,中文备注\n".encode("gb18030"))
    call_command("load_figures", str(path), period="2026", stdout=io.StringIO())
    assert Figure.objects.get().remark == "中文备注"


def test_a_draft_import_never_takes_a_sent_figure_back(tmp_path, open_2026):
    figure = factories.FigureFactory(
        indicator__code="sent_one", value=7, period=open_2026, status="approved"
    )
    path = _write(tmp_path, "again.csv", "sent_one,8\n")
    with pytest.raises(CommandError) as raised:
        call_command("load_figures", path, period="2026", stdout=io.StringIO())
    assert "已审核，不能再修改" in str(raised.value) and "--approve" in str(raised.value)
    figure.refresh_from_db()
    assert (figure.value, figure.status) == (7, "approved")
