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

NOT_ENTERED = "本期未填报"
NO_PREVIOUS = "上年无可比数据"
FLAT = "与上年持平"


def change_percent(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change in percent, one decimal, half up; None when it cannot be computed."""
    if current is None or previous is None or previous <= 0:
        return None
    with localcontext(prec=PRECISION):
        return ((current - previous) * HUNDRED / previous).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass(frozen=True)
class Change:
    """A figure's change, with every way the portal writes it."""

    current: Decimal | None
    previous: Decimal | None

    @property
    def percent(self) -> Decimal | None:
        return change_percent(self.current, self.previous)

    @property
    def text(self) -> str:
        """同比增长12.3% / 同比下降3.1% / 与上年持平 / 上年无可比数据 / 本期未填报."""
        if self.current is None:
            return NOT_ENTERED
        percent = self.percent
        if percent is None:
            return NO_PREVIOUS
        if percent == 0:
            return FLAT
        if percent > 0:
            return f"同比增长{percent}%"
        return f"同比下降{-percent}%"

    @property
    def direction(self) -> str:
        """ "up", "down" or "flat" (no change, or none to speak of), for the page's colours."""
        percent = self.percent
        if percent is None or percent == 0:
            return "flat"
        return "up" if percent > 0 else "down"

    @property
    def is_big(self) -> bool:
        percent = self.percent
        return percent is not None and abs(percent) > BIG_CHANGE_PERCENT

    def __str__(self) -> str:
        return self.text


def change(current: Decimal | None, previous: Decimal | None) -> Change:
    return Change(current, previous)


def change_text(current: Decimal | None, previous: Decimal | None) -> str:
    return Change(current, previous).text


def big_change_warning(name: str, current: Decimal | None, previous: Decimal | None) -> str | None:
    """What the entry sheet and the submit say about a big change, else None."""
    moved = Change(current, previous)
    if not moved.is_big:
        return None
    return (
        f"{name}较上年同期（{plain(previous)}）{moved.text}，"
        f"超过±{plain(BIG_CHANGE_PERCENT)}%，请在上报说明中说明原因。"
    )
