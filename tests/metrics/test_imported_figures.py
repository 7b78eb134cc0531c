from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrics import services
from metrics.models import Figure, FigureStatus, Indicator, ReportingPeriod
from metrics.numbers import plain


@pytest.fixture
def p2025(demo_data):
    return ReportingPeriod.objects.get(code="2025")


@pytest.fixture
def reviewer_user(demo_data):
    from metrics.models import User

    return User.objects.get(username="reviewer")


def _free_indicator(period):
    """An indicator without a figure in the period (the demo fills them all: free one)."""
    figure = Figure.objects.filter(period=period, indicator__formula="").first()
    indicator = figure.indicator
    Figure.history.filter(id=figure.pk).delete()
    figure.delete()
    return indicator


def test_adds_approved_figures_in_a_locked_period_naming_the_document(p2025, reviewer_user):
    indicator = _free_indicator(p2025)
    assert p2025.is_locked
    (figure,) = services.record_imported_figures(
        user=reviewer_user, period=p2025, values={indicator.code: Decimal(45)}, source="简报"
    )
    figure = Figure.objects.get(pk=figure.pk)
    assert (figure.value, figure.status) == (Decimal(45), FigureStatus.APPROVED)
    (row,) = figure.history.all()
    assert row.history_user == reviewer_user
    assert "《简报》" in row.history_change_reason


def test_equal_values_are_left_alone_and_different_ones_refuse_everything(p2025, reviewer_user):
    free = _free_indicator(p2025)
    stored = Figure.objects.filter(period=p2025, indicator__formula="").first()
    history = Figure.history.count()
    assert (
        services.record_imported_figures(
            user=reviewer_user,
            period=p2025,
            values={stored.indicator.code: stored.value},
            source="x",
        )
        == []
    )
    with pytest.raises(services.ImportConflict) as refused:
        services.record_imported_figures(
            user=reviewer_user,
            period=p2025,
            values={stored.indicator.code: stored.value + 1, free.code: Decimal(1)},
            source="x",
        )
    assert refused.value.conflicts == [
        (stored.indicator.name, plain(stored.value), plain(stored.value + 1))
    ]
    assert not Figure.objects.filter(indicator=free, period=p2025).exists()
    assert Figure.history.count() == history


def test_computed_unknown_floats_and_clerks_are_refused(p2025, reviewer_user):
    computed = Indicator.objects.exclude(formula="").first()
    if computed is not None:
        with pytest.raises(ValidationError, match="计算指标"):
            services.record_imported_figures(
                user=reviewer_user, period=p2025, values={computed.code: Decimal(1)}, source="x"
            )
    with pytest.raises(ValidationError, match="不在指标目录"):
        services.record_imported_figures(
            user=reviewer_user, period=p2025, values={"nope": Decimal(1)}, source="x"
        )
    with pytest.raises(TypeError):
        services.record_imported_figures(
            user=reviewer_user, period=p2025, values={"nope": 1.5}, source="x"
        )
    from metrics.models import User

    clerk = User.objects.filter(username__startswith="clerk_").first()
    with pytest.raises(PermissionDenied):
        services.record_imported_figures(user=clerk, period=p2025, values={}, source="x")
    with pytest.raises(TypeError):
        services.record_imported_figures(user=None, period=p2025, values={}, source="x")
