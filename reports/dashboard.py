"""Read queries behind the leader's dashboard (驾驶舱): completeness, timeliness, readiness of the
speech, headline figures with 同比, anomalies and the period's report jobs.

Every function counts in the database (conditional aggregates over a `FilteredRelation` join, or
correlated subqueries) and runs a fixed number of queries whatever the number of departments,
indicators and periods; Python only loops over the aggregated rows, one per department or section.
Values stay `Decimal`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Abs, Coalesce
from django.urls import reverse
from django.utils import timezone

from metrics import selectors as metrics_selectors
from metrics.models import (
    Department,
    Evidence,
    Figure,
    FigureStatus,
    Indicator,
    ReportingPeriod,
    Section,
)
from metrics.rules import evaluate_all
from metrics.validation import plain

from .models import ReportJob

HistoricalFigure = Figure.history.model

# The speech's headline figures, in the order the leader reads them.
HEADLINE_CODES = (
    "biz_review_cases_received",
    "grass_grid_workers",
    "grass_mass_prevention_force",
    "grass_disputes_mediated",
    "edu_people_educated",
    "edu_materials_distributed",
)
# A change beyond this share of the previous period's value is flagged (±50%).
BIG_CHANGE = Decimal("0.5")
ANOMALY_LIMIT = 50
HISTORY_LIMIT = 200
REPORT_JOB_LIMIT = 20
SYNTHETIC_PREFIX = "syn"
HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")


def percent(part, whole) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal (half up); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def change_percent(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if current is None or previous is None or previous == 0:
        return None
    return ((current - previous) * HUNDRED / previous).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def change_text(current: Decimal | None, previous: Decimal | None) -> str:
    """How the speech words a year-on-year change: 同比增长12.5% / 同比下降3.1% / 与上年持平."""
    if current is None:
        return "本期未填报"
    if previous is None:
        return "无上年数据"
    if previous == 0:
        return "与上年持平" if current == 0 else "上年为零"
    change = change_percent(current, previous)
    if change > 0:
        return f"同比增长{change}%"
    if change < 0:
        return f"同比下降{-change}%"
    return "与上年持平"


def display_name(*, username: str | None, last_name: str = "", first_name: str = "") -> str:
    return f"{last_name or ''}{first_name or ''}".strip() or (username or "")


# --- periods -------------------------------------------------------------------------------


def resolve_period(*, code: str | None) -> ReportingPeriod | None:
    """The period asked for, or the one people are working on; `DoesNotExist` for a bad code."""
    if code:
        return metrics_selectors.get_period(code=code)
    return metrics_selectors.current_period()


def period_choices() -> QuerySet:
    return ReportingPeriod.objects.order_by("-start", "-end").only("code", "start", "end")


def _same_kind(period: ReportingPeriod) -> Q:
    """Periods of the same kind (years with years, quarters with quarters) for a trend line."""
    kind = period.parsed_code.kind
    if kind == "Y":
        return Q(period__code__regex=r"^[0-9]{4}$")
    return Q(period__code__contains=kind)


# --- departments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    pk: int
    code: str
    name: str
    short_name: str
    expected: int
    filled: int
    draft: int
    submitted: int
    approved: int
    returned: int
    missing: int
    last_activity: datetime.datetime | None
    deadline: datetime.date
    today: datetime.date

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @cached_property
    def url(self) -> str:
        return reverse("dashboard:department", args=[self.code])

    @property
    def not_filled(self) -> int:
        """No figure at all, or a figure without a value."""
        return self.missing

    @property
    def in_progress(self) -> int:
        """Figures still with the department: drafts and returned ones that have a value."""
        return self.expected - self.missing - self.submitted - self.approved

    @property
    def unapproved(self) -> int:
        return self.expected - self.approved

    @cached_property
    def complete(self) -> bool:
        """Everything sent on: the department's part is done, whatever the review says."""
        return self.submitted + self.approved >= self.expected

    @cached_property
    def days_overdue(self) -> int:
        if self.complete or self.today <= self.deadline:
            return 0
        return (self.today - self.deadline).days

    @property
    def days_left(self) -> int:
        return max((self.deadline - self.today).days, 0)

    @cached_property
    def timeliness(self) -> str:
        if self.complete:
            return "已报齐"
        if self.days_overdue:
            return f"逾期{self.days_overdue}天"
        if self.days_left == 0:
            return "今日截止"
        return f"剩余{self.days_left}天"

    @cached_property
    def timeliness_class(self) -> str:
        if self.complete:
            return "ok"
        return "late" if self.days_overdue else "pending"

    @property
    def approved_percent(self) -> Decimal | None:
        return percent(self.approved, self.expected)


def department_rows(
    *, period: ReportingPeriod, departments: QuerySet, today: datetime.date | None = None
) -> list[DepartmentRow]:
    """One row per department, counted in one query: indicators LEFT JOIN the period's figures."""
    today = today or timezone.localdate()
    f = "f__"
    queryset = (
        departments.annotate(
            f=FilteredRelation(
                "indicators__figures", condition=Q(indicators__figures__period=period)
            )
        )
        .annotate(
            n_expected=Count("indicators"),
            n_filled=Count("f", filter=Q(f__value__isnull=False)),
            n_draft=Count("f", filter=Q(f__status=FigureStatus.DRAFT)),
            n_submitted=Count("f", filter=Q(f__status=FigureStatus.SUBMITTED)),
            n_approved=Count("f", filter=Q(f__status=FigureStatus.APPROVED)),
            n_returned=Count("f", filter=Q(f__status=FigureStatus.RETURNED)),
            last_activity=Max(f + "updated_at"),
        )
        .order_by("order", "code")
        .values(
            "pk",
            "code",
            "name",
            "short_name",
            "n_expected",
            "n_filled",
            "n_draft",
            "n_submitted",
            "n_approved",
            "n_returned",
            "last_activity",
        )
    )
    return [
        DepartmentRow(
            pk=row["pk"],
            code=row["code"],
            name=row["name"],
            short_name=row["short_name"],
            expected=row["n_expected"],
            filled=row["n_filled"],
            draft=row["n_draft"],
            submitted=row["n_submitted"],
            approved=row["n_approved"],
            returned=row["n_returned"],
            missing=row["n_expected"] - row["n_filled"],
            last_activity=row["last_activity"],
            deadline=period.deadline,
            today=today,
        )
        for row in queryset
    ]


@dataclass(frozen=True)
class Totals:
    departments: int
    expected: int
    filled: int
    submitted: int
    approved: int
    returned: int
    missing: int
    complete: int
    overdue: int


def totals(rows: list[DepartmentRow]) -> Totals:
    return Totals(
        departments=len(rows),
        expected=sum(r.expected for r in rows),
        filled=sum(r.filled for r in rows),
        submitted=sum(r.submitted for r in rows),
        approved=sum(r.approved for r in rows),
        returned=sum(r.returned for r in rows),
        missing=sum(r.missing for r in rows),
        complete=sum(1 for r in rows if r.complete),
        overdue=sum(1 for r in rows if r.days_overdue),
    )


# --- sections and readiness ----------------------------------------------------------------


@dataclass(frozen=True)
class SectionRow:
    code: str
    name: str
    total: int
    ready: int

    @property
    def percent(self) -> Decimal | None:
        return percent(self.ready, self.total)


def section_rows(*, period: ReportingPeriod, departments: QuerySet) -> list[SectionRow]:
    """Per section of the speech: its placeholders (indicators) and how many are approved."""
    indicators = Q(indicators__department__in=departments)
    queryset = (
        Section.objects.annotate(
            f=FilteredRelation(
                "indicators__figures",
                condition=Q(indicators__figures__period=period)
                & Q(indicators__figures__status=FigureStatus.APPROVED),
            )
        )
        .annotate(
            n_total=Count("indicators", filter=indicators),
            n_ready=Count("f", filter=indicators),
        )
        .order_by("order")
        .values("code", "name", "n_total", "n_ready")
    )
    return [
        SectionRow(code=r["code"], name=r["name"], total=r["n_total"], ready=r["n_ready"])
        for r in queryset
    ]


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
        blockers=[r for r in rows if r.unapproved],
    )


# --- headline figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    code: str
    name: str
    unit: str
    value: Decimal | None
    status: str | None
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return change_percent(self.value, self.previous)

    @property
    def change_text(self) -> str:
        return change_text(self.value, self.previous)

    @property
    def direction(self) -> str:
        change = self.change
        if change is None or change == 0:
            return "flat"
        return "up" if change > 0 else "down"

    @property
    def status_label(self) -> str:
        return FigureStatus(self.status).label if self.status else "未填报"

    @property
    def value_display(self) -> str:
        return show(self.value)

    @property
    def previous_display(self) -> str:
        return show(self.previous)


def _previous_pk(previous: ReportingPeriod | None) -> int:
    return previous.pk if previous is not None else -1  # no row has a negative key


def headlines(
    *,
    period: ReportingPeriod,
    previous: ReportingPeriod | None,
    departments: QuerySet,
    codes=HEADLINE_CODES,
) -> list[Headline]:
    queryset = (
        Indicator.objects.filter(code__in=codes, department__in=departments)
        .annotate(
            cur=FilteredRelation("figures", condition=Q(figures__period=period)),
            prev=FilteredRelation(
                "figures", condition=Q(figures__period_id=_previous_pk(previous))
            ),
        )
        .values("code", "name", "unit", "cur__value", "cur__status", "prev__value")
    )
    by_code = {r["code"]: r for r in queryset}
    return [
        Headline(
            code=code,
            name=r["name"],
            unit=r["unit"],
            value=r["cur__value"],
            status=r["cur__status"],
            previous=r["prev__value"],
        )
        for code in codes
        if (r := by_code.get(code)) is not None
    ]


# --- anomalies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BigChange:
    code: str
    name: str
    department: str
    value: Decimal
    previous: Decimal
    status: str
    explanation: str = ""

    @property
    def change(self) -> Decimal:
        return change_percent(self.value, self.previous)

    @property
    def change_text(self) -> str:
        return change_text(self.value, self.previous)


def big_changes(
    *,
    period: ReportingPeriod,
    previous: ReportingPeriod | None,
    departments: QuerySet,
    limit: int = ANOMALY_LIMIT,
) -> tuple[list[BigChange], int]:
    """Figures that moved more than ±50% against the previous comparable period (the biggest
    relative moves first, at most `limit`), and how many there are in all."""
    if previous is None:
        return [], 0
    rows = list(
        Figure.objects.filter(
            period=period, value__isnull=False, indicator__department__in=departments
        )
        .annotate(
            prevf=FilteredRelation(
                "indicator__figures", condition=Q(indicator__figures__period=previous)
            ),
            previous_value=F("prevf__value"),
        )
        .filter(
            Q(previous_value__gt=0)
            & (
                Q(value__gt=F("previous_value") * (1 + BIG_CHANGE))
                | Q(value__lt=F("previous_value") * (1 - BIG_CHANGE))
            )
        )
        # How many there are in all, counted in the same query before the LIMIT.
        .annotate(
            total=Window(Count("pk")),
            size=Abs(F("value") - F("previous_value")) / F("previous_value"),
        )
        .order_by("-size", "indicator__department__order", "indicator__order", "pk")
        .values(
            "indicator__code",
            "indicator__name",
            "indicator__department__name",
            "value",
            "previous_value",
            "status",
            "explanation",
            "total",
        )[:limit]
    )
    total = rows[0]["total"] if rows else 0
    return [
        BigChange(
            code=r["indicator__code"],
            name=r["indicator__name"],
            department=r["indicator__department__name"],
            value=r["value"],
            previous=r["previous_value"],
            status=r["status"],
            explanation=r["explanation"],
        )
        for r in rows
    ], total


@dataclass(frozen=True)
class RepeatedReturn:
    code: str
    name: str
    department: str
    times: int


def repeated_returns(
    *, period: ReportingPeriod, departments: QuerySet, limit: int = ANOMALY_LIMIT
) -> list[RepeatedReturn]:
    """Figures returned more than once: history records whose status changed to 'returned'
    (the figure's previous record, if any, was not returned), counted per figure."""
    previous_status = (
        HistoricalFigure.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("status")[:1]
    )
    rows = (
        HistoricalFigure.objects.filter(
            period_id=period.pk,
            status=FigureStatus.RETURNED,
            indicator__department__in=departments,
        )
        .annotate(previous_status=Coalesce(Subquery(previous_status), Value("")))
        .exclude(previous_status=FigureStatus.RETURNED)
        .values("id", "indicator__code", "indicator__name", "indicator__department__name")
        .annotate(times=Count("history_id"))
        .filter(times__gt=1)
        .order_by("-times", "indicator__code")[:limit]
    )
    return [
        RepeatedReturn(
            code=r["indicator__code"],
            name=r["indicator__name"],
            department=r["indicator__department__name"],
            times=r["times"],
        )
        for r in rows
    ]


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


def rule_failures(*, period: ReportingPeriod, department_ids: set[int] | None) -> list[RuleFailure]:
    """The active cross-indicator rules that fail on this period's values, with the departments'
    written explanations (上报说明, else the remark) for overridden warnings.
    `department_ids` None: all departments."""
    rules = list(metrics_selectors.active_rules().select_related("left", "right"))
    if not rules:
        return []
    codes = {r.left.code for r in rules} | {r.right.code for r in rules}
    # The same values as metrics.selectors.period_values, narrowed to the rules' indicators.
    figures = Figure.objects.filter(period=period, indicator__code__in=codes).values_list(
        "indicator__code", "value", "explanation", "remark"
    )
    values, remarks = {}, {}
    for code, value, explanation, remark in figures:
        values[code] = value
        remarks[code] = (explanation or remark or "").strip()
    failures = []
    for result in evaluate_all(rules, values):
        rule = result.rule
        if result.passed is not False:
            continue
        owners = (rule.left.department_id, rule.right.department_id)
        if department_ids is not None and not set(owners) & department_ids:
            continue
        notes = [remarks.get(c) for c in (rule.left.code, rule.right.code) if remarks.get(c)]
        failures.append(
            RuleFailure(
                name=rule.name,
                message=result.message,
                severity=rule.severity,
                severity_label="错误" if result.is_error else "警告",
                explanation="；".join(dict.fromkeys(notes)),
                department_ids=owners,
            )
        )
    return failures


# --- report jobs ---------------------------------------------------------------------------


def report_jobs(*, period: ReportingPeriod, limit: int = REPORT_JOB_LIMIT) -> list[ReportJob]:
    return list(
        ReportJob.objects.filter(period=period)
        .select_related("requested_by")
        .defer("snapshot")
        .order_by("-requested_at", "-id")[:limit]
    )


# --- indicators: trend and drill-down -------------------------------------------------------


def indicator_choices(*, departments: QuerySet) -> list[dict]:
    """The catalogue indicators of the visible departments for the trend's <select>
    (synthetic benchmark indicators stay reachable through the department drill-down)."""
    return list(
        Indicator.objects.filter(department__in=departments)
        .exclude(code__startswith=SYNTHETIC_PREFIX)
        .order_by("section__order", "order", "code")
        .values("code", "name", "unit", "section__name")
    )


def visible_indicator(*, code: str, departments: QuerySet) -> Indicator:
    """The indicator if one of `departments` owns it; `Indicator.DoesNotExist` otherwise."""
    return Indicator.objects.select_related("section", "department").get(
        code=code, department__in=departments
    )


def trend(*, indicator: Indicator, period: ReportingPeriod) -> list[dict]:
    """The indicator's values over all periods of the same kind as `period`, oldest first."""
    return list(
        Figure.objects.filter(Q(indicator=indicator) & _same_kind(period))
        .order_by("period__start", "period__end")
        .values("period__code", "value", "status")
    )


def _history_count(figure_ref: str = "pk"):
    """How many history records the figure (`figure_ref` from the outer query) has."""
    return Coalesce(
        Subquery(
            HistoricalFigure.objects.filter(id=OuterRef(figure_ref))
            .order_by()
            .values("id")
            .annotate(n=Count("history_id"))
            .values("n")
        ),
        0,
    )


def _evidence_count(figure_ref: str = "pk"):
    """How many supporting documents (佐证材料) the figure has."""
    return Coalesce(
        Subquery(
            Evidence.objects.filter(figure_id=OuterRef(figure_ref))
            .order_by()
            .values("figure_id")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def department_figures(*, department: Department, period: ReportingPeriod) -> list[dict]:
    """Each indicator of the department with the period's figure (if any), who changed it last
    and how many history records it has."""
    rows = (
        Indicator.objects.filter(department=department)
        .annotate(f=FilteredRelation("figures", condition=Q(figures__period=period)))
        .annotate(history_count=_history_count("f__id"), evidence_count=_evidence_count("f__id"))
        .order_by("section__order", "order", "code")
        .values(
            "code",
            "name",
            "unit",
            "section__name",
            "f__id",
            "f__value",
            "f__status",
            "f__remark",
            "f__explanation",
            "f__updated_at",
            "f__updated_by__username",
            "f__updated_by__last_name",
            "f__updated_by__first_name",
            "history_count",
            "evidence_count",
        )
    )
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "unit": r["unit"],
            "section": r["section__name"],
            "has_figure": r["f__id"] is not None,
            "value": r["f__value"],
            "value_display": show(r["f__value"]),
            "status": r["f__status"] or "",
            "status_label": FigureStatus(r["f__status"]).label if r["f__status"] else "未填报",
            "remark": r["f__remark"] or "",
            "explanation": r["f__explanation"] or "",
            "updated_at": r["f__updated_at"],
            "updated_by": display_name(
                username=r["f__updated_by__username"],
                last_name=r["f__updated_by__last_name"],
                first_name=r["f__updated_by__first_name"],
            ),
            "history_count": r["history_count"] if r["f__id"] is not None else 0,
            "evidence_count": r["evidence_count"] if r["f__id"] is not None else 0,
        }
        for r in rows
    ]


def indicator_figures(*, indicator: Indicator) -> list[Figure]:
    """The indicator's figures over all periods, newest first, with their history counts and
    the change (同比) against the same period a year earlier when there is a figure for it."""
    figures = list(
        Figure.objects.filter(indicator=indicator)
        .select_related("period", "updated_by")
        .annotate(history_count=_history_count(), evidence_count=_evidence_count())
        .order_by("-period__start", "-period__end")
    )
    by_code = {f.period.code: f for f in figures}
    for figure in figures:
        before = by_code.get(figure.period.previous_code)
        figure.value_display = show(figure.value)
        figure.previous_value = before.value if before is not None else None
        figure.change_text = change_text(figure.value, figure.previous_value) if before else ""
    return figures


def indicator_history(*, indicator: Indicator, limit: int = HISTORY_LIMIT) -> list:
    """The indicator's history records, newest first, each with what changed since the figure's
    previous record (old → new)."""
    records = list(
        HistoricalFigure.objects.filter(indicator_id=indicator.pk)
        .select_related("period", "history_user")
        .order_by("-history_id")[: limit + 1]
    )
    # Pair each record with the figure's previous one among those shown (presentation only).
    newer: dict[int, object] = {}
    for record in reversed(records):
        before = newer.get(record.id)
        changes = []
        if before is None:
            changes.append("新建")
        else:
            if before.value != record.value:
                changes.append(f"数值 {_plain(before.value)} → {_plain(record.value)}")
            if before.status != record.status:
                changes.append(
                    f"状态 {FigureStatus(before.status).label} → {FigureStatus(record.status).label}"
                )
            if before.remark != record.remark:
                changes.append("备注已修改")
        record.changes = "；".join(changes) or "—"
        record.value_display = show(record.value)
        newer[record.id] = record
    return records[:limit]


def _plain(value) -> str:
    return "空" if value is None else plain(value)


def show(value: Decimal | None) -> str:
    """A value for the page: 1900.0000 → 1900, None → empty."""
    return "" if value is None else plain(value)


# --- the whole page --------------------------------------------------------------------------


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
    big_changes: list[BigChange]
    big_changes_total: int
    repeated_returns: list[RepeatedReturn]
    rule_failures: list[RuleFailure]

    @property
    def anomaly_count(self) -> int:
        return self.big_changes_total + len(self.repeated_returns) + len(self.rule_failures)


def dashboard(*, user, period: ReportingPeriod, today: datetime.date | None = None) -> Dashboard:
    """Everything the dashboard tables show, for what `user` may see."""
    today = today or timezone.localdate()
    departments = metrics_selectors.departments_visible_to(user=user)
    all_departments = user.has_perm("metrics.view_all_figures")
    previous = metrics_selectors.previous_period(period=period)
    rows = department_rows(period=period, departments=departments, today=today)
    sections = section_rows(period=period, departments=departments)
    changes, changes_total = big_changes(period=period, previous=previous, departments=departments)
    return Dashboard(
        period=period,
        previous=previous,
        all_departments=all_departments,
        today=today,
        rows=rows,
        totals=totals(rows),
        sections=sections,
        readiness=readiness(sections=sections, rows=rows),
        headlines=headlines(period=period, previous=previous, departments=departments),
        big_changes=changes,
        big_changes_total=changes_total,
        repeated_returns=repeated_returns(period=period, departments=departments),
        rule_failures=rule_failures(
            period=period,
            department_ids=None if all_departments else {r.pk for r in rows},
        ),
    )


def chart_data(*, user, period: ReportingPeriod, indicator_code: str | None = None) -> dict:
    """What the charts draw, from the same selectors as the tables (numbers as strings)."""
    today = timezone.localdate()
    departments = metrics_selectors.departments_visible_to(user=user)
    rows = department_rows(period=period, departments=departments, today=today)
    sections = section_rows(period=period, departments=departments)
    ready = readiness(sections=sections, rows=rows)
    data = {
        "period": {
            "code": period.code,
            "label": period.label,
            "deadline": period.deadline.isoformat(),
            "today": today.isoformat(),
        },
        "readiness": {
            "percent": str(ready.percent),
            "approved": ready.approved,
            "total": ready.total,
        },
        "sections": [
            {"code": s.code, "name": s.name, "ready": s.ready, "total": s.total} for s in sections
        ],
        "departments": [
            {
                "code": r.code,
                "name": r.name,
                "label": r.label,
                "expected": r.expected,
                "approved": r.approved,
                "submitted": r.submitted,
                "in_progress": r.in_progress,
                "returned": r.returned,
                "missing": r.missing,
                "complete": r.complete,
                "days_overdue": r.days_overdue,
                "days_left": 0 if r.complete else r.days_left,
                "timeliness": r.timeliness,
            }
            for r in rows
        ],
        "trend": None,
    }
    indicator = None
    if indicator_code:
        indicator = visible_indicator(code=indicator_code, departments=departments)
    else:
        indicator = (
            Indicator.objects.filter(code__in=HEADLINE_CODES, department__in=departments)
            .order_by("section__order", "order")
            .first()
        )
    if indicator is not None:
        data["trend"] = {
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "points": [
                {
                    "period": p["period__code"],
                    "value": plain(p["value"]) if p["value"] is not None else None,
                    "status": p["status"],
                }
                for p in trend(indicator=indicator, period=period)
            ],
        }
    return data
