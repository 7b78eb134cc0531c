"""The office's calendar (issue: open next year, extend a deadline, start an indicator from a
chosen period — without a superuser): the services, the pages and the API, with who may."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from metrics import selectors, services, sheets
from metrics.models import (
    DeadlineExtension,
    Indicator,
    OfficeSettings,
    PeriodState,
    ReportingPeriod,
)
from metrics.progress import NOT_STARTED_INDICATOR
from tests import factories


def freeze(monkeypatch, day: datetime.date):
    """The portal's clock on `day` (every caller reads timezone.localdate())."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


# --- opening a period ---------------------------------------------------------------------


def test_reviewer_opens_next_year_planned_with_its_dates_from_the_code(demo_data, reviewer):
    period = services.open_period(
        code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer, open_entry=False
    )
    assert (period.start, period.end) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert period.state == PeriodState.PLANNED and period.closed_for_entry
    row = period.history.latest()
    assert row.history_user == reviewer and "暂不开放填报" in row.history_change_reason


@pytest.mark.parametrize("code", ["2027S1", "2027Q3"])
def test_half_years_and_quarters_open_too(demo_data, reviewer, code):
    period = services.open_period(code=code, deadline=datetime.date(2028, 1, 15), user=reviewer)
    assert period.start == period.parsed_code.start and period.end == period.parsed_code.end


@pytest.mark.parametrize(
    ("code", "deadline", "field", "message"),
    [
        ("2026", datetime.date(2027, 1, 15), "code", "已经开设"),
        ("2027Q5", datetime.date(2028, 1, 15), "code", "不存在"),
        ("二〇二七", datetime.date(2028, 1, 15), "code", "格式不正确"),
        ("2027", datetime.date(2027, 6, 1), "deadline", "不能早于"),
        ("2027", datetime.date(2099, 1, 1), "deadline", "过远"),
    ],
)
def test_a_bad_period_is_refused_in_chinese_and_nothing_is_made(
    demo_data, reviewer, code, deadline, field, message
):
    before = ReportingPeriod.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.open_period(code=code, deadline=deadline, user=reviewer)
    assert message in " ".join(refused.value.message_dict[field])
    assert ReportingPeriod.objects.count() == before


@pytest.mark.parametrize("role", ["clerk", "leader"])
def test_only_the_office_opens_periods(demo_data, role, sfj):
    user = factories.UserFactory(role=role, department=sfj if role == "clerk" else None)
    with pytest.raises(PermissionDenied):
        services.open_period(code="2027", deadline=datetime.date(2028, 1, 15), user=user)


def test_a_planned_period_takes_no_figures_until_entry_opens(demo_data, reviewer, sfj):
    period = services.open_period(code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer)
    clerk = factories.UserFactory(role="clerk", department=sfj)
    entry = services.Entry(code="biz_review_cases_received", value="10")
    with pytest.raises(ValidationError, match="尚未开放填报"):
        services.save_draft(department=sfj, period=period, entries=[entry], user=clerk)
    period = services.open_entry_for(period=period, user=reviewer)
    result = services.save_draft(department=sfj, period=period, entries=[entry], user=clerk)
    assert not result.errors and period.figures.count() == 1


# --- which period is "now" -----------------------------------------------------------------


def test_a_period_still_to_come_is_nobodys_default_until_it_starts(
    demo_data, reviewer, monkeypatch, client
):
    freeze(monkeypatch, datetime.date(2026, 12, 4))
    services.open_period(code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer)
    assert selectors.current_period().code == "2026"
    client.force_login(reviewer)
    assert client.get("/review/").url.rstrip("/").endswith("/review/2026")
    assert "2026年度" in client.get("/dashboard/").content.decode()
    # Opened early by a reviewer: the default from now on.
    services.open_entry_for(period=ReportingPeriod.objects.get(code="2027"), user=reviewer)
    assert selectors.current_period().code == "2027"


def test_a_planned_period_that_has_started_does_not_displace_an_open_one(
    demo_data, reviewer, monkeypatch
):
    services.open_period(code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer)
    freeze(monkeypatch, datetime.date(2027, 1, 10))
    assert selectors.current_period().code == "2026"


def test_last_years_document_deadlines_stay_on_the_dashboard_in_january(
    demo_data, reviewer, leader, monkeypatch, client
):
    services.open_period(
        code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer, open_entry=True
    )
    freeze(monkeypatch, datetime.date(2027, 1, 20))
    assert selectors.current_period().code == "2027"
    client.force_login(leader)
    page = client.get("/dashboard/").content.decode()
    section = page[page.index('id="deadlines"') :]
    assert "2026年度" in section and "2027年3月1日" in section and "2027年4月1日" in section
    # Once a deadline has passed it is no longer shown for the earlier period.
    freeze(monkeypatch, datetime.date(2027, 3, 2))
    section = client.get("/dashboard/").content.decode().split('id="deadlines"')[1]
    assert "2027年3月1日" not in section and "2027年4月1日" in section


# --- deadlines and extensions -------------------------------------------------------------


def test_changing_the_deadline_needs_a_reason_and_keeps_old_and_new(demo_data, reviewer):
    period = ReportingPeriod.objects.get(code="2026")
    with pytest.raises(ValidationError, match="原因"):
        services.change_deadline(
            period=period, deadline=datetime.date(2027, 1, 31), user=reviewer, reason=""
        )
    services.change_deadline(
        period=period, deadline=datetime.date(2027, 1, 31), user=reviewer, reason="春节前统一报送"
    )
    reason = period.history.latest().history_change_reason
    assert "2026-12-15 → 2027-01-31" in reason and "春节前统一报送" in reason


def test_a_departments_extension_moves_its_timeliness_and_reminders_alone(
    demo_data, reviewer, monkeypatch
):
    from metrics.models import Department, Reminder
    from reports.dashboard.queries import department_rows

    period = ReportingPeriod.objects.get(code="2026")
    sfj = Department.objects.get(code="sfj")
    services.extend_deadline(
        period=period,
        department=sfj,
        deadline=period.deadline + datetime.timedelta(days=7),
        user=reviewer,
        reason="等待复议案件统计口径确认",
    )
    day = period.deadline + datetime.timedelta(days=2)
    rows = {
        r.code: r
        for r in department_rows(period=period, departments=Department.objects.all(), today=day)
    }
    behind = [code for code, r in rows.items() if not r.progress.complete]
    assert rows["sfj"].deadline == datetime.date(2026, 12, 22) and rows["sfj"].extended
    assert rows["sfj"].days_overdue == 0
    others = [c for c in behind if c != "sfj"]
    assert others and all(rows[c].days_overdue == 2 for c in others)
    # The scheduler reminds the others (overdue) but not 区司法局 (5 days before its own).
    sent = services.send_due_reminders(user=factories.scheduler(), today=day)
    assert {r.department.code for r in sent} == set(others)
    # Three days before its own deadline 区司法局 is reminded, with its own date.
    sent = services.send_due_reminders(
        user=factories.scheduler(), today=datetime.date(2026, 12, 19)
    )
    reminded = Reminder.objects.get(department=sfj, date=datetime.date(2026, 12, 19))
    assert "2026年12月22日" in reminded.notice.title
    assert sfj in [r.department for r in sent]


def test_an_extension_must_be_later_and_have_a_reason(demo_data, reviewer, sfj):
    period = ReportingPeriod.objects.get(code="2026")
    for deadline, reason, message in [
        (period.deadline, "原因", "不能早于"),
        (period.deadline + datetime.timedelta(days=3), "", "延期原因"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.extend_deadline(
                period=period, department=sfj, deadline=deadline, user=reviewer, reason=reason
            )
    assert not DeadlineExtension.objects.exists()


def test_the_automatic_lock_waits_for_the_last_extension(demo_data, reviewer, sfj):
    period = ReportingPeriod.objects.get(code="2026")
    services.extend_deadline(
        period=period,
        department=sfj,
        deadline=datetime.date(2026, 12, 22),
        user=reviewer,
        reason="延期",
    )
    scheduler = factories.scheduler()
    assert services.lock_overdue_periods(user=scheduler, today=datetime.date(2026, 12, 20)) == []
    locked = services.lock_overdue_periods(user=scheduler, today=datetime.date(2026, 12, 23))
    assert [p.code for p in locked] == ["2026"]
    assert (
        "2026-12-22"
        in ReportingPeriod.objects.get(code="2026").history.latest().history_change_reason
    )


# --- an indicator's first period --------------------------------------------------------------


def test_an_indicator_starting_in_2027_is_absent_from_2026_and_present_in_2027(
    demo_data, reviewer, sfj
):
    from metrics.tabular import department_workbook

    p2027 = services.open_period(
        code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer, open_entry=True
    )
    from metrics.models import Department
    from reports.dashboard.queries import section_rows

    p2026 = ReportingPeriod.objects.get(code="2026")
    before = selectors.progress_by_department(period=p2026)
    readiness_before = section_rows(period=p2026, departments=Department.objects.all())
    indicator = services.create_indicator(
        user=reviewer,
        name="行政复议决定书网上公开数",
        section=Indicator.objects.get(code="biz_review_cases_received").section,
        department=sfj,
        unit="件",
        first_period=p2027,
    )
    after = selectors.progress_by_department(period=p2026)
    assert [d.progress.expected for d in after] == [d.progress.expected for d in before]
    assert section_rows(period=p2026, departments=Department.objects.all()) == readiness_before
    # A 2027 department of its own reports only the new indicator: nothing is due in 2026.
    owner = factories.DepartmentFactory(code="gkb", name="区政务公开办")
    services.update_indicator(indicator=indicator, user=reviewer, department=owner)

    def behind(period):
        return [
            d for d in selectors.progress_by_department(period=period) if not d.progress.complete
        ]

    assert owner not in behind(p2026)
    assert owner in behind(p2027)
    services.update_indicator(indicator=indicator, user=reviewer, department=sfj)
    sheet_2026 = sheets.department_sheet(department=sfj, period=p2026)
    sheet_2027 = sheets.department_sheet(department=sfj, period=p2027)
    assert indicator.code not in [r.indicator.code for r in sheet_2026.rows]
    assert indicator.code in [r.indicator.code for r in sheet_2027.rows]
    assert indicator.name not in _workbook_text(department_workbook(sheet_2026))
    assert indicator.name in _workbook_text(department_workbook(sheet_2027))
    clerk = factories.UserFactory(role="clerk", department=sfj)
    with pytest.raises(ValidationError) as refused:
        services.save_figure(indicator=indicator, period=p2026, value="3", user=clerk)
    assert refused.value.code == NOT_STARTED_INDICATOR
    assert "从2027年度起填报" in " ".join(refused.value.messages)


def _workbook_text(data: bytes) -> str:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    )


# --- settings -----------------------------------------------------------------------------------


def test_the_office_renames_the_district_and_the_next_build_says_it(demo_data, reviewer):
    from reports import selectors as report_selectors

    period = ReportingPeriod.objects.get(code="2026")
    services.update_office_settings(user=reviewer, version=0, district_name="东湖", reason="更名")
    snapshot = report_selectors.figure_snapshot(period=period, codes=[])
    assert snapshot["district_name"] == "东湖"
    row = OfficeSettings.history.latest()
    assert row.history_user == reviewer and row.district_name == "东湖"
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.update_office_settings(user=reviewer, version=0, district_name="西湖")


def test_a_clerk_cannot_change_the_settings(demo_data, sfj):
    clerk = factories.UserFactory(role="clerk", department=sfj)
    with pytest.raises(PermissionDenied):
        services.update_office_settings(user=clerk, version=0, district_name="东湖")
