from decimal import Decimal

import pytest

from reports.rendering.filters import (
    FILTERS,
    NO_PREVIOUS_PHRASE,
    FilterValueError,
    apply_filter,
    duo,
    plain,
    wan,
    yoy,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("98.50", "98.5"),
        ("100.00", "100"),
        ("1E+2", "100"),
        ("1.5E+3", "1500"),
        ("0", "0"),
        ("0.000", "0"),
        ("-0", "0"),
        ("0.05", "0.05"),
        ("1E-7", "0.0000001"),
        ("12345678", "12345678"),  # no thousands separators
        ("1,234", "1234"),  # a separator typed by staff is tolerated
        (" 42 ", "42"),
        ("-3.10", "-3.1"),
        ("123456789012345678901234567890123456.50", "123456789012345678901234567890123456.5"),
        (Decimal("7.0"), "7"),
    ],
)
def test_plain(value, shown):
    assert plain(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("23456", "2.3"),
        ("120000", "12"),
        ("123456", "12.3"),
        ("29999", "2.9"),  # cut, never rounded up to 3
        ("10000", "1"),
        ("5000", "0.5"),
        ("999", "0"),
        ("0", "0"),
        ("86500.99", "8.6"),
        ("1E+6", "100"),
        ("123456789012345678901234567890", "12345678901234567890123456.7"),
        ("-23456", "-2.3"),  # towards zero, like the positive case
    ],
)
def test_wan(value, shown):
    assert wan(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("3270", "3200"),
        ("856", "850"),
        ("45", "45"),
        ("5", "5"),
        ("0", "0"),
        ("99999", "99000"),
        ("1234.5", "1200"),
        ("12.34", "12"),
        ("1.234", "1.2"),
        ("0.0456", "0.045"),
        ("3.2E+3", "3200"),
        ("98765432109876543210987654321", "98000000000000000000000000000"),
        ("-3270", "-3200"),
    ],
)
def test_duo(value, shown):
    assert duo(value) == shown


@pytest.mark.parametrize(
    ("value", "previous", "phrase"),
    [
        ("112.5", "100", "同比增长12.5%"),
        ("96.9", "100", "同比下降3.1%"),
        ("100", "100", "与上年持平"),
        ("126", "120", "同比增长5.0%"),
        ("200", "100", "同比增长100.0%"),
        ("0", "100", "同比下降100.0%"),
        ("1", "3", "同比下降66.7%"),  # half-up rounding to one decimal
        ("100.04", "100", "与上年持平"),  # rounds to 0.0: neither 增长 nor 下降0.0%
        ("99.96", "100", "与上年持平"),
        ("99.94", "100", "同比下降0.1%"),
        ("-50", "100", "同比下降150.0%"),
        ("5", "0", NO_PREVIOUS_PHRASE),
        ("5", None, NO_PREVIOUS_PHRASE),
        ("5", "", NO_PREVIOUS_PHRASE),
        ("5", "abc", NO_PREVIOUS_PHRASE),
        ("5", "-10", NO_PREVIOUS_PHRASE),
        ("1E+30", "1", "同比增长99999999999999999999999999999900.0%"),
    ],
)
def test_yoy(value, previous, phrase):
    assert yoy(value, previous) == phrase


def test_yoy_never_says_growth_for_a_decline():
    for current in range(0, 100):
        assert "增长" not in yoy(str(current), "100")


@pytest.mark.parametrize("bad", [None, "", "abc", "NaN", "Infinity", "1..2", "*"])
@pytest.mark.parametrize("name", sorted(FILTERS))
def test_invalid_values_raise(name, bad):
    with pytest.raises(FilterValueError):
        apply_filter(name, bad, "100")


def test_no_exponent_or_float_artefacts_anywhere():
    for name in FILTERS:
        for value in ("0.1", "0.3", "1E+5", "123456789.987654321", "7E-3"):
            shown = apply_filter(name, value, "3")
            assert "E" not in shown and "e" not in shown
    assert plain("0.3") == "0.3"


def test_every_filter_is_documented():
    doc = (
        __import__("pathlib").Path(__file__).resolve().parents[3] / "docs" / "template-syntax.md"
    ).read_text(encoding="utf-8")
    for name, spec in FILTERS.items():
        assert f"`{name}`" in doc, name
        assert spec.description
