"""Display filters: how a figure's decimal string is printed in the speech.

Values arrive as decimal strings (the snapshot is JSON) and are handled as
``Decimal`` throughout: a float would print 0.1 + 0.2 style artefacts into an
official document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, localcontext

from metrics.change import KINDS, NO_PREVIOUS, PERCENT, change_text
from metrics.numbers import PRECISION, NotANumber, from_text, read_number
from metrics.numbers import plain as format_decimal

# The phrase for a change without a usable base: metrics.change's, like every other face.
NO_PREVIOUS_PHRASE = NO_PREVIOUS
_PRECISION = PRECISION


class FilterValueError(NotANumber):
    """The figure's value is not a finite decimal number."""


def to_decimal(value: str | int | Decimal | None) -> Decimal:
    """The snapshot's decimal string as a Decimal (machine-written: `from_text`). A string
    that is not one was typed by staff (a site value with thousands separators) and is read
    as every person's number is, by `read_number`: “1,500” is 1500, “1,2,3” is refused."""
    try:
        return from_text(value)
    except NotANumber as machine_refusal:
        if not isinstance(value, str):
            raise FilterValueError(str(machine_refusal)) from None
    try:
        number = read_number(value)
    except NotANumber as exc:
        raise FilterValueError(str(exc)) from None
    if number is None:
        raise FilterValueError("缺少数值")
    return number.value


def _truncate(number: Decimal, exponent: int) -> Decimal:
    """Cut (never round) ``number`` to a multiple of 10**exponent, towards zero."""
    with localcontext(prec=_PRECISION):
        return number.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_DOWN)


def plain(value: str | None, previous: str | None = None, places: int | None = None) -> str:
    """As written, no trailing zeros; with `places` (a computed indicator's decimal places,
    the snapshot's ``places``) exactly that many decimals: 95.0, not 95."""
    return format_decimal(to_decimal(value), places if isinstance(places, int) else None)


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


def yoy(value: str | None, previous: str | None = None, kind: str = PERCENT) -> str:
    """Year-on-year phrase against the snapshot's previous value: metrics.change's one rule
    (one decimal, half up; 与上年持平 when it rounds to zero; 上年无可比数据 without a usable
    base: previous missing, not a number, zero or negative), in 百分点 for a rate (`kind`
    ``points``, the snapshot's ``change``)."""
    current = to_decimal(value)
    try:
        base = None if previous is None or str(previous).strip() == "" else to_decimal(previous)
    except FilterValueError:
        base = None
    return change_text(current, base, kind if kind in KINDS else PERCENT)


@dataclass(frozen=True)
class Filter:
    name: str
    function: Callable[[str | None, str | None], str]
    description: str
    # The filter reads the kind of change (metrics.change: percent, or points for a rate).
    takes_kind: bool = False
    # The filter reads the decimal places a computed value is printed with.
    takes_places: bool = False


FILTERS: dict[str, Filter] = {
    f.name: f
    for f in (
        Filter(
            "plain",
            plain,
            "原样显示，去掉末尾的0：98.50 → 98.5，100.00 → 100；计算指标按其小数位数：95.0",
            takes_places=True,
        ),
        Filter("wan", wan, "以“万”为单位，截取一位小数：23456 → 2.3，120000 → 12"),
        Filter("duo", duo, "保留前两位有效数字（截取）：3270 → 3200，856 → 850"),
        Filter(
            "yoy",
            yoy,
            "与上年比较：同比增长12.5% / 同比下降3.1% / 与上年持平；"
            "百分比指标按百分点：同比提高1.0个百分点 / 同比下降0.5个百分点",
            takes_kind=True,
        ),
    )
}

DEFAULT_FILTER = "plain"

# Each form in the words the office uses (the template editor's 插入数据, the import table).
FORM_WORDS = {"plain": "原数", "wan": "万余", "duo": "多", "yoy": "同比"}


def apply_filter(
    name: str,
    value: str | None,
    previous: str | None = None,
    kind: str = PERCENT,
    places: int | None = None,
) -> str:
    found = FILTERS[name]
    if found.takes_kind:
        return found.function(value, previous, kind)
    if found.takes_places:
        return found.function(value, previous, places)
    return found.function(value, previous)
