import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from metrics import services
from metrics.models import Figure, FigureStatus, Indicator
from metrics.periods import PeriodCode
from tests import factories


def _figure(code, value, **kwargs):
    return Figure(
        indicator=Indicator.objects.get(code=code),
        period=factories.period("2026"),
        value=value,
        **kwargs,
    )


def test_one_figure_per_indicator_and_period(db):
    _figure("biz_approval_reforms", 5).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _figure("biz_approval_reforms", 6).save()


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("biz_approval_reforms", -1),
        ("grass_grid_coverage", Decimal("100.5")),
        ("grass_grid_coverage", -2),
    ],
)
def test_database_refuses_out_of_range_values(db, code, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        _figure(code, value).save()


def test_database_refuses_submitting_an_empty_figure(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        _figure("biz_approval_reforms", None, status=FigureStatus.SUBMITTED).save()


def test_values_come_back_as_decimals_not_floats(db):
    _figure("grass_grid_coverage", Decimal("98.50")).save()
    stored = Figure.objects.get(indicator__code="grass_grid_coverage").value
    assert isinstance(stored, Decimal)
    assert stored == Decimal("98.5")


def test_clean_names_the_problem_in_chinese(db):
    figure = _figure("biz_approval_reforms", Decimal("2.5"))
    with pytest.raises(ValidationError, match="应为整数"):
        figure.clean()


@pytest.mark.parametrize(
    ("code", "start", "end", "previous", "label"),
    [
        ("2026", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), "2025", "2026年度"),
        ("2026S1", datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), "2025S1", "2026年上半年"),
        (
            "2026Q3",
            datetime.date(2026, 7, 1),
            datetime.date(2026, 9, 30),
            "2025Q3",
            "2026年第三季度",
        ),
        (
            "2024Q1",
            datetime.date(2024, 1, 1),
            datetime.date(2024, 3, 31),
            "2023Q1",
            "2024年第一季度",
        ),
    ],
)
def test_period_codes(code, start, end, previous, label):
    parsed = PeriodCode.parse(code)
    assert (parsed.start, parsed.end, str(parsed.previous_comparable), parsed.label) == (
        start,
        end,
        previous,
        label,
    )


@pytest.mark.parametrize("code", ["2026Q5", "2026S3", "26", "2026H1", ""])
def test_bad_period_codes_are_refused(code):
    with pytest.raises(ValidationError):
        PeriodCode.parse(code)


def test_period_knows_its_previous_comparable_period(db):
    factories.period("2025")
    current = factories.period("2026")
    assert current.previous_code == "2025"
    from metrics.selectors import previous_period

    assert previous_period(period=current).code == "2025"


def test_every_change_is_kept_in_history(db, clerk, reviewer):
    """Through the services, as the portal writes: the clerk's entry, their own change, then
    the reviewer's correction; each row names who and why."""
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    period = factories.period("2026")
    figure = services.save_figure(indicator=indicator, period=period, value="3", user=clerk)
    figure = services.save_figure(
        indicator=indicator, period=period, value="4", user=clerk, expected_version=figure.version
    )
    services.correct_figure(
        figure=figure,
        user=reviewer,
        value="5",
        remark="",
        reason="与台账核对",
        expected_version=figure.version,
    )
    history = list(Figure.objects.get(pk=figure.pk).history.order_by("history_date"))
    assert [h.value for h in history] == [3, 4, 5]
    assert [h.history_user for h in history] == [clerk, clerk, reviewer]
    assert "与台账核对" in history[-1].history_change_reason
    assert all(h.history_change_reason for h in history)
