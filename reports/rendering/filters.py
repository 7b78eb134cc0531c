"""Display filters: how a figure's decimal string is printed in the speech.

Values arrive as decimal strings (the snapshot is JSON) and are handled as
``Decimal`` throughout: a float would print 0.1 + 0.2 style artefacts into an
official document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

# Generous precision: the default 28 digits would silently round a huge value
# (or its normalisation) instead of printing what the department entered.
_PRECISION = 200

NO_PREVIOUS_PHRASE = "上年无可比数据"


class FilterValueError(ValueError):
    """The figure's value is not a finite decimal number."""


def to_decimal(value: str | int | Decimal | None) -> Decimal:
    if value is None:
        raise FilterValueError("缺少数值")
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise FilterValueError(f"“{value}”不是有效的数值") from exc
    if not number.is_finite():
        raise FilterValueError(f"“{value}”不是有效的数值")
    return number


def format_decimal(number: Decimal) -> str:
    """Plain positional notation, no trailing zeros, no exponent, no separators."""
    with localcontext(prec=_PRECISION):
        normal = number.normalize()
    if normal == 0:
        # Decimal keeps the sign of zero ("-0"), which makes no sense in a speech.
        return "0"
    return format(normal, "f")


def _truncate(number: Decimal, exponent: int) -> Decimal:
    """Cut (never round) ``number`` to a multiple of 10**exponent, towards zero."""
    with localcontext(prec=_PRECISION):
        return number.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_DOWN)


def plain(value: str | None, previous: str | None = None) -> str:
    return format_decimal(to_decimal(value))


def wan(value: str | None, previous: str | None = None) -> str:
    """Units of 万 (10,000), cut to one decimal: the speech says “2.3万余人” for 23,456.

    Truncation, not rounding, because the text reads “…万余”: rounding 29,999
    up to 3万余 would overstate the figure.
    """
    number = to_decimal(value)
    with localcontext(prec=_PRECISION):
        return format_decimal(_truncate(number.scaleb(-4), -1))


def duo(value: str | None, previous: str | None = None) -> str:
    """Keep the two leading significant digits: “3200多人次” for 3,270.

    Cut, not rounded, for the same reason as ``wan``: “多” means “more than”.
    """
    number = to_decimal(value)
    if number == 0:
        return "0"
    with localcontext(prec=_PRECISION):
        # adjusted() is the exponent of the leading digit, so keeping two
        # significant digits means cutting at one power of ten below it.
        return format_decimal(_truncate(number, number.adjusted() - 1))


def yoy(value: str | None, previous: str | None = None) -> str:
    """Year-on-year phrase against the snapshot's previous value.

    One decimal, rounded half-up as in statistical bulletins.  A change that
    rounds to 0.0% reads 与上年持平, so a tiny decline is never called 增长
    nor printed as “下降0.0%”.  Without a usable base (previous missing, zero
    or negative) the phrase is 上年无可比数据.
    """
    current = to_decimal(value)
    if previous is None or str(previous).strip() == "":
        return NO_PREVIOUS_PHRASE
    try:
        base = to_decimal(previous)
    except FilterValueError:
        return NO_PREVIOUS_PHRASE
    if base <= 0:
        return NO_PREVIOUS_PHRASE
    with localcontext(prec=_PRECISION):
        change = ((current - base) / base * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if change == 0:
        return "与上年持平"
    if change > 0:
        return f"同比增长{change}%"
    return f"同比下降{-change}%"


@dataclass(frozen=True)
class Filter:
    name: str
    function: Callable[[str | None, str | None], str]
    description: str


FILTERS: dict[str, Filter] = {
    f.name: f
    for f in (
        Filter("plain", plain, "原样显示，去掉末尾的0：98.50 → 98.5，100.00 → 100"),
        Filter("wan", wan, "以“万”为单位，截取一位小数：23456 → 2.3，120000 → 12"),
        Filter("duo", duo, "保留前两位有效数字（截取）：3270 → 3200，856 → 850"),
        Filter("yoy", yoy, "与上年比较：同比增长12.5% / 同比下降3.1% / 与上年持平"),
    )
}

DEFAULT_FILTER = "plain"


def apply_filter(name: str, value: str | None, previous: str | None = None) -> str:
    return FILTERS[name].function(value, previous)
