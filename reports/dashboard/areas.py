"""The dashboard of an area with child areas (a city's districts, a district's townships): what
its 下级区域 section shows side by side, one frozen row per child. Pure: the ranking of the
children on one indicator, the on-time classification of a reporting unit, and the rows built
from roll-ups (metrics.rollup) that the caller read (reports.dashboard.area_queries).

The values, the ranking and 同比 are on the approved figures (metrics.rollup_selectors.APPROVED,
what the city and the documents read; 同比 compares approved with approved, as on every face);
how far a child has filled in is on the figures as they stand (CURRENT), beside how many of
them are approved.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from metrics.numbers import shown
from metrics.progress import percent
from metrics.rollup import AREA, RolledUp, Total

from .rows import FigureChange

# How a reporting unit stands against its deadline (its extension, metrics.deadlines).
ON_TIME = "on_time"  # every due figure sent, the last one by the deadline
LATE = "late"  # every due figure sent, the last one after the deadline
OVERDUE = "overdue"  # the deadline has passed and figures are still not sent
PENDING = "pending"  # figures still to send, the deadline not yet passed
TIMELINESS_LABELS = {
    ON_TIME: "按时报齐",
    LATE: "逾期报齐",
    OVERDUE: "逾期未报齐",
    PENDING: "未到截止",
}
# What a child that has not reported an indicator reads as in the ranking and the table.
NOT_REPORTED = "未报"


def classify(
    *,
    expected: int,
    sent: int,
    last_sent: datetime.date | None,
    deadline: datetime.date,
    today: datetime.date,
) -> str | None:
    """A unit's timeliness in a period: None when nothing is due from it. A figure counts as
    sent once submitted or approved; `last_sent` is the day its last due figure was sent."""
    if expected <= 0:
        return None
    if sent >= expected:
        return LATE if last_sent is not None and last_sent > deadline else ON_TIME
    return OVERDUE if today > deadline else PENDING


@dataclass(frozen=True)
class Timeliness:
    """How many units below a child stand in each way (classify)."""

    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0

    @property
    def units(self) -> int:
        return self.on_time + self.late + self.overdue + self.pending

    @property
    def behind(self) -> int:
        """Units that missed their deadline (sent late, or not yet sent)."""
        return self.late + self.overdue

    @property
    def css(self) -> str:
        if self.overdue:
            return "late"
        if self.pending:
            return "pending"
        return "ok"

    @property
    def text(self) -> str:
        if not self.units:
            return "无应报单位"
        parts = [
            f"{TIMELINESS_LABELS[key]}{count}"
            for key, count in (
                (ON_TIME, self.on_time),
                (LATE, self.late),
                (OVERDUE, self.overdue),
                (PENDING, self.pending),
            )
            if count
        ]
        return "，".join(parts)


def tally(classes: Iterable[str | None]) -> Timeliness:
    counts = {ON_TIME: 0, LATE: 0, OVERDUE: 0, PENDING: 0}
    for item in classes:
        if item is not None:
            counts[item] += 1
    return Timeliness(counts[ON_TIME], counts[LATE], counts[OVERDUE], counts[PENDING])


@dataclass(frozen=True)
class Ranked:
    """One child in an indicator's ranking: `position` shared by equal values (1, 1, 3);
    None for a child without a value (未报), listed last."""

    position: int | None
    key: str
    name: str
    value: Decimal | None
    display: str


def rank(
    entries: Iterable[tuple[str, str, Decimal | None]],
    *,
    places: int | None = None,
    descending: bool = True,
) -> list[Ranked]:
    """The children (key, name, value) by value, highest first: equal values share a place
    and keep the given order; children without a value come last as 未报."""
    entries = list(entries)
    valued = [e for e in entries if e[2] is not None]
    valued.sort(key=lambda e: e[2], reverse=descending)  # stable: ties keep the tree's order
    ranked, previous, position = [], None, 0
    for index, (key, name, value) in enumerate(valued, start=1):
        if value != previous:
            position, previous = index, value
        ranked.append(Ranked(position, key, name, value, shown(value, places=places)))
    ranked.extend(
        Ranked(None, key, name, None, NOT_REPORTED) for key, name, value in entries if value is None
    )
    return ranked


@dataclass(frozen=True)
class Column:
    """A headline indicator shown side by side."""

    code: str
    name: str
    unit: str
    kind: str  # metrics.change.kind_of its value type
    places: int | None = None  # a computed indicator's decimal places


@dataclass(frozen=True)
class Cell(FigureChange):
    """A child's (or the area's) rolled-up value of one indicator with its 同比."""

    reported: int = 0
    expected: int = 0

    @property
    def complete(self) -> bool:
        return self.reported >= self.expected

    @property
    def shown_value(self) -> str:
        return NOT_REPORTED if self.value is None else self.value_display


@dataclass(frozen=True)
class ChildRow:
    """A child area, or the area itself (its totals), as the side-by-side table shows it."""

    code: str
    name: str
    filled: int  # due figures entered (as they stand)
    approved: int  # due figures approved
    expected: int
    timeliness: Timeliness
    cells: tuple[Cell, ...]

    @property
    def filled_percent(self) -> Decimal | None:
        return percent(self.filled, self.expected)

    @property
    def approved_percent(self) -> Decimal | None:
        return percent(self.approved, self.expected)

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.filled >= self.expected


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str


@dataclass(frozen=True)
class AreaBoard:
    """The 下级区域 section: the children side by side, the area's own totals, one ranking."""

    code: str
    name: str
    children_label: str  # 各区（县） / 各乡镇（街道）
    columns: tuple[Column, ...]
    children: tuple[ChildRow, ...]
    total: ChildRow
    ranking_column: Column | None
    ranking: tuple[Ranked, ...]
    rank_choices: tuple[Column, ...]
    # Whether the area's totals include units placed in the area itself (市司法局 in a city).
    own_units: bool = False


def _parts(result: Mapping[str, RolledUp], code: str) -> dict[str, Total]:
    rolled = result.get(code)
    return {} if rolled is None else {p.key: p.total for p in rolled.children if p.kind == AREA}


def _counts(totals: Iterable[Total]) -> tuple[int, int]:
    totals = list(totals)
    return sum(t.reported for t in totals), sum(t.expected for t in totals)


def child_rows(
    *,
    children: list[tuple[str, str]],
    entered: list[str],
    columns: list[Column],
    current: Mapping[str, RolledUp],
    approved: Mapping[str, RolledUp],
    previous: Mapping[str, RolledUp],
    timeliness: Mapping[str, Timeliness],
) -> list[ChildRow]:
    """One row per child area (code, name): completeness over the `entered` indicators,
    each column's approved value with its 同比 against the previous roll-up."""
    now = {code: _parts(current, code) for code in entered}
    ok = {code: _parts(approved, code) for code in {*entered, *(c.code for c in columns)}}
    before = {c.code: _parts(previous, c.code) for c in columns}
    rows = []
    for key, name in children:
        filled, expected = _counts(now[c].get(key, Total(None, 0, 0)) for c in entered)
        done, _ = _counts(ok[c].get(key, Total(None, 0, 0)) for c in entered)
        cells = tuple(
            _cell(column, ok[column.code].get(key), before[column.code].get(key))
            for column in columns
        )
        rows.append(
            ChildRow(key, name, filled, done, expected, timeliness.get(key, Timeliness()), cells)
        )
    return rows


def total_row(
    *,
    code: str,
    name: str,
    entered: list[str],
    columns: list[Column],
    current: Mapping[str, RolledUp],
    approved: Mapping[str, RolledUp],
    previous: Mapping[str, RolledUp],
    timeliness: Timeliness,
) -> ChildRow:
    """The area's own rolled-up totals, as a row under its children."""
    filled, expected = _counts(current[c].total for c in entered if c in current)
    done, _ = _counts(approved[c].total for c in entered if c in approved)
    cells = tuple(
        _cell(
            column,
            approved[column.code].total if column.code in approved else None,
            previous[column.code].total if column.code in previous else None,
        )
        for column in columns
    )
    return ChildRow(code, name, filled, done, expected, timeliness, cells)


def _cell(column: Column, now: Total | None, before: Total | None) -> Cell:
    now = now or Total(None, 0, 0)
    return Cell(
        value=now.value,
        previous=before.value if before is not None else None,
        kind=column.kind,
        places=column.places,
        reported=now.reported,
        expected=now.expected,
    )


def ranking(
    *, children: list[tuple[str, str]], column: Column, approved: Mapping[str, RolledUp]
) -> tuple[Ranked, ...]:
    """The children (code, name) ranked on `column`'s approved rolled-up value."""
    values = {key: total.value for key, total in _parts(approved, column.code).items()}
    return tuple(
        rank(((key, name, values.get(key)) for key, name in children), places=column.places)
    )


def child_of(parents: Mapping[str, str | None], root: str, code: str) -> str | None:
    """The child of `root` that `code` lies in (itself when it is one); None for the root
    itself or an area outside it."""
    while code is not None and code != root:
        parent = parents.get(code)
        if parent == root:
            return code
        code = parent
    return None
