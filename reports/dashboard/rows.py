"""What the dashboard's tables and charts show, one frozen row per department, section,
headline figure or anomaly. Every figure is worded by metrics' one set of rules: progress and
timeliness (metrics.progress), the change against the previous period (metrics.change), the
number (metrics.numbers). Nothing here queries the database."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.urls import reverse

from metrics.change import PERCENT, Change
from metrics.computed import COMPUTED_MARK
from metrics.models import ReportingPeriod
from metrics.numbers import shown
from metrics.progress import STATE_LABELS, Progress, percent, state_of


@dataclass(frozen=True)
class DepartmentRow:
    pk: int
    code: str
    name: str
    short_name: str
    progress: Progress
    last_activity: datetime.datetime | None
    deadline: datetime.date
    today: datetime.date
    period_locked: bool = False
    extended: bool = False  # its own, later deadline (延期)

    def __getattr__(self, name):
        # expected, empty, filled, draft, returned, submitted, approved, unsent,
        # outstanding, in_progress, unapproved, complete: the department's Progress.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.progress, name)

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @cached_property
    def url(self) -> str:
        return reverse("dashboard:department", args=[self.code])

    @cached_property
    def days_overdue(self) -> int:
        if self.progress.complete or self.today <= self.deadline:
            return 0
        return (self.today - self.deadline).days

    @property
    def days_left(self) -> int:
        return max((self.deadline - self.today).days, 0)

    @cached_property
    def timeliness(self) -> str:
        if self.progress.complete:
            return "已报齐"
        if self.period_locked:
            return "已锁定"
        if self.days_overdue:
            return f"逾期{self.days_overdue}天"
        if self.days_left == 0:
            return "今日截止"
        return f"剩余{self.days_left}天"

    @cached_property
    def timeliness_class(self) -> str:
        if self.progress.complete:
            return "ok"
        if self.period_locked:
            return "locked"
        return "late" if self.days_overdue else "pending"


@dataclass(frozen=True)
class Totals:
    departments: int
    progress: Progress
    complete: int
    overdue: int

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.progress, name)


def totals(rows: list[DepartmentRow]) -> Totals:
    return Totals(
        departments=len(rows),
        progress=sum((r.progress for r in rows), Progress()),
        complete=sum(1 for r in rows if r.progress.complete),
        overdue=sum(1 for r in rows if r.days_overdue),
    )


@dataclass(frozen=True)
class SectionRow:
    code: str
    name: str
    total: int
    ready: int

    @property
    def percent(self) -> Decimal | None:
        return percent(self.ready, self.total)


@dataclass(frozen=True)
class Readiness:
    total: int
    approved: int
    blockers: list[DepartmentRow]

    @property
    def percent(self) -> Decimal:
        return percent(self.approved, self.total) or Decimal("0.0")

    @property
    def ready(self) -> bool:
        return self.total > 0 and self.approved == self.total


def readiness(*, sections: list[SectionRow], rows: list[DepartmentRow]) -> Readiness:
    """Share of the speech's placeholders that are approved, and the departments holding it up."""
    return Readiness(
        total=sum(s.total for s in sections),
        approved=sum(s.ready for s in sections),
        blockers=[r for r in rows if r.progress.unapproved],
    )


@dataclass(frozen=True)
class FigureChange:
    """A figure with its previous comparable value, as the dashboard shows it."""

    value: Decimal | None
    previous: Decimal | None
    kind: str = PERCENT  # metrics.change.kind_of the indicator's value type
    places: int | None = None  # a computed indicator's decimal places (95.0, not 95)

    @property
    def moved(self) -> Change:
        return Change(self.value, self.previous, self.kind)

    @property
    def change(self) -> Decimal | None:
        """The number the change's text states (percent, or 百分点 for a rate)."""
        return self.moved.amount

    @property
    def change_text(self) -> str:
        return self.moved.text

    @property
    def direction(self) -> str:
        return self.moved.direction

    @property
    def value_display(self) -> str:
        return shown(self.value, places=self.places)

    @property
    def previous_display(self) -> str:
        return shown(self.previous, places=self.places)


@dataclass(frozen=True)
class Headline(FigureChange):
    code: str = ""
    name: str = ""
    unit: str = ""
    status: str | None = None
    # A computed indicator (计算指标): never entered, so its state is the mark 计算, and `note`
    # says what it is computed from; `reason` why there is no value (缺少：…, 除数为 0).
    computed: bool = False
    note: str = ""
    reason: str = ""

    @property
    def status_label(self) -> str:
        if self.computed:
            return COMPUTED_MARK
        return STATE_LABELS[state_of(self.status, self.value)]


@dataclass(frozen=True)
class BigChange(FigureChange):
    code: str = ""
    name: str = ""
    department: str = ""
    status: str = ""
    explanation: str = ""


@dataclass(frozen=True)
class RepeatedReturn:
    code: str
    name: str
    department: str
    times: int


@dataclass(frozen=True)
class RuleFailure:
    name: str
    message: str
    severity: str
    severity_label: str
    explanation: str
    department_ids: tuple[int, ...] = field(default=(), compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class Dashboard:
    period: ReportingPeriod
    previous: ReportingPeriod | None
    all_departments: bool
    today: datetime.date
    rows: list[DepartmentRow]
    totals: Totals
    sections: list[SectionRow]
    readiness: Readiness
    headlines: list[Headline]
    # The computed indicators (计算指标), shown in the headline table after the headlines.
    computed: list[Headline]
    big_changes: list[BigChange]
    big_changes_total: int
    repeated_returns: list[RepeatedReturn]
    rule_failures: list[RuleFailure]
    # The area shown (metrics.models.Area; None: the installation's root as before the tree),
    # the areas above it the viewer may open, and its children side by side (areas.AreaBoard).
    area: object = None
    crumbs: list = field(default_factory=list)
    children: object = None

    @property
    def indicator_rows(self) -> list[Headline]:
        """The headline table: the headline figures, then the computed indicators."""
        return [*self.headlines, *self.computed]

    @property
    def anomaly_count(self) -> int:
        return self.big_changes_total + len(self.repeated_returns) + len(self.rule_failures)
