"""A figure's change against the previous comparable period (同比: 2026 → 2025, 2026Q3 →
2025Q3), one rule for every face: the entry sheet and its warning, the review page, the
dashboard and its anomalies, the Excel exports, the API and the speech's ``yoy`` filter.

The rule:
- the change is (current − previous) / previous × 100, to one decimal, rounded half up as in
  statistical bulletins (112.25 against 100 is 12.3%), computed exactly in ``Decimal``;
- there is no percentage without a usable base: no previous value, or a previous value of zero
  or below (5 against −10 is no "decline of 150%"), reads 上年无可比数据;
- a change that rounds to 0.0% reads 与上年持平, so a tiny decline is never called 增长 nor
  printed as 下降0.0%;
- a change whose rounded size exceeds 50.0% is a big change: the clerk explains it (上报说明)
  and the dashboard lists it.

A rate (an indicator whose value type is a percentage, entered or computed) changes by
百分点, as Chinese official writing says it: the difference current − previous, one decimal,
half up (94.8 → 93.8 reads 同比下降1.0个百分点, never 同比下降1.1%); a previous rate of 0 is a
usable base; a difference that rounds to 0.0 reads 与上年持平. Counts and other numbers keep
the relative change. Which of the two is the change's ``kind`` (``percent`` or ``points``),
decided by ``kind_of`` from the value type, for every face alike. Whether a change is big
stays the relative rule above, the same for both kinds.

Pure functions; nothing here touches the database.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .numbers import PRECISION, plain

ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)
# A change beyond ±50% (after rounding) needs the clerk's written explanation.
BIG_CHANGE_PERCENT = Decimal(50)
# The same threshold as a ratio on unrounded values, for the database: a change rounds to
# more than 50.0% exactly when its size is at least 50.05%.
BIG_CHANGE_MIN_RATIO = (BIG_CHANGE_PERCENT + ONE_DECIMAL / 2) / HUNDRED

# The two kinds of change: relative (%), or the difference of two rates (百分点).
PERCENT = "percent"
POINTS = "points"
KINDS = (PERCENT, POINTS)
# metrics.models.ValueType.PERCENTAGE; written out here so that the renderer, which reads
# this module, needs no Django (tests/metrics/test_change_and_numbers.py keeps them equal).
PERCENTAGE_VALUE_TYPE = "percentage"

NOT_ENTERED = "本期未填报"
NO_PREVIOUS = "上年无可比数据"
FLAT = "与上年持平"


def change_percent(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change in percent, one decimal, half up; None when it cannot be computed."""
    if current is None or previous is None or previous <= 0:
        return None
    with localcontext(prec=PRECISION):
        return ((current - previous) * HUNDRED / previous).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def change_points(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The difference of two rates in 百分点, one decimal, half up; None without both."""
    if current is None or previous is None:
        return None
    with localcontext(prec=PRECISION):
        return (current - previous).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def kind_of(value_type: str | None) -> str:
    """How an indicator of this value type changes: ``points`` for a rate, else ``percent``."""
    return POINTS if value_type == PERCENTAGE_VALUE_TYPE else PERCENT


@dataclass(frozen=True)
class Change:
    """A figure's change, with every way the portal writes it."""

    current: Decimal | None
    previous: Decimal | None
    kind: str = PERCENT

    @property
    def percent(self) -> Decimal | None:
        """The relative change (both kinds: whether a change is big is decided on it)."""
        return change_percent(self.current, self.previous)

    @property
    def points(self) -> Decimal | None:
        """The difference in 百分点 for a rate; None for other numbers."""
        if self.kind != POINTS:
            return None
        return change_points(self.current, self.previous)

    @property
    def amount(self) -> Decimal | None:
        """The number the text states: 百分点 for a rate, percent otherwise."""
        return self.points if self.kind == POINTS else self.percent

    @property
    def text(self) -> str:
        """同比增长12.3% / 同比下降3.1% / 同比提高1.0个百分点 / 同比下降0.5个百分点 /
        与上年持平 / 上年无可比数据 / 本期未填报."""
        if self.current is None:
            return NOT_ENTERED
        amount = self.amount
        if amount is None:
            return NO_PREVIOUS
        if amount == 0:
            return FLAT
        if self.kind == POINTS:
            return f"同比提高{amount}个百分点" if amount > 0 else f"同比下降{-amount}个百分点"
        if amount > 0:
            return f"同比增长{amount}%"
        return f"同比下降{-amount}%"

    @property
    def direction(self) -> str:
        """ "up", "down" or "flat" (no change, or none to speak of), for the page's colours."""
        amount = self.amount
        if amount is None or amount == 0:
            return "flat"
        return "up" if amount > 0 else "down"

    @property
    def is_big(self) -> bool:
        percent = self.percent
        return percent is not None and abs(percent) > BIG_CHANGE_PERCENT

    def __str__(self) -> str:
        return self.text


def change(current: Decimal | None, previous: Decimal | None, kind: str = PERCENT) -> Change:
    return Change(current, previous, kind)


def change_text(current: Decimal | None, previous: Decimal | None, kind: str = PERCENT) -> str:
    return Change(current, previous, kind).text


def indicator_change(indicator, current: Decimal | None, previous: Decimal | None) -> Change:
    """The change of `indicator`'s figure (anything with a ``value_type``), of its kind."""
    return Change(current, previous, kind_of(getattr(indicator, "value_type", None)))


def big_change_warning(
    name: str, current: Decimal | None, previous: Decimal | None, kind: str = PERCENT
) -> str | None:
    """What the entry sheet and the submit say about a big change, else None."""
    moved = Change(current, previous, kind)
    if not moved.is_big:
        return None
    return (
        f"{name}较上年同期（{plain(previous)}）{moved.text}，"
        f"{'变动幅度' if kind == POINTS else ''}超过±{plain(BIG_CHANGE_PERCENT)}%，请在上报说明中说明原因。"
    )
