"""What a clerk may type for a value, and what it becomes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from metrics.models import Indicator
from metrics.validation import parse_value


@pytest.fixture
def count(db):
    return Indicator.objects.get(code="edu_legal_consultations")


@pytest.fixture
def rate(db):
    return Indicator.objects.get(code="grass_grid_coverage")


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1,500", Decimal(1500)),
        ("12,345,678", Decimal(12345678)),
        ("1 500", Decimal(1500)),
        ("１，５００", Decimal(1500)),  # full-width, as a Chinese input method types it
        (" 3580 ", Decimal(3580)),
        ("", None),
    ],
)
def test_thousands_separators_are_read(count, typed, value):
    assert parse_value(count, typed) == value


@pytest.mark.parametrize("typed", ["1,50", "15,00", "1,5000", "1 50", "1,500 000", ",150", "150,"])
def test_misplaced_separators_are_refused_not_guessed(count, typed):
    with pytest.raises(ValidationError) as refused:
        parse_value(count, typed)
    assert "分隔符位置不对" in refused.value.messages[0]


def test_percentages_take_a_percent_sign_and_decimals(rate):
    assert parse_value(rate, "98.5%") == Decimal("98.5")
    assert parse_value(rate, "１００％") == Decimal(100)
    with pytest.raises(ValidationError, match="0 到 100"):
        parse_value(rate, "100.5")
