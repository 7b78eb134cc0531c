"""The pure rules behind every face: how a number is written (metrics.numbers) and how a
change against the previous period is computed and worded (metrics.change)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.change import BIG_CHANGE_MIN_RATIO, Change, change_percent, change_text
from metrics.numbers import NotANumber, from_text, plain, shown


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("98.5000", "98.5"),
        ("100.0000", "100"),
        ("1E+2", "100"),
        ("-0", "0"),
        ("0E-4", "0"),
        ("0.0001", "0.0001"),
        ("-3.10", "-3.1"),
        ("123456789012345678901234567890.5", "123456789012345678901234567890.5"),
    ],
)
def test_plain(value, text):
    assert plain(Decimal(value)) == text


def test_shown_and_from_text():
    assert shown(None) == "" and shown(None, empty="—") == "—"
    assert from_text("1234.5000") == Decimal("1234.5000")
    for bad in (None, "", "abc", "NaN", "Infinity"):
        with pytest.raises(NotANumber):
            from_text(bad)


@pytest.mark.parametrize(
    ("current", "previous", "percent", "text"),
    [
        ("112.25", "100", "12.3", "同比增长12.3%"),
        ("87.75", "100", "-12.3", "同比下降12.3%"),
        ("100", "100", "0.0", "与上年持平"),
        ("99.96", "100", "-0.0", "与上年持平"),
        ("5", "0", None, "上年无可比数据"),
        ("5", "-10", None, "上年无可比数据"),
        ("1E+30", "1", "99999999999999999999999999999900.0", None),
    ],
)
def test_change(current, previous, percent, text):
    moved = Change(Decimal(current), Decimal(previous))
    assert moved.percent == (None if percent is None else Decimal(percent))
    if text is not None:
        assert moved.text == text == change_text(Decimal(current), Decimal(previous))


def test_no_previous_and_no_current():
    assert change_text(Decimal(5), None) == "上年无可比数据"
    assert change_text(None, Decimal(5)) == "本期未填报"
    assert change_percent(None, Decimal(5)) is None


@given(
    current=st.decimals(min_value=0, max_value=10**6, places=4),
    previous=st.decimals(min_value="0.0001", max_value=10**6, places=4),
)
def test_a_big_change_is_decided_on_the_rounded_percent(current, previous):
    """The database's threshold (BIG_CHANGE_MIN_RATIO, unrounded) and the rounded rule agree,
    and the words never contradict the sign."""
    moved = Change(current, previous)
    ratio = abs(current - previous) / previous
    assert moved.is_big == (ratio >= BIG_CHANGE_MIN_RATIO)
    if current > previous and moved.percent != 0:
        assert moved.text.startswith("同比增长")
    if current < previous and moved.percent != 0:
        assert moved.text.startswith("同比下降")


def test_the_renderers_copy_of_the_rate_type_is_the_models():
    from metrics.change import PERCENTAGE_VALUE_TYPE, POINTS, kind_of
    from metrics.models import ValueType

    assert PERCENTAGE_VALUE_TYPE == ValueType.PERCENTAGE
    assert kind_of(ValueType.PERCENTAGE) == POINTS
    assert {kind_of(t) for t in (ValueType.COUNT, ValueType.DECIMAL)} == {"percent"}


@given(
    st.decimals(min_value=0, max_value=100, places=4),
    st.decimals(min_value=0, max_value=100, places=4),
)
def test_a_rate_changes_by_the_difference_in_points(current, previous):
    """Whatever the two rates, the words state their difference, one decimal, half up, and
    never a relative percentage."""
    from decimal import ROUND_HALF_UP

    from metrics.change import POINTS

    moved = Change(current, previous, POINTS)
    points = (current - previous).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert "%" not in moved.text
    if points == 0:
        assert moved.text == "与上年持平" and moved.direction == "flat"
    elif points > 0:
        assert moved.text == f"同比提高{points}个百分点" and moved.direction == "up"
    else:
        assert moved.text == f"同比下降{-points}个百分点" and moved.direction == "down"
    assert moved.percent == change_percent(current, previous)  # big or not: the same rule
