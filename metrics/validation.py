"""Turning what a person typed into a figure value, with reasons in Chinese when it is not one.

`parse_value` is the one parser of a figure's value on every entry path (the entry form, the
one-row save, the Excel/CSV import and the API). Text is read by `metrics.numbers.read_number`,
the one reading of a written number (the documents' renderer and importer use it too), and a
“%” is taken only for a percentage. Numbers a spreadsheet hands over (int,
float, Decimal) are taken as they are and checked by `check_value`."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from .models.indicators import Indicator, ValueType
from .numbers import NotANumber, plain, read_number, shown_input

# Figure.value is DECIMAL(20, 4): sixteen digits before the point.
MAX_INTEGER_DIGITS = 16
MAX_ABS_VALUE = Decimal(10) ** MAX_INTEGER_DIGITS


def parse_value(indicator: Indicator, raw) -> Decimal | None:
    """Parse typed or imported input; an empty input means "not filled yet" (None)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValidationError("请填写数字。")
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        # Spreadsheets hand over floats; their shortest repr is what the person typed.
        value = Decimal(repr(raw))
    else:
        value = _parse_text(indicator, str(raw))
        if value is None:
            return None
    if not value.is_finite():
        raise ValidationError(f"“{shown_input(raw)}”不是有效的数字。")
    check_value(indicator, value)
    return value


def _parse_text(indicator: Indicator, raw: str) -> Decimal | None:
    try:
        number = read_number(raw)
    except NotANumber as refusal:
        raise ValidationError(str(refusal)) from None
    if number is None:
        return None
    if number.percent and indicator.value_type != ValueType.PERCENTAGE:
        raise ValidationError(f"{indicator.name}不是百分比，请去掉“%”。")
    return number.value


def check_value(indicator: Indicator, value: Decimal) -> None:
    # adjusted() is the exponent of the leading digit: no arithmetic, so no Overflow for a
    # value beyond the decimal context's range (9e9999999).
    if not value.is_finite() or (value and value.adjusted() >= MAX_INTEGER_DIGITS):
        raise ValidationError("数值过大，请核对。")
    if value.as_tuple().exponent < -4 and value != value.quantize(Decimal("0.0001")):
        raise ValidationError("最多保留四位小数。")
    if indicator.value_type == ValueType.COUNT:
        if value < 0:
            raise ValidationError(f"{indicator.name}是计数，不能为负数。")
        if value != value.to_integral_value():
            raise ValidationError(f"{indicator.name}是计数，应为整数。")
    if indicator.value_type == ValueType.PERCENTAGE and not 0 <= value <= 100:
        raise ValidationError(f"{indicator.name}是百分比，应在 0 到 100 之间。")
    if indicator.lower_bound is not None and value < indicator.lower_bound:
        raise ValidationError(f"{indicator.name}不应小于 {plain(indicator.lower_bound)}。")
    if indicator.upper_bound is not None and value > indicator.upper_bound:
        raise ValidationError(f"{indicator.name}不应大于 {plain(indicator.upper_bound)}。")
