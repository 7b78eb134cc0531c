"""Read queries on departments, periods and figures."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from . import access
from .computed import CURRENT, computed_values
from .deadlines import choose_current, department_deadline, latest_deadline
from .models import (
    AreaApproval,
    Department,
    Figure,
    FigureStatus,
    Indicator,
    Notice,
    PeriodState,
    Reminder,
    ReportingPeriod,
    User,
    ValidationRule,
    entered_condition,
)
from .numbers import plain
from .progress import Progress, State


def period_values(
    *, period: ReportingPeriod, unit: Department | None = None
) -> dict[str, Decimal | None]:
    """The period's figures by indicator code: those of `unit` when given (a township's own
    figures, not its neighbours'), else of each indicator's own department."""
    figures = Figure.objects.filter(period=period)
    if unit is not None:
        figures = figures.filter(unit=unit)
    else:
        figures = figures.filter(unit=F("indicator__department"))
    return dict(figures.values_list("indicator__code", "value"))


def rule_previous(
    *, period: ReportingPeriod, department: Department | None = None
) -> dict[str, Decimal | None]:
    """What a rule against last year compares with: the previous comparable period's approved
    values, the computed indicators' too (computed from approved inputs)."""
    computed = computed_values(period=period, basis=CURRENT)
    return previous_values(period=period, department=department) | {
        code: c.previous for code, c in computed.items()
    }


def rule_values(
    *, period: ReportingPeriod, unit: Department | None = None
) -> dict[str, Decimal | None]:
    """What the rules compare during entry: the period's figures as they stand (of `unit`,
    when given, over the indicators' own departments' figures), with every computed
    indicator's value from those same (current) inputs (metrics.computed)."""
    computed = computed_values(period=period, basis=CURRENT)
    values = period_values(period=period) | {code: c.value for code, c in computed.items()}
    if unit is not None:
        values |= period_values(period=period, unit=unit)
    return values


def area_approval_over(*, unit: Department, period: ReportingPeriod) -> AreaApproval | None:
    """The approval of an area at or above `unit`'s area for `period` (the city's approval of
    the unit's district), if there is one: it locks the unit's figures of the period."""
    under = Department.objects.filter(pk=unit.pk, area__path__startswith=OuterRef("area__path"))
    return (
        AreaApproval.objects.filter(Exists(under), period=period)
        .select_related("area")
        .order_by("area__path")
        .first()
    )


def entered_indicators(*, period: ReportingPeriod, department: Department | None = None):
    """The indicators clerks enter in `period` (Indicator.objects.entered_in), in sheet order."""
    indicators = Indicator.objects.entered_in(period)
    if department is not None:
        indicators = indicators.filter(access.reported_by(department))
    return indicators


def active_rules():
    return ValidationRule.objects.filter(active=True).select_related("left", "right")


def rules_touching(*, department: Department):
    return active_rules().filter(
        access.reported_by(department, "left__") | access.reported_by(department, "right__")
    )


def get_period(*, code: str) -> ReportingPeriod:
    return ReportingPeriod.objects.get(code=code)


def previous_period(*, period: ReportingPeriod) -> ReportingPeriod | None:
    return ReportingPeriod.objects.filter(code=period.previous_code).first()


def departments_visible_to(*, user):
    if access.can_view_all_figures(user):
        return Department.objects.all()
    if user.department_id:
        return Department.objects.filter(pk=user.department_id)
    return Department.objects.none()


def current_period(*, today: datetime.date | None = None) -> ReportingPeriod | None:
    """The period people are working on (metrics.deadlines.choose_current): a period still to
    come is nobody's default until it starts, unless its entry was opened early."""
    return choose_current(ReportingPeriod.objects.all(), today or timezone.localdate())


def open_periods():
    """The periods open for entry, latest first."""

    return ReportingPeriod.objects.filter(state=PeriodState.OPEN).order_by("-end", "-start")


def extensions_of(*, period: ReportingPeriod) -> dict[int, datetime.date]:
    """Each department's own deadline for `period` (延期), by department id."""
    return dict(period.extensions.values_list("department_id", "deadline"))


def deadline_for(*, period: ReportingPeriod, department: Department | None) -> datetime.date:
    """`period`'s deadline for `department` (its extension, if any)."""
    if department is None:
        return period.deadline
    return department_deadline(period, department.pk, extensions_of(period=period))


# How many of a department's indicators are in each state (metrics.progress), counted by the
# database over the period's figures: the same conditions as progress.state_of.
_STATE_FILTERS = {
    State.APPROVED: Q(status=FigureStatus.APPROVED),
    State.SUBMITTED: Q(status=FigureStatus.SUBMITTED),
    State.RETURNED: Q(status=FigureStatus.RETURNED),
    State.DRAFT: Q(status=FigureStatus.DRAFT, value__isnull=False),
}


def state_counts(prefix: str, only: Q | None = None) -> dict:
    """Count annotations for the states of the figures reached through `prefix`
    (a FilteredRelation to the period's figures), `n_expected` for the indicators; `only`
    narrows them (to the indicators entered in the period: models.entered_condition)."""
    from django.db.models import Count

    def under(q: Q) -> Q:
        narrowed = Q(*[(f"{prefix}__{k}", v) for k, v in q.children])
        return narrowed & only if only is not None else narrowed

    return {
        f"n_{state}": Count(prefix, filter=under(condition))
        for state, condition in _STATE_FILTERS.items()
    }


def progress_of(row: dict) -> Progress:
    """A Progress from a row annotated with `n_expected` and `state_counts`."""
    counted = {state: row[f"n_{state}"] for state in _STATE_FILTERS}
    return Progress(empty=row["n_expected"] - sum(counted.values()), **counted)


def with_progress(units, *, period: ReportingPeriod, through: str = "indicators", codes=None):
    """`units` annotated for progress_of in the period, in one query: the indicators reached by
    `through` (a department's own, "indicators"; those its kind reports, "kind__indicators")
    LEFT JOIN the unit's own figures of the period, never those of the other units of its
    kind; only the indicators of `codes` when given (one document's figures)."""
    from django.db.models import Count, FilteredRelation, Max

    entered = entered_condition(period, prefix=f"{through}__")
    if codes is not None:
        entered &= Q(**{f"{through}__code__in": list(codes)})
    figures = f"{through}__figures"
    own = Q(**{f"{figures}__period": period}) & Q(**{f"{figures}__unit": F("pk")})
    return units.annotate(pf=FilteredRelation(figures, condition=own)).annotate(
        n_expected=Count(through, filter=entered, distinct=True),
        last_activity=Max("pf__updated_at", filter=entered),
        **state_counts("pf", only=entered),
    )


def with_their_progress(queryset) -> list:
    """The rows of a with_progress queryset, each with `.progress`."""
    found = list(queryset)
    for unit in found:
        unit.progress = progress_of(vars(unit))
    return found


def progress_by_department(*, period: ReportingPeriod, departments=None, codes=None):
    """Each department (all, or those of `departments`) with `.progress` in the period, in one
    query: its indicators (those of `codes` only, when given) LEFT JOIN its figures."""
    queryset = Department.objects.all() if departments is None else departments
    return with_their_progress(
        with_progress(queryset, period=period, codes=codes).order_by("order", "code")
    )


# ---------------------------------------------------------------------------------------
# Entry and review sheets


def comparable_figures():
    """The figures a later period is compared with (同比): approved ones only, as in the
    speech, so that every face compares against the same value."""
    return Figure.objects.filter(status=FigureStatus.APPROVED)


def previous_values(
    *, period: ReportingPeriod, department: Department | None = None
) -> dict[str, Decimal | None]:
    """Values of the previous comparable period (2026Q3 → 2025Q3), by indicator code."""
    figures = comparable_figures().filter(period__code=period.previous_code)
    if department is not None:
        figures = figures.filter(unit=department)
    else:
        figures = figures.filter(unit=F("indicator__department"))
    return dict(figures.values_list("indicator__code", "value"))


def attach_previous_values(figures: list[Figure]) -> None:
    """Set `previous_value` on each figure: its indicator's value in the previous comparable
    period (None if there is none), in one query for all of them."""
    wanted = {(f.indicator_id, f.period.previous_code) for f in figures}
    found = {}
    if wanted:
        rows = (
            comparable_figures()
            .filter(
                indicator_id__in={i for i, _ in wanted},
                period__code__in={c for _, c in wanted},
                unit_id__in={f.unit_id for f in figures},
            )
            .values_list("indicator_id", "unit_id", "period__code", "value")
        )
        found = {(i, u, c): v for i, u, c, v in rows}
    for figure in figures:
        key = (figure.indicator_id, figure.unit_id, figure.period.previous_code)
        figure.previous_value = found.get(key)


def reminders_not_emailed(*, since: datetime.datetime):
    """Reminders whose email never went out (the broker was down when they were made)."""
    return Reminder.objects.filter(emailed_at__isnull=True, created_at__gte=since).order_by("id")


def reminder_recipients(*, department: Department) -> list[str]:
    """The email addresses of the department's active clerks."""

    return sorted(
        User.objects.filter(
            department=department, is_active=True, groups__permissions__codename="enter_figures"
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def notices_for(*, department: Department, limit: int = 5):
    return Notice.objects.filter(department=department).select_related("period")[:limit]


def periods_to_lock(*, today, grace_days: int = 0) -> list[tuple[ReportingPeriod, list]]:
    """Open periods whose deadline and every department's extension (plus the grace days) have
    passed, each with its extensions' dates."""

    cutoff = today - datetime.timedelta(days=grace_days)
    periods = ReportingPeriod.objects.filter(
        state=PeriodState.OPEN, deadline__lt=cutoff
    ).prefetch_related("extensions")
    found = []
    for period in periods:
        extensions = [e.deadline for e in period.extensions.all()]
        if latest_deadline(period, extensions) < cutoff:
            found.append((period, extensions))
    return found


def period_export_rows(*, period: ReportingPeriod):
    """Every indicator of every department with its figure in the period, for the reviewers'
    workbook: the indicators entered in the period and those that have a figure in it (a
    retired one keeps its past figures), then each computed indicator as (indicator, its
    metrics.computed.ComputedValue from current inputs, its previous value). A fixed number
    of queries."""
    figures = {
        f.indicator_id: f for f in Figure.objects.filter(period=period).select_related("updated_by")
    }
    previous = previous_values(period=period)
    computed = computed_values(period=period, basis=CURRENT)
    indicators = (
        Indicator.objects.filter(entered_condition(period) | Q(pk__in=list(figures)))
        .exclude(code__in=list(computed))
        .select_related("section", "department")
        .order_by("department__order", "department__code", "section__order", "order", "code")
    )
    rows = [(i, figures.get(i.pk), previous.get(i.code)) for i in indicators]
    return rows + [(c.indicator, c, c.previous) for c in computed.values()]


# ---------------------------------------------------------------------------------------
# History

HISTORY_FIELDS = [
    ("value", "数值"),
    ("remark", "备注"),
    ("explanation", "上报说明"),
    ("status", "状态"),
    ("return_reason", "退回原因"),
]


@dataclass
class HistoryEntry:
    when: datetime.datetime
    user: object
    reason: str
    version: int
    changes: list  # [(label, old, new)]


def _shown(field_name, value):
    if value is None or value == "":
        return "—"
    if field_name == "value":
        return plain(value)
    if field_name == "status":
        return FigureStatus(value).label
    return str(value)


def figure_history(*, figure: Figure) -> list[HistoryEntry]:
    """Each saved state of the figure against the one before it, newest first."""
    records = list(
        figure.history.select_related("history_user").order_by("history_date", "history_id")
    )
    entries = []
    before = None
    for record in records:
        changes = []
        for name, label in HISTORY_FIELDS:
            old = getattr(before, name) if before is not None else None
            new = getattr(record, name)
            if before is None and (new is None or new == ""):
                continue
            if before is None or old != new:
                changes.append((label, _shown(name, old), _shown(name, new)))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user,
                reason=record.history_change_reason or "",
                version=record.version,
                changes=changes,
            )
        )
        before = record
    entries.reverse()
    return entries


# ---------------------------------------------------------------------------------------
# A locked period: when and by whom, from the period's own history


@dataclass(frozen=True)
class PeriodLock:
    when: datetime.datetime | None
    user: object  # the User who locked it (a person or a system account), None if unknown
    reason: str

    @property
    def by(self) -> str:
        return self.user.display_name if self.user is not None else "系统"

    @property
    def stated(self) -> str:
        """报告期已锁定（2026-12-16 由李明锁定）."""
        when = f"{timezone.localtime(self.when):%Y-%m-%d} " if self.when else ""
        return f"报告期已锁定（{when}由{self.by}锁定）"

    @property
    def notice(self) -> str:
        """报告期已锁定（2026-12-16 由李明锁定），如需修改请联系法制办: the one sentence every
        page shows instead of the actions a locked period no longer allows."""
        return f"{self.stated}，如需修改请联系法制办"

    @property
    def office_notice(self) -> str:
        """The same for those who may lock and reopen (the 法制办 itself): how to reopen."""
        return f"{self.stated}，如需修改，可在“数据审核”页点“重新开放报告期”"


def period_lock(period: ReportingPeriod) -> PeriodLock | None:
    """Who locked the period and when (the first history row of its current locked spell);
    None while it is open."""
    if period is None or not period.is_locked:
        return None

    locking = None
    records = period.history.select_related("history_user").order_by("-history_date", "-pk")
    for row in records:
        if row.state != PeriodState.LOCKED:
            break
        locking = row
    if locking is None:  # locked without a history row (made before history was kept)
        return PeriodLock(when=None, user=None, reason="")
    return PeriodLock(
        when=locking.history_date,
        user=locking.history_user,
        reason=locking.history_change_reason or "",
    )
