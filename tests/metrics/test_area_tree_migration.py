"""Migrations 0017–0019 on an installation of one district: it becomes a tree of one district
without a figure changing, and its documents read the same figures as before."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("metrics", "0016_history_reason_text")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_district_becomes_a_tree_of_one_district_and_no_figure_changes():
    old = _migrate(BEFORE)
    Indicator = old.get_model("metrics", "Indicator")
    Period = old.get_model("metrics", "ReportingPeriod")
    Figure = old.get_model("metrics", "Figure")
    try:
        periods = [
            Period.objects.create(
                code=str(year),
                start=datetime.date(year, 1, 1),
                end=datetime.date(year, 12, 31),
                deadline=datetime.date(year + 1, 1, 15),
            )
            for year in (2025, 2026)
        ]
        entered = list(Indicator.objects.filter(formula="").order_by("code"))
        assert len(entered) > 10
        statuses = ["approved", "submitted", "draft", "returned"]
        for n, indicator in enumerate(entered):
            for period in periods:
                Figure.objects.create(
                    indicator=indicator,
                    period=period,
                    value_type=indicator.value_type,
                    value=None if n % 8 == 2 else Decimal(n * 13 + len(period.code)) / 4,
                    status=statuses[n % 4],
                )
        before = sorted(
            Figure.objects.values_list(
                "pk", "indicator__code", "period__code", "value", "status", "version"
            )
        )
        owner = dict(Indicator.objects.values_list("code", "department__code"))

        _latest()
        from metrics.areas import home_area
        from metrics.models import Area, Department, ReportingPeriod
        from metrics.models import Figure as NowFigure
        from metrics.models import Indicator as NowIndicator
        from reports.selectors import figure_snapshot

        after = sorted(
            NowFigure.objects.values_list(
                "pk", "indicator__code", "period__code", "value", "status", "version"
            )
        )
        assert after == before
        district = home_area()
        assert list(Area.objects.values_list("code", "level")) == [("000000", "district")]
        assert set(Department.objects.values_list("area_id", flat=True)) == {district.pk}
        # Every figure is its indicator's department's, as it always was.
        assert all(
            unit == owner[code]
            for code, unit in NowFigure.objects.values_list("indicator__code", "unit__code")
        )
        for indicator in NowIndicator.objects.select_related("department", "reporting_kind"):
            assert indicator.reporting_kind == indicator.department.kind
            assert indicator.rollup
        # What a document of either year reads is what the figures said before.
        for period in ReportingPeriod.objects.filter(code__in=["2025", "2026"]):
            snapshot = figure_snapshot(period=period, codes=[i.code for i in entered])
            expected = {
                code: (None if value is None else value, status)
                for _, code, period_code, value, status, _ in before
                if period_code == period.code
            }
            read = {
                code: (None if e["value"] is None else Decimal(e["value"]), e["status"])
                for code, e in snapshot["figures"].items()
            }
            assert read == expected
    finally:
        _latest()
