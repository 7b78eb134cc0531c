"""Turning what a person typed into a figure value, with reasons in Chinese when it is not one."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from .models import Indicator, ValueType
from .numbers import plain

# Figure.value is DECIMAL(20, 4): sixteen digits before the point.
MAX_ABS_VALUE = Decimal("1e16")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋％，", "0123456789.-+%,")
# Separators are allowed only where they group thousands: "1,50" is a typo, not 150.
# One kind of separator throughout (the backreference): "1,500 000" is refused too.
_GROUPED = re.compile(r"[+-]?\d{1,3}([, ])\d{3}(?:\1\d{3})*(?:\.\d+)?%?")


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
        text = str(raw).strip().translate(_FULLWIDTH)
        if text == "":
            return None
        if ("," in text or " " in text) and not _GROUPED.fullmatch(text):
            raise ValidationError(
                f"“{raw}”的分隔符位置不对：千位分隔符应每三位一个（如 1,500），请核对。"
            )
        text = text.replace(",", "").replace(" ", "")
        if text.endswith("%") and indicator.value_type == ValueType.PERCENTAGE:
            text = text[:-1]
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"“{raw}”不是数字。") from None
    if not value.is_finite():
        raise ValidationError(f"“{raw}”不是有效的数字。")
    check_value(indicator, value)
    return value


def check_value(indicator: Indicator, value: Decimal) -> None:
    if abs(value) >= MAX_ABS_VALUE:
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
