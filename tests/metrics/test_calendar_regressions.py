"""What an adversarial review of the calendar found, each its own case."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from metrics import selectors, services
from metrics.models import Department, Figure, Indicator, PeriodState, ReportingPeriod
from reports import documents
from tests import factories


def freeze(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_opening_next_year_early_keeps_this_years_document_deadlines_in_view(
    demo_data, reviewer, monkeypatch
):
    freeze(monkeypatch, datetime.date(2026, 12, 4))
    services.open_period(
        code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer, open_entry=True
    )
    current = selectors.current_period()
    assert current.code == "2027"
    shown = {
        (d.period.code, d.label, d.date)
        for d in documents.deadlines(period=current, today=datetime.date(2026, 12, 4))
    }
    assert ("2026", "报送", datetime.date(2027, 3, 1)) in shown
    assert ("2027", "报送", datetime.date(2028, 3, 1)) in shown


def test_quarters_do_not_repeat_an_annual_documents_deadlines(demo_data):
    for quarter in ("2026Q1", "2026Q2", "2026Q3", "2026Q4"):
        factories.period(quarter)
    period = ReportingPeriod.objects.get(code="2026")
    found = documents.deadlines(period=period, today=datetime.date(2027, 1, 10))
    labels = [(d.document.pk, d.label, d.date) for d in found]
    assert len(labels) == len(set(labels))
    assert all(d.period.parsed_code.kind == "Y" for d in found)


def test_the_automatic_lock_rechecks_under_the_row_lock(demo_data, reviewer, monkeypatch):
    """A deadline moved after the candidates were read keeps the period open."""
    period = ReportingPeriod.objects.get(code="2026")
    real = selectors.periods_to_lock

    def read_then_extend(**kwargs):
        found = real(**kwargs)
        services.change_deadline(
            period=period, deadline=datetime.date(2027, 2, 1), user=reviewer, reason="顺延"
        )
        return found

    monkeypatch.setattr(selectors, "periods_to_lock", read_then_extend)
    locked = services.lock_overdue_periods(
        user=factories.scheduler(), today=datetime.date(2026, 12, 20)
    )
    assert locked == []
    assert ReportingPeriod.objects.get(code="2026").state == PeriodState.OPEN


def test_the_document_deadline_form_refuses_control_characters_and_long_reasons(
    demo_data, client, reviewer
):
    from reports.models import ReportTemplate

    client.force_login(reviewer)
    before = ReportTemplate.objects.get(slug="annual-report").deadlines
    for data in (
        {"deadlines": "报\x07送 3月1日", "reason": "调整"},
        {"deadlines": "报送 3月2日", "reason": "长" * 600},
    ):
        answer = client.post(
            "/reports/deadlines/", {"document": "annual-report", "period": "2026", **data}
        )
        assert answer.status_code in (302, 400)
        assert ReportTemplate.objects.get(slug="annual-report").deadlines == before


@pytest.mark.parametrize("length", [99, 100, 480])
def test_a_long_reason_is_kept_whole_in_the_history(demo_data, reviewer, length):
    period = ReportingPeriod.objects.get(code="2026")
    reason = "长" * length
    services.change_deadline(
        period=period, deadline=datetime.date(2027, 1, 31), user=reviewer, reason=reason
    )
    assert reason in period.history.latest().history_change_reason


def test_a_first_period_after_existing_figures_is_refused(demo_data, reviewer):
    indicator = Indicator.objects.get(code="biz_review_cases_received")
    p2027 = services.open_period(code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer)
    assert Figure.objects.filter(indicator=indicator, period__code="2026").exists()
    with pytest.raises(ValidationError, match="已有数据"):
        services.update_indicator(indicator=indicator, user=reviewer, first_period=p2027)
    assert Indicator.objects.get(pk=indicator.pk).first_period is None


def test_an_extension_overtaken_by_the_periods_deadline_is_no_longer_an_extension(
    demo_data, reviewer
):
    from reports.dashboard.queries import department_rows

    period = ReportingPeriod.objects.get(code="2026")
    sfj = Department.objects.get(code="sfj")
    services.extend_deadline(
        period=period,
        department=sfj,
        deadline=datetime.date(2026, 12, 22),
        user=reviewer,
        reason="延期",
    )
    period = services.change_deadline(
        period=period, deadline=datetime.date(2027, 1, 31), user=reviewer, reason="全区顺延"
    )
    rows = {r.code: r for r in department_rows(period=period, departments=Department.objects.all())}
    assert rows["sfj"].deadline == datetime.date(2027, 1, 31) and not rows["sfj"].extended


def test_an_indicator_made_through_the_api_starts_in_the_current_period(demo_data, reviewer):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(reviewer)}")
    made = api.post(
        "/api/v1/indicators/",
        {"name": "行政复议决定书网上公开数", "section": "biz", "department": "sfj", "unit": "件"},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["first_period"] == selectors.current_period().code


def test_a_too_long_lock_reason_is_refused_not_dropped(demo_data, client, reviewer):
    client.force_login(reviewer)
    answer = client.post("/periods/2026/lock/", {"reason": "长" * 600}, follow=True)
    assert ReportingPeriod.objects.get(code="2026").state == PeriodState.OPEN
    page = answer.content.decode()
    assert "不超过 500 字符 (目前字符数 600)" in page


def test_a_periods_detail_in_the_api_reads_its_extensions_at_once(
    demo_data, reviewer, django_assert_max_num_queries
):
    from rest_framework.test import APIClient

    period = ReportingPeriod.objects.get(code="2026")
    for department in Department.objects.all():
        services.extend_deadline(
            period=period,
            department=department,
            deadline=datetime.date(2026, 12, 22),
            user=reviewer,
            reason="延期",
        )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(reviewer)}")
    with django_assert_max_num_queries(8):
        answer = api.get("/api/v1/periods/2026/")
    assert len(answer.json()["extensions"]) == Department.objects.count()
