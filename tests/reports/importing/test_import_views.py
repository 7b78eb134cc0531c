from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from metrics.models import Department, Figure, Indicator, ReportingPeriod, User
from reports.importing.accept import accept_import
from reports.importing.store import proposal_of
from reports.models import DocumentImport, ReportTemplate

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "法治简报示例.docx"


def _upload(client, **extra):
    with SAMPLE.open("rb") as f:
        return client.post(
            "/reports/import/", {"file": f, "period": "2025", "name": "法治简报", **extra}
        )


def test_the_start_page_defaults_to_the_latest_locked_year(reviewer_client):
    page = reviewer_client.get("/reports/import/")
    assert page.status_code == 200
    assert '<option value="2025" selected>' in page.content.decode()


def test_upload_edit_reload_and_accept(reviewer_client):
    response = _upload(reviewer_client)
    record = DocumentImport.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/import/{record.pk}/"
    page = reviewer_client.get(response.url).content.decode()
    assert "<mark>45</mark>" in page and "热线号码" in page and "新指标" in page
    rows = [i for i in range(20) if f'name="department_{i}"' in page]
    assert rows
    # A refused accept (no department) keeps the edits made with it.
    refused = reviewer_client.post(
        response.url, {"action": "accept", f"name_{rows[0]}": "开展法治讲座场次"}
    )
    assert refused.status_code == 400
    assert "尚未选择填报部门" in refused.content.decode()
    assert not ReportTemplate.objects.filter(name="法治简报").exists()
    record.refresh_from_db()
    assert record.edits == [["rename", rows[0], "开展法治讲座场次"]]
    page = reviewer_client.get(response.url).content.decode()
    assert 'value="开展法治讲座场次"' in page
    accepted = reviewer_client.post(
        response.url,
        {
            "action": "accept",
            "first_period": "2026",
            **{f"department_{n}": "sfj" for n in rows},
        },
    )
    assert accepted.status_code == 302, accepted.content.decode()[:2000]
    document = ReportTemplate.objects.get(name="法治简报")
    assert accepted.url == f"/reports/?period=2025&document={document.slug}"
    created = Indicator.objects.get(name="开展法治讲座场次")
    assert Figure.objects.get(indicator=created, period__code="2025").value == 45
    record.refresh_from_db()
    assert record.accepted_at and record.document == document


def test_unbind_stays_text(reviewer_client):
    response = _upload(reviewer_client)
    reviewer_client.post(response.url, {"action": "save", "bind_0": "-"})
    record = DocumentImport.objects.get()
    assert record.edits == [["unbind", 0]]
    page = reviewer_client.get(response.url).content.decode()
    assert "审核人改为原文" in page


def test_clerks_cannot_import(client, demo_data):
    from accounts.demo import DEMO_PASSWORD

    assert client.login(username="clerk_sfj", password=DEMO_PASSWORD)
    assert client.get("/reports/import/").status_code == 403


def test_wrong_file_type_is_refused(reviewer_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = reviewer_client.post(
        "/reports/import/",
        {"file": SimpleUploadedFile("a.doc", b"x"), "period": "2025", "name": "x"},
    )
    assert response.status_code == 400
    assert "只能导入 .docx 或 .txt" in response.content.decode()
    assert not DocumentImport.objects.exists()


def _ready_to_accept(client, **extra):
    """An uploaded import whose new indicators all have a department: the accept's form."""
    response = _upload(client, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response.url).content.decode()
    rows = [i for i in range(20) if f'name="department_{i}"' in page]
    return response.url, {
        "action": "accept",
        "first_period": "2026",
        **{f"department_{n}": "sfj" for n in rows},
    }


def test_a_second_accept_of_a_page_loaded_before_the_first_is_refused(reviewer_client):
    from django.contrib import messages

    url, form = _ready_to_accept(reviewer_client)
    record = DocumentImport.objects.get()
    stale = DocumentImport.objects.get(pk=record.pk)  # the second tab's request read it here
    assert reviewer_client.post(url, form).status_code == 302
    document = ReportTemplate.objects.get(name="法治简报")
    with pytest.raises(ValidationError, match="该导入已确认，请勿重复提交。"):
        accept_import(
            user=User.objects.get(username="reviewer"),
            proposal=proposal_of(stale),
            document_name=stale.name,
            period=stale.period,
            default_department=Department.objects.get(code="sfj"),
            first_period=ReportingPeriod.objects.get(code="2026"),
            import_record=stale,
        )
    assert document.versions.count() == 1
    again = reviewer_client.post(url, form, follow=True)
    shown = [m.message for m in messages.get_messages(again.wsgi_request)]
    assert again.status_code == 200 and shown and "已经接受" in " ".join(shown)
    assert document.versions.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_accepts_at_once_make_one_new_version(postgres, demo_data):
    from django.test import Client

    from tests.threads import at_once

    existing = ReportTemplate.objects.order_by("position").first()
    versions = existing.versions.count()
    first, second = Client(), Client()
    for browser in (first, second):
        browser.force_login(User.objects.get(username="reviewer"))
    url, form = _ready_to_accept(first, document=existing.slug, name="")
    answers = at_once([lambda: first.post(url, form), lambda: second.post(url, form)])
    assert [a.status_code for a in answers] == [302, 302], answers
    assert existing.versions.count() == versions + 1
    targets = sorted(a.url for a in answers)
    assert targets == sorted([url, f"/reports/?period=2025&document={existing.slug}"])
    refused = first if answers[0].url == url else second
    page = refused.get(url).content.decode()
    # (refused on arrival if the first had already finished, else once it has)
    assert "该导入已确认，请勿重复提交。" in page or "该导入已经接受" in page


def _new_rows(page: str) -> list[int]:
    return [i for i in range(20) if f'name="department_{i}"' in page]


def test_the_per_row_departments_are_not_required(reviewer_client):
    """The shared department covers rows without one: the browser must not block the form."""
    response = _upload(reviewer_client)
    page = reviewer_client.get(response.url).content.decode()
    assert _new_rows(page)
    assert "required" not in page.split('id="import-form"')[1].split("</form>")[0]


def test_accept_with_only_the_shared_department(reviewer_client):
    response = _upload(reviewer_client)
    page = reviewer_client.get(response.url).content.decode()
    rows = _new_rows(page)
    # What the browser sends: every per-row select empty, the shared one chosen.
    form = {"action": "accept", "default_department": "sfj", "first_period": "2026"}
    form.update({f"department_{n}": "" for n in rows})
    new_codes = {n.code for n in proposal_of(DocumentImport.objects.get()).new_indicators}
    assert new_codes
    accepted = reviewer_client.post(response.url, form)
    assert accepted.status_code == 302, accepted.content.decode()[:2000]
    assert ReportTemplate.objects.filter(name="法治简报").exists()
    assert set(
        Indicator.objects.filter(code__in=new_codes).values_list("department__code", flat=True)
    ) == {"sfj"}


def test_accept_without_any_department_names_the_rows(reviewer_client):
    response = _upload(reviewer_client)
    page = reviewer_client.get(response.url).content.decode()
    rows = _new_rows(page)
    refused = reviewer_client.post(
        response.url,
        {"action": "accept", "default_department": "", **{f"department_{n}": "" for n in rows}},
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "以下新指标尚未选择填报部门" in text
    for n in rows:
        assert f"第{n + 1}个数字“" in text
    assert not ReportTemplate.objects.filter(name="法治简报").exists()


def test_the_review_page_shows_conflicts_reasons_formats_and_years(reviewer_client):
    """Before accept the reviewer sees every conflict in the document's units, why each
    number is bound, its format in words and the report's year turned into {year}."""
    text = (
        "2025年，全区受理行政复议案件152件，审结139件。\n"
        "全年发放各类宣传资料3.2万余份，受教育群众8万多人次。\n"
        "政协委员提案120件，办结率100%。"
    )
    response = reviewer_client.post(
        "/reports/import/", {"text": text, "period": "2025", "name": "复议报告"}
    )
    page = reviewer_client.get(response.url).content.decode()
    assert "“受理行政复议案件”已有数据 58，文档中为 152" in page
    assert "“发放各类宣传资料”已有数据 123456，文档中为 3.2万余（32000）" in page
    assert "主语与名称相符" in page
    assert "新指标：审结行政复议案件" in page
    assert ">万余<" in page and ">万多<" in page and ">原数<" in page
    assert "2025 → {year}" in page
    assert "行政复议办结率（biz_review_closure_rate）</option>" in page
    assert 'value="biz_review_closure_rate" selected' not in page
    refused = reviewer_client.post(
        response.url, {"action": "accept", "default_department": "sfj", "first_period": "2026"}
    )
    assert refused.status_code == 400
    assert "已有不同的数据" in refused.content.decode()
    assert not ReportTemplate.objects.filter(name="复议报告").exists()


def test_a_number_in_wan_reads_with_its_wan_in_the_table(reviewer_client):
    """3.2万余份 is shown as 3.2万余（32000）, never as a bare 3.2 (a new user read “3.2 份”)."""
    response = reviewer_client.post(
        "/reports/import/",
        {"text": "全年发放各类宣传资料3.2万余份。", "period": "2025", "name": "宣传报告"},
    )
    page = reviewer_client.get(response.url).content.decode()
    assert '<td class="num" data-label="数值">3.2万余（32000）</td>' in page
