"""The leader's dashboard's queries: counts against hand-computed fixtures (the views, the
permissions and the query bound are in test_dashboard_views)."""

import datetime
from decimal import Decimal

import pytest

from accounts import demo
from metrics.models import (
    Department,
    Figure,
    FigureStatus,
    Indicator,
    Section,
)
from reports import dashboard
from tests import factories

A, S, D, R = (
    FigureStatus.APPROVED,
    FigureStatus.SUBMITTED,
    FigureStatus.DRAFT,
    FigureStatus.RETURNED,
)
DEADLINE = datetime.date(2026, 3, 15)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def cur(db):
    return demo.ensure_period("2026S1", deadline=DEADLINE)


@pytest.fixture
def prev(db):
    return demo.ensure_period("2025S1", deadline=datetime.date(2025, 7, 15), locked=True)


def _indicators(department, codes, section="biz"):
    section = Section.objects.get(code=section)
    return [
        factories.IndicatorFactory(code=code, department=department, section=section, order=n)
        for n, code in enumerate(codes)
    ]


def _figure(indicator, period, value, status):
    return factories.FigureFactory(
        indicator=indicator,
        period=period,
        value=None if value is None else Decimal(value),
        status=status,
    )


@pytest.fixture
def board_data(cur, prev):
    """Three departments whose counts are worked out by hand in the tests below.

    ta: a1 approved 10 (prev 5: +100%), a2 submitted 5 (prev 4: +25%),
        a3 returned 3 (prev 10: −70%), a4 never filled (prev 8, approved)
    tb: b1, b2 approved — everything done
    tc: c1 draft without a value, c2 draft 7, c3 never filled
    """
    ta = factories.DepartmentFactory(code="ta", name="甲局", short_name="甲", order=201)
    tb = factories.DepartmentFactory(code="tb", name="乙局", short_name="乙", order=202)
    tc = factories.DepartmentFactory(code="tc", name="丙局", short_name="丙", order=203)
    a1, a2, a3, a4 = _indicators(ta, ["ta_1", "ta_2", "ta_3", "ta_4"], section="biz")
    b1, b2 = _indicators(tb, ["tb_1", "tb_2"], section="grass")
    c1, c2, c3 = _indicators(tc, ["tc_1", "tc_2", "tc_3"], section="edu")
    _figure(a1, cur, 10, A)
    _figure(a2, cur, 5, S)
    _figure(a3, cur, 3, R)
    _figure(b1, cur, 1, A)
    _figure(b2, cur, 2, A)
    _figure(c1, cur, None, D)
    _figure(c2, cur, 7, D)
    for indicator, value in ((a1, 5), (a2, 4), (a3, 10), (a4, 8)):
        _figure(indicator, prev, value, A)
    return {
        "ta": ta,
        "tb": tb,
        "tc": tc,
        "departments": Department.objects.filter(code__in=["ta", "tb", "tc"]),
    }


def _rows(board_data, period, today):
    rows = dashboard.department_rows(
        period=period, departments=board_data["departments"], today=today
    )
    return {r.code: r for r in rows}


# --- pure helpers --------------------------------------------------------------------------


# --- counts against the hand-computed fixture ------------------------------------------------


def test_department_counts(board_data, cur):
    rows = _rows(board_data, cur, today=datetime.date(2026, 3, 10))
    assert list(rows) == ["ta", "tb", "tc"]
    ta, tb, tc = rows["ta"], rows["tb"], rows["tc"]
    assert (ta.expected, ta.filled, ta.submitted, ta.approved, ta.returned, ta.empty) == (
        4,
        3,
        1,
        1,
        1,
        1,
    )
    assert (ta.draft, ta.in_progress, ta.unapproved, ta.complete) == (0, 1, 3, False)
    assert (tb.expected, tb.filled, tb.approved, tb.empty, tb.complete) == (2, 2, 2, 0, True)
    # One state per indicator (metrics.progress): an empty draft is 未填, not 草稿.
    assert (tc.expected, tc.filled, tc.draft, tc.empty, tc.in_progress) == (3, 1, 1, 2, 1)
    # Last activity: the latest updated_at of the department's figures in this period.
    latest = Figure.objects.filter(period=cur, indicator__department=board_data["ta"])
    assert ta.last_activity == max(f.updated_at for f in latest)


def test_timeliness_before_and_after_the_deadline(board_data, cur):
    before = _rows(board_data, cur, today=datetime.date(2026, 3, 10))
    assert before["ta"].timeliness == "剩余5天" and before["ta"].days_overdue == 0
    assert before["tb"].timeliness == "已报齐"
    on_the_day = _rows(board_data, cur, today=DEADLINE)
    assert on_the_day["tc"].timeliness == "今日截止"
    after = _rows(board_data, cur, today=datetime.date(2026, 3, 20))
    assert after["ta"].days_overdue == 5 and after["ta"].timeliness == "逾期5天"
    assert after["tc"].days_overdue == 5
    assert after["tb"].days_overdue == 0 and after["tb"].timeliness == "已报齐"
    totals = dashboard.totals(list(after.values()))
    assert (totals.departments, totals.complete, totals.overdue) == (3, 1, 2)
    assert (totals.expected, totals.approved, totals.empty) == (9, 3, 3)


def test_sections_and_readiness(board_data, cur):
    sections = {
        s.code: s
        for s in dashboard.queries.section_rows(period=cur, departments=board_data["departments"])
    }
    assert (sections["biz"].ready, sections["biz"].total) == (1, 4)
    assert (sections["grass"].ready, sections["grass"].total) == (2, 2)
    assert (sections["edu"].ready, sections["edu"].total) == (0, 3)
    assert (sections["lead"].ready, sections["lead"].total) == (0, 0)
    assert sections["biz"].percent == Decimal("25.0")
    rows = list(_rows(board_data, cur, today=DEADLINE).values())
    ready = dashboard.readiness(sections=list(sections.values()), rows=rows)
    assert (ready.approved, ready.total, ready.percent) == (3, 9, Decimal("33.3"))
    assert [r.code for r in ready.blockers] == ["ta", "tc"]
    assert not ready.ready


def test_big_changes_against_the_previous_period(board_data, cur, prev):
    changes, total = dashboard.anomalies.big_changes(
        period=cur, previous=prev, departments=board_data["departments"]
    )
    assert total == 2
    assert [(c.code, c.change, c.change_text) for c in changes] == [
        ("ta_1", Decimal("100.0"), "同比增长100.0%"),
        ("ta_3", Decimal("-70.0"), "同比下降70.0%"),
    ]
    assert dashboard.anomalies.big_changes(
        period=cur, previous=None, departments=Department.objects.all()
    ) == ([], 0)


def test_figures_returned_more_than_once(board_data, cur):
    twice = Indicator.objects.get(code="ta_2")
    figure = Figure.objects.get(indicator=twice, period=cur)  # history: submitted
    for status, value in ((R, 5), (R, 6), (S, 6), (R, 6), (S, 7)):
        figure.status, figure.value = status, Decimal(value)
        figure.save()  # returned, edited while returned (not a new return), …, returned again
    once = Figure.objects.get(indicator__code="ta_3", period=cur)  # created returned
    once.value = Decimal(4)
    once.save()
    flagged = dashboard.anomalies.repeated_returns(
        period=cur, departments=board_data["departments"]
    )
    assert [(r.code, r.times) for r in flagged] == [("ta_2", 2)]
    assert (
        dashboard.anomalies.repeated_returns(
            period=cur, departments=Department.objects.filter(code="tb")
        )
        == []
    )


def test_rule_failures_with_explanations(cur):
    catalogue = {i.code: i for i in Indicator.objects.all()}
    _figure(catalogue["biz_review_cases_received"], cur, 64, S)
    _figure(catalogue["biz_review_cases_closed"], cur, 70, S)
    district = _figure(catalogue["grass_district_centers"], cur, 3, S)
    district.explanation = "新建两个区级分中心"
    district.save()
    _figure(catalogue["grass_township_centers"], cur, 2, S)
    failures = dashboard.anomalies.rule_failures(period=cur, department_ids=None)
    assert [(f.severity, f.is_error) for f in failures] == [("error", True), ("warning", False)]
    assert "办结行政复议案件数不应超过受理数" in failures[0].message
    assert failures[1].explanation == "新建两个区级分中心"
    sfj = Department.objects.get(code="sfj")
    only_sfj = dashboard.anomalies.rule_failures(period=cur, department_ids={sfj.pk})
    assert [f.severity for f in only_sfj] == ["error"]


def test_headlines_with_previous_period(cur, prev):
    catalogue = {i.code: i for i in Indicator.objects.all()}
    for code, now, before in (
        ("biz_review_cases_received", 64, 58),
        ("grass_grid_workers", 1800, 1860),
        ("edu_people_educated", 86500, 86500),
    ):
        _figure(catalogue[code], cur, now, S)
        _figure(catalogue[code], prev, before, A)
    _figure(catalogue["grass_disputes_mediated"], cur, 10, D)
    lines = dashboard.queries.headlines(
        period=cur, previous=prev, departments=Department.objects.all()
    )
    # The catalogue's headline indicators, in their order (Indicator.headline_order).
    assert [h.code for h in lines] == [
        "biz_review_cases_received",
        "grass_grid_workers",
        "grass_mass_prevention_force",
        "grass_disputes_mediated",
        "edu_people_educated",
        "edu_materials_distributed",
    ]
    by_code = {h.code: h for h in lines}
    assert by_code["biz_review_cases_received"].change_text == "同比增长10.3%"
    assert by_code["biz_review_cases_received"].value_display == "64"
    assert by_code["grass_grid_workers"].change_text == "同比下降3.2%"
    assert by_code["edu_people_educated"].change_text == "与上年持平"
    assert by_code["grass_disputes_mediated"].change_text == "上年无可比数据"
    assert by_code["edu_materials_distributed"].change_text == "本期未填报"
    assert by_code["edu_materials_distributed"].status_label == "未填"


def test_headlines_leave_out_an_indicator_retired_before_the_period(cur, prev):
    """Retired before 2026S1 starts, edu_materials_distributed is not entered in it: not 未填
    in its headlines; in 2025S1, which started before the retirement, it is still there."""
    Indicator.objects.filter(code="edu_materials_distributed").update(
        retired_on=datetime.date(2025, 12, 31)
    )
    Indicator.objects.filter(code="grass_grid_workers").update(
        retired_on=datetime.date(2026, 1, 1)  # the day the period starts: still entered
    )
    everyone = Department.objects.all()
    codes = [
        h.code for h in dashboard.queries.headlines(period=cur, previous=prev, departments=everyone)
    ]
    assert "edu_materials_distributed" not in codes
    assert "grass_grid_workers" in codes
    earlier = dashboard.queries.headlines(period=prev, previous=None, departments=everyone)
    assert "edu_materials_distributed" in [h.code for h in earlier]


def test_department_drilldown_rows(board_data, cur):
    figure = Figure.objects.get(indicator__code="ta_1", period=cur)
    figure.value = Decimal("11.50")
    figure.save()
    rows = dashboard.department_figures(department=board_data["ta"], period=cur)
    assert [r["code"] for r in rows] == ["ta_1", "ta_2", "ta_3", "ta_4"]
    first, last = rows[0], rows[3]
    assert (first["value_display"], first["status"], first["history_count"]) == ("11.5", A, 2)
    assert (last["has_figure"], last["status_label"], last["history_count"]) == (
        False,
        "未填",
        0,
    )
