"""The area totals kept as rows (metrics.totals): once a period is built, the roll-up read from
them answers what the figures themselves answer, at every area and on both bases, and keeps
answering it after clerks save and submit, reviewers approve, return and correct through the
services; a change to who is due makes the rows stale until the worker rebuilds them."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lawgov.domain_errors import DomainError
from metrics import totals
from metrics.models import Area, AreaTotal, FigureStatus, PeriodTotals, RollUp
from metrics.rollup_selectors import APPROVED, CURRENT, rolled_up
from metrics.sent import sent_by_unit
from metrics.services import (
    approve_figure,
    correct_figure,
    retire_department,
    return_figure,
    save_figure,
    submit_figures,
)
from metrics.tasks import build_rollup_totals
from reports.dashboard.area_queries import area_board
from tests import factories
from tests.metrics.unit_city import clerk_of, town
from tests.reports.city import figure as make_figure


def _live(area, period, basis):
    """The roll-up read from the figures: what it is before any period is built."""
    PeriodTotals.objects.filter(period=period).delete()
    try:
        return rolled_up(area=area, period=period, basis=basis)
    finally:
        totals.build_period(period_id=period.pk)


def _assert_rows_agree(tree):
    period = tree["period"]
    assert totals.is_built(period)
    city = tree["city"]
    kept = {u: v for u, v in totals.unit_sent(area=city, period=period).items() if v != (0, None)}
    live = sent_by_unit(period=period, units=Q(unit__area__path__startswith=city.path))
    assert kept == {code: (count, last) for _, code, count, last in live}
    for area in Area.objects.filter(path__startswith=tree["city"].path):
        for basis in (APPROVED, CURRENT):
            from_rows = rolled_up(area=area, period=period, basis=basis)
            assert from_rows == _live(area, period, basis), (area.code, basis)


def _with_minimum_and_rate(tree):
    owner = town(tree, 1, 1)
    factories.IndicatorFactory(
        code="low", department=owner, reporting_kind=owner.kind, rollup=RollUp.MIN
    )
    first_sfj = tree["sfj"][tree["districts"][0].code]
    # Reported at one level only (a district's own rate): read from the units placed in
    # each district, never summed from below.
    own = factories.IndicatorFactory(
        code="own_rate", department=first_sfj, reporting_kind=first_sfj.kind, rollup=RollUp.NONE
    )
    make_figure(own, first_sfj, "97.5")
    make_figure(own, tree["sfj"][tree["districts"][1].code], "88")
    make_figure(tree["reviews"], first_sfj, 5)
    for d, t, value in ((1, 1, 40), (1, 2, 60), (2, 1, 100)):
        make_figure(tree["cases"], town(tree, d, t), value)
        make_figure(tree["settled"], town(tree, d, t), value - 4, status=FigureStatus.SUBMITTED)


def test_the_rows_answer_what_the_figures_answer_at_every_area(tree):
    _with_minimum_and_rate(tree)
    rows = totals.build_period(period_id=tree["period"].pk)
    assert rows > 0
    _assert_rows_agree(tree)
    own = rolled_up(area=tree["city"], period=tree["period"], codes=["own_rate"])["own_rate"]
    assert [p.total.value for p in own.children[:2]] == [Decimal("97.5"), Decimal(88)]


def test_an_approval_at_a_township_shows_at_the_city_at_once(tree):
    totals.build_period(period_id=tree["period"].pk)
    unit = town(tree, 1, 1)
    clerk = clerk_of(tree, unit)
    for indicator, value in ((tree["cases"], "40"), (tree["settled"], "36")):
        save_figure(indicator=indicator, period=tree["period"], value=value, user=clerk)
    code = tree["cases"].code
    now = rolled_up(area=tree["city"], period=tree["period"], basis=CURRENT)[code].total
    assert now.value == Decimal(40)
    cases, _settled = submit_figures(department=unit, period=tree["period"], user=clerk)
    before = rolled_up(area=tree["city"], period=tree["period"])[code].total
    assert (before.value, before.reported) == (None, 0)  # sent, not yet approved
    approve_figure(figure=cases, user=tree["reviewers"][0])
    after = rolled_up(area=tree["city"], period=tree["period"])[code].total
    assert (after.value, after.reported) == (Decimal(40), 1)
    assert totals.is_built(tree["period"])  # read from the rows, not rebuilt
    _assert_rows_agree(tree)


def test_a_return_and_a_correction_move_the_totals_too(tree):
    _with_minimum_and_rate(tree)
    totals.build_period(period_id=tree["period"].pk)
    reviewer, code = tree["reviewers"][0], tree["cases"].code
    cases = tree["cases"].figures.get(unit=town(tree, 1, 2))
    corrected = correct_figure(
        figure=cases, user=reviewer, value="65", remark="", reason="核对原始台账",
        expected_version=cases.version,
    )  # fmt: skip
    assert rolled_up(area=tree["city"], period=tree["period"])[code].total.value == 205
    return_figure(figure=corrected, user=reviewer, reason="请补充说明")
    total = rolled_up(area=tree["city"], period=tree["period"])[code].total
    assert (total.value, total.reported) == (140, 2)
    _assert_rows_agree(tree)


def test_a_retired_unit_makes_every_period_stale_until_rebuilt(tree):
    _with_minimum_and_rate(tree)
    period = tree["period"]
    totals.build_period(period_id=period.pk)
    office = factories.UserFactory(role="reviewer")
    unit = town(tree, 3, 2)
    retire_department(department=unit, user=office, reason="乡镇撤并")
    assert not totals.is_built(period)
    assert totals.periods_to_build() == [period.pk]
    live = rolled_up(area=tree["city"], period=period)  # read from the figures meanwhile
    totals.build_period(period_id=period.pk)
    assert rolled_up(area=tree["city"], period=period) == live
    assert not AreaTotal.objects.exclude(generation=totals.current_generation()).exists()


def test_a_closed_township_counts_only_in_the_periods_it_existed(tree):
    _with_minimum_and_rate(tree)
    closed = town(tree, 2, 1).area
    closed.valid_to = datetime.date(2025, 12, 31)
    closed.save()
    retired = town(tree, 1, 2)
    retired.retired_at = timezone.make_aware(datetime.datetime(2025, 6, 1))
    retired.save()
    totals.build_period(period_id=tree["period"].pk)
    _assert_rows_agree(tree)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["save", "submit", "approve", "return"]),
            st.integers(1, 3),
            st.integers(1, 2),
            st.integers(0, 500),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_sequence_of_writes_keeps_the_rows_equal_to_the_figures(tree, steps):
    period = tree["period"]
    totals.build_period(period_id=period.pk)
    for action, district, number, value in steps:
        unit = town(tree, district, number)
        clerk = clerk_of(tree, unit)
        reviewer = tree["reviewers"][district - 1]
        figures = {f.indicator.code: f for f in unit.figures.filter(period=period)}
        try:
            if action == "save":
                for indicator in (tree["cases"], tree["settled"]):
                    save_figure(indicator=indicator, period=period, value=value, user=clerk)
            elif action == "submit":
                submit_figures(department=unit, period=period, user=clerk, force=True)
            elif action == "approve" and figures:
                for f in figures.values():
                    approve_figure(figure=f, user=reviewer)
            elif action == "return" and figures:
                for f in figures.values():
                    return_figure(figure=f, user=reviewer, reason="请核实")
        except (ValidationError, PermissionDenied, DomainError):
            pass  # a refusal (a wrong state, a missing figure) changes nothing
    _assert_rows_agree(tree)  # the examples share the city: each starts where the last ended


def test_the_citys_dashboard_reads_the_same_from_the_rows(tree):
    make_figure(tree["cases"], town(tree, 1, 1), 40)
    unit = town(tree, 2, 2)
    clerk = clerk_of(tree, unit)
    for indicator, value in ((tree["cases"], "30"), (tree["settled"], "28")):
        save_figure(indicator=indicator, period=tree["period"], value=value, user=clerk)
    submit_figures(department=unit, period=tree["period"], user=clerk)
    today = datetime.date(2026, 12, 5)
    args = {"area": tree["city"], "period": tree["period"], "previous": None, "today": today}
    from_figures = area_board(**args)
    totals.build_period(period_id=tree["period"].pk)
    from_rows = area_board(**args)
    assert from_rows == from_figures
    assert any(row.timeliness.on_time or row.timeliness.late for row in from_rows.children)


def test_the_command_builds_what_is_missing_and_refuses_an_unknown_period(tree):
    make_figure(tree["cases"], town(tree, 1, 1), 40)
    out = StringIO()
    call_command("build_rollup_totals", stdout=out)
    assert "2026：" in out.getvalue() and totals.is_built(tree["period"])
    assert totals.periods_to_build() == []
    with pytest.raises(CommandError, match="没有这些报告期：1999"):
        call_command("build_rollup_totals", "1999")


def test_a_change_to_who_is_due_queues_the_rebuild_on_commit(
    tree, django_capture_on_commit_callbacks, monkeypatch
):
    _with_minimum_and_rate(tree)
    period = tree["period"]
    totals.build_period(period_id=period.pk)
    office = factories.UserFactory(role="reviewer")
    # As without a broker (the demo): the queued task runs in-process, so its effect shows
    # here; with one (CI), it would run on the worker, against another database.
    monkeypatch.setitem(build_rollup_totals.app.conf, "task_always_eager", True)
    with django_capture_on_commit_callbacks(execute=True):
        retire_department(department=town(tree, 3, 2), user=office, reason="乡镇撤并")
    assert totals.is_built(period)
    _assert_rows_agree(tree)
