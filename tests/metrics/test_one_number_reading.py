"""A number a person wrote is read one way everywhere: the entry form and API
(`parse_value`), a document's renderer (`to_decimal`) and the document importer
(`parse_number`) all go through `metrics.numbers.read_number`."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from metrics.models import Indicator, ValueType
from metrics.numbers import NotANumber, read_number
from metrics.validation import parse_value
from reports.importing.finder import parse_number
from reports.rendering.filters import FilterValueError, to_decimal

RATE = Indicator(code="rate", name="结案率", value_type=ValueType.PERCENTAGE)
AMOUNT = Indicator(code="amount", name="金额", value_type=ValueType.DECIMAL)

written = st.text(alphabet="0123456789,.，-+%１２ ", min_size=1, max_size=14)


def _read(text):
    try:
        number = read_number(text)
    except NotANumber:
        return "refused"
    return None if number is None else number.value


def _entered(text):
    try:
        value = parse_value(AMOUNT, text)
    except ValidationError:
        return "refused"
    return value


@given(written)
def test_entry_and_reading_agree_on_every_text(text):
    read = _read(text)
    if read == "refused" or read is None:
        assert _entered(text) in ("refused", None)
    elif "%" in text:
        assert _entered(text) == "refused"  # an amount is not a percentage
    else:
        limits_refuse = abs(read) >= Decimal(10) ** 16 or read != read.quantize(Decimal("0.0001"))
        assert _entered(text) == ("refused" if limits_refuse else read)


@given(written.filter(lambda t: "," in t or "，" in t))
def test_a_document_reads_a_separated_number_as_the_entry_form_does(text):
    read = _read(text)
    try:
        rendered = to_decimal(text)
    except FilterValueError:
        rendered = "refused"
    assert rendered == ("refused" if read is None else read)
    imported = parse_number(text)
    assert imported == (None if read == "refused" or "%" in text else read)


@pytest.mark.parametrize("text", ["1,2,3", "1,50", "12,34,567", "1,500 000"])
def test_misplaced_separators_are_refused_in_a_document_too(text):
    with pytest.raises(FilterValueError, match="分隔符"):
        to_decimal(text)
    with pytest.raises(ValidationError, match="分隔符"):
        parse_value(RATE, text)
    assert parse_number(text) is None


def test_a_grouped_number_reads_the_same_everywhere():
    assert to_decimal("1,500") == parse_value(AMOUNT, "1,500") == parse_number("1,500") == 1500


def test_a_value_and_its_unit_are_written_one_way():
    from metrics.admin_history import number
    from metrics.numbers import with_unit
    from metrics.templatetags.figures import with_unit as with_unit_filter

    assert with_unit(Decimal("98.5000"), "%") == "98.5%"
    assert with_unit(Decimal("118"), "件") == "118件"
    assert with_unit(None, "件") == "未填"
    assert number(Decimal("118.00"), "件") == with_unit_filter(Decimal("118"), "件") == "118件"
