"""Computed indicators in the documents and on the leader's dashboard: a template uses
{biz_review_closure_rate} like any code; the final report takes approved inputs, a draft marks
the INPUT it lacks; the dashboard page and its workbook show the value, marked 计算."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from metrics.models import Figure, FigureStatus, ReportingPeriod, User
from reports import selectors, services
from reports.models import JobStatus
from reports.rendering import render_text
from tests.reports.speech import pdf_text

TEMPLATE = """\
# 计算指标测试

行政复议办结率{biz_review_closure_rate}%，{biz_review_closure_rate|yoy}；外聘法律顾问{biz_external_counsel_total}人。
"""


def _period(code):
    return ReportingPeriod.objects.get(code=code)


@pytest.fixture
def template(reviewer_user):
    template = selectors.active_template()
    services.save_template_version(template=template, text=TEMPLATE, user=reviewer_user)
    template.refresh_from_db()
    return template


def test_the_final_pdf_carries_the_computed_values(
    template, eager_tasks, media, leader_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_report(
            period=_period("2025"), kind="final", user=leader_user, template=template
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    text = pdf_text(job.pdf.read())
    # 2025: 55 closed of 58 received → 94.827… → 94.8; 3 + 8 counsel; no 2024 to compare with.
    assert "行政复议办结率94.8%" in text
    assert "外聘法律顾问11人" in text
    assert job.snapshot["figures"]["biz_review_closure_rate"]["computed"] is True


def test_the_final_report_is_refused_naming_the_missing_inputs(template, leader_user):
    Figure.objects.filter(indicator__code="biz_review_cases_received", period__code="2026").delete()
    with pytest.raises(services.ReportNotReady) as refused:
        services.request_report(
            period=_period("2026"), kind="final", user=leader_user, template=template
        )
    gaps = {g["code"]: g for g in refused.value.gaps}
    assert set(gaps) == {"biz_review_cases_received", "biz_review_cases_closed"}
    assert gaps["biz_review_cases_received"]["status"] == "missing"
    assert gaps["biz_review_cases_closed"]["status"] == FigureStatus.SUBMITTED
    assert set(refused.value.by_department) == {"区司法局"}


def test_a_draft_marks_the_input_a_computed_value_lacks(demo_data):
    Figure.objects.filter(indicator__code="biz_review_cases_received", period__code="2026").delete()
    snapshot = selectors.figure_snapshot(period=_period("2026"), codes=["biz_review_closure_rate"])
    speech = render_text(TEMPLATE.replace("{biz_external_counsel_total}", "13"), snapshot, "draft")
    assert "【待填：受理行政复议案件】" in speech.text
    assert "【待审：办结行政复议案件】" in speech.text
    assert {g.code for g in speech.gaps} == {"biz_review_cases_received", "biz_review_cases_closed"}


def test_a_division_by_zero_is_a_gap_of_the_final_report(demo_data):
    Figure.objects.filter(indicator__code="biz_review_cases_received", period__code="2025").update(
        value=0
    )
    snapshot = selectors.figure_snapshot(period=_period("2025"), codes=["biz_review_closure_rate"])
    [gap] = selectors.gaps(snapshot)
    assert gap["code"] == "biz_review_closure_rate"
    assert gap["reason"] == "除数为 0，无法计算" and gap["department"] == "区司法局"
    speech = render_text("行政复议办结率{biz_review_closure_rate}%。", snapshot, "draft")
    assert "【待改：行政复议办结率】" in speech.text
    assert "除数为 0" in speech.gaps[0].reason_label


def test_the_dashboard_and_its_workbook_show_computed_values(client, demo_data):
    client.force_login(User.objects.get(username="leader"))
    page = client.get(reverse("dashboard:index") + "?period=2026")
    board = page.context["board"]
    counsel = next(h for h in board.computed if h.code == "biz_external_counsel_total")
    assert (counsel.value, counsel.previous, counsel.change_text) == (13, 11, "同比增长18.2%")
    html = page.content.decode()
    assert "外聘法律顾问中的法学专家和专业律师合计" in html and "13人" in html
    assert "由外聘法律顾问中的法学专家、外聘法律顾问中的专业律师计算" in html
    # From approved inputs only: the closure rate's inputs are still with the reviewers.
    closure = next(h for h in board.computed if h.code == "biz_review_closure_rate")
    assert closure.value is None and "待审核：办结行政复议案件" in closure.reason
    assert "缺少" not in closure.reason
    # not in the progress counts
    assert {r.code: r.expected for r in board.rows}["sfj"] == 15
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("dashboard:export") + "?period=2026").content)
    )
    sheet = workbook["核心数据同比"]
    [line] = [c.row for c in sheet["A"] if c.value == "外聘法律顾问中的法学专家和专业律师合计"]
    row = [c.value for c in sheet[line]]
    assert row[2:7] == [13, "计算", 11, 18.2, "同比增长18.2%"]
    assert (
        "由外聘法律顾问中的法学专家、外聘法律顾问中的专业律师计算" in sheet[f"D{line}"].comment.text
    )
    detail = client.get(reverse("dashboard:indicator", args=["biz_external_counsel_total"]))
    assert detail.status_code == 200
    assert [(c.period_code, c.value) for c in detail.context["computed"]][:2] == [
        ("2026", 13),
        ("2025", 11),
    ]


def test_the_dashboard_says_an_input_with_the_reviewers_is_awaiting_review(client, demo_data):
    """The leader sees 办结行政复议案件 listed as 已报送 above: the closure rate says it waits
    for review (待审核), and names as missing (缺少) only the input with no value at all."""
    Figure.objects.filter(indicator__code="biz_review_cases_received", period__code="2026").update(
        value=None, status="draft"
    )
    client.force_login(User.objects.get(username="leader"))
    page = client.get(reverse("dashboard:index") + "?period=2026")
    closure = next(h for h in page.context["board"].computed if h.code == "biz_review_closure_rate")
    assert closure.reason == "待审核：办结行政复议案件；缺少：受理行政复议案件"
    assert "待审核：办结行政复议案件；缺少：受理行政复议案件" in page.content.decode()


def test_the_dashboard_lists_a_failing_rule_over_a_computed_indicator(client, demo_data):
    from metrics.models import Indicator, ValidationRule

    ValidationRule.objects.create(
        name="办结率不超过100",
        left=Indicator.objects.get(code="biz_review_closure_rate"),
        operator="<=",
        right=Indicator.objects.get(code="biz_leader_court_appearance_rate"),
    )
    Figure.objects.filter(indicator__code="biz_review_cases_closed", period__code="2026").update(
        value=70
    )
    client.force_login(User.objects.get(username="leader"))
    board = client.get(reverse("dashboard:index") + "?period=2026").context["board"]
    assert any("行政复议办结率（109.4）" in f.message for f in board.rule_failures)
    trend = client.get(
        reverse("dashboard:data") + "?period=2026&indicator=biz_external_counsel_total"
    ).json()["trend"]
    assert [(p["period"], p["value"]) for p in trend["points"]] == [("2025", "11"), ("2026", "13")]
