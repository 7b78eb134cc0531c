"""The write services run a fixed number of queries whatever the number of figures they touch
(no query per figure): submit, approve a department, import a sheet."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics import services
from metrics.models import Figure, FigureStatus
from tests import factories


def _department_with(n: int, *, status=FigureStatus.DRAFT):
    department = factories.DepartmentFactory()
    period = factories.period("2026")
    indicators = [factories.IndicatorFactory(department=department) for _ in range(n)]
    for indicator in indicators:
        factories.FigureFactory(indicator=indicator, period=period, value=7, status=status)
    clerk = factories.UserFactory(role="clerk", department=department)
    return department, period, indicators, clerk


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def _submit(n):
    department, period, _, clerk = _department_with(n)
    return _queries(
        lambda: services.submit_figures(department=department, period=period, user=clerk)
    )


def _approve(n):
    department, period, _, _ = _department_with(n, status=FigureStatus.SUBMITTED)
    reviewer = factories.UserFactory(role="reviewer")
    return _queries(
        lambda: services.approve_department(
            department=department, period=period, user=reviewer, comment="核对无误"
        )
    )


def _import(n):
    department, period, indicators, clerk = _department_with(n)
    extra = [factories.IndicatorFactory(department=department) for _ in range(n)]  # new figures
    rows = [
        services.FigureRow(line=i, code=indicator.code, value=str(100 + i))
        for i, indicator in enumerate(indicators + extra, start=1)
    ]
    return _queries(
        lambda: services.import_figures(
            period=period, rows=rows, user=clerk, department=department, source="测试导入"
        )
    )


@pytest.mark.parametrize("write", [_submit, _approve, _import], ids=["submit", "approve", "import"])
def test_queries_do_not_grow_with_the_figures(db, write):
    few, many = write(3), write(15)
    assert many == few, f"{few} queries for 3 figures, {many} for 15"
    assert many <= 25


def test_submit_of_fifteen_figures_stays_small(db, django_assert_max_num_queries):
    department, period, _, clerk = _department_with(15)
    with django_assert_max_num_queries(20):
        submitted = services.submit_figures(department=department, period=period, user=clerk)
    assert len(submitted) == 15
    # Every figure is written with its history row, naming the clerk and the reason.
    for figure in Figure.objects.filter(period=period, indicator__department=department):
        assert figure.status == FigureStatus.SUBMITTED and figure.version == 2
        last = figure.history.latest("history_id")
        assert (last.history_user, last.history_change_reason, last.status) == (
            clerk,
            "报送",
            FigureStatus.SUBMITTED,
        )


def test_bulk_writes_keep_every_history_row(db):
    department, period, indicators, clerk = _department_with(4)
    new = factories.IndicatorFactory(department=department)
    rows = [
        services.FigureRow(line=1, code=indicators[0].code, value="8"),
        services.FigureRow(line=2, code=new.code, value="9"),
    ]
    services.import_figures(
        period=period, rows=rows, user=clerk, department=department, source="上传填报表"
    )
    changed = Figure.objects.get(indicator=indicators[0], period=period)
    created = Figure.objects.get(indicator=new, period=period)
    assert (changed.value, changed.version, created.value, created.version) == (
        Decimal(8),
        2,
        Decimal(9),
        1,
    )
    for figure in (changed, created):
        last = figure.history.latest("history_id")
        assert (last.history_user, last.history_change_reason, last.value) == (
            clerk,
            "上传填报表",
            figure.value,
        )
