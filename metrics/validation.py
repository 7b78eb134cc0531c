"""Turning what a person typed into a figure value, with reasons in Chinese when it is not one.

`parse_value` is the one parser of a figure's value on every entry path (the entry form, the
one-row save, the Excel/CSV import and the API). Text is checked against a strict pattern
before any arithmetic: ASCII or full-width digits, an optional sign, thousands separators
where they group thousands, a decimal point and, for percentages, a trailing %. Exponents,
NaN/Infinity, underscores and the digits of other scripts (all of which Python's `Decimal()`
would take) are refused, each with its own reason. Numbers a spreadsheet hands over (int,
float, Decimal) are taken as they are and checked by `check_value`."""

import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError

from .models import Indicator, ValueType
from .numbers import plain

# Figure.value is DECIMAL(20, 4): sixteen digits before the point.
MAX_INTEGER_DIGITS = 16
MAX_ABS_VALUE = Decimal(10) ** MAX_INTEGER_DIGITS
# More significant digits than the column holds is a paste gone wrong, not a figure.
MAX_SIGNIFICANT_DIGITS = 20
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋％，", "0123456789.-+%,")
# Separators are allowed only where they group thousands: "1,50" is a typo, not 150.
# One kind of separator throughout (the backreference): "1,500 000" is refused too.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}([, ])[0-9]{3}(?:\1[0-9]{3})*(?:\.[0-9]+)?%?")
# The whole accepted shape once separators are gone. In these patterns every run of one
# character class is followed by a character outside it, so matching is linear in the input.
_NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?P<pct>%?)")
_EXPONENT = re.compile(r"[+-]?[0-9.]+[eE][+-]?[0-9]+%?")
_NOT_FINITE = {"nan", "snan", "inf", "infinity"}
# Controls other than tab and line ends (which a spreadsheet cell may carry and strip()
# drops). Some are whitespace to str.strip() (\x1c-\x1f, \x85): "\x85" alone would read as
# "not filled yet", and so clear a figure.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SHOWN_MAX = 30


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
        raise ValidationError(f"“{_shown(raw)}”不是有效的数字。")
    check_value(indicator, value)
    return value


def _parse_text(indicator: Indicator, raw: str) -> Decimal | None:
    shown = _shown(raw)
    if _CONTROL.search(raw):
        raise ValidationError(f"“{shown}”含有不可见的控制字符，请删除后重新填写。")
    text = raw.strip().translate(_FULLWIDTH)
    if text == "":
        return None
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
        raise ValidationError(f"“{shown}”含有其他文字的数字，请用数字 0–9 填写。")
    if "_" in text:
        raise ValidationError(f"“{shown}”含有下划线；千位分隔符请用逗号（如 1,500）。")
    if text.lstrip("+-").lower() in _NOT_FINITE:
        raise ValidationError(f"“{shown}”不是有效的数字。")
    if _EXPONENT.fullmatch(text.replace(",", "").replace(" ", "")):
        raise ValidationError(f"“{shown}”是科学计数法，请直接写出完整的数字（如 150000）。")
    if ("," in text or " " in text) and not _GROUPED.fullmatch(text):
        raise ValidationError(
            f"“{shown}”的分隔符位置不对：千位分隔符应每三位一个（如 1,500），请核对。"
        )
    match = _NUMBER.fullmatch(text.replace(",", "").replace(" ", ""))
    if match is None or not (match["int"] or match["frac"]):
        raise ValidationError(f"“{shown}”不是数字。")
    if match["pct"] and indicator.value_type != ValueType.PERCENTAGE:
        raise ValidationError(f"{indicator.name}不是百分比，请去掉“%”。")
    digits = (match["int"] + (match["frac"] or "")).lstrip("0")
    if len(digits) > MAX_SIGNIFICANT_DIGITS:
        raise ValidationError(
            f"“{shown}”的位数过多（最多 {MAX_SIGNIFICANT_DIGITS} 位数字），请核对。"
        )
    # Only ASCII digits, a sign and a point are left: Decimal() reads exactly that.
    fraction = f".{match['frac']}" if match["frac"] else ""
    return Decimal(f"{match['sign']}{match['int'] or '0'}{fraction}")


def _shown(raw) -> str:
    """What was typed, for a message: invisible characters dropped, long input cut short."""
    text = "".join(ch for ch in str(raw) if unicodedata.category(ch)[0] != "C")
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…"


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
