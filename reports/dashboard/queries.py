"""Read queries behind the leader's dashboard (驾驶舱): completeness, timeliness, readiness of the
speech, headline figures with 同比 and the period's report jobs (the anomalies are in
reports.dashboard.anomalies).

Every function counts in the database (conditional aggregates over a `FilteredRelation` join, or
correlated subqueries) and runs a fixed number of queries whatever the number of departments,
indicators and periods; Python only loops over the aggregated rows, one per department or section.
Values stay `Decimal`; how they are worded is metrics' one set of rules (see `rows`).
"""

import datetime

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from metrics import selectors as metrics_selectors
from metrics.change import indicator_change, kind_of
from metrics.deadlines import department_deadline
from metrics.models import (
    Department,
    Evidence,
    Figure,
    FigureStatus,
    Indicator,
    ReportingPeriod,
    Section,
    entered_condition,
)
from metrics.numbers import shown
from metrics.progress import STATE_LABELS, state_of

from ..models import ReportJob, TemplateVersion
from ..selectors import placeholder_codes

# The module, not the package: `from . import computed` would make the package and this
# module import each other.
from .computed import department_rows as computed_department_rows
from .computed import trend as computed_trend
from .rows import (
    DepartmentRow,
    Headline,
    SectionRow,
)

HistoricalFigure = Figure.history.model

HISTORY_LIMIT = 200

# The department tables read each indicator's figure as its department reports it (the
# figure's unit is the indicator's department), as the entry and review pages do; the figures
# of the other units of its kind (a district's or township's) reach an area's dashboard
# rolled up, in its 下级区域 section (reports.dashboard.area_queries).
OWN = Q(figures__unit=F("department"))
REPORT_JOB_LIMIT = 20


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


def document_codes(slug: str = "speech") -> set[str] | None:
    """The indicator codes a document prints (the speech's, for 讲话稿就绪度): the readiness
    of a document counts its own figures, not every indicator of the catalogue (an indicator
    only last year's annual report printed does not lower the speech's). None without it."""

    text = (
        TemplateVersion.objects.filter(template__slug=slug)
        .order_by("-number")
        .values_list("text", flat=True)
        .first()
    )
    return None if text is None else set(placeholder_codes(text))


def department_rows(
    *,
    period: ReportingPeriod,
    departments: QuerySet,
    today: datetime.date | None = None,
    codes=None,
    extensions: dict | None = None,
) -> list[DepartmentRow]:
    """One row per department, counted in one query (metrics.selectors.progress_by_department);
    with `codes`, of those indicators only (one document's figures); each with its own deadline
    (延期 where it has one: metrics.deadlines; `extensions` when the caller read them)."""
    today = today or timezone.localdate()
    if extensions is None:
        extensions = metrics_selectors.extensions_of(period=period)
    return [
        DepartmentRow(
            pk=d.pk,
            code=d.code,
            name=d.name,
            short_name=d.short_name,
            progress=d.progress,
            last_activity=d.last_activity,
            deadline=department_deadline(period, d.pk, extensions),
            extended=extensions.get(d.pk, period.deadline) > period.deadline,
            today=today,
            period_locked=period.is_locked,
        )
        for d in metrics_selectors.progress_by_department(
            period=period, departments=departments, codes=codes
        )
    ]


# --- sections and readiness ----------------------------------------------------------------


def section_rows(*, period: ReportingPeriod, departments: QuerySet, codes=None) -> list[SectionRow]:
    """Per section of the speech: its placeholders (the indicators entered in the period, of
    `codes` only when given) and how many are approved; a computed indicator is ready when
    its inputs are."""
    indicators = Q(indicators__department__in=departments) & entered_condition(
        period, prefix="indicators__"
    )
    if codes is not None:
        indicators &= Q(indicators__code__in=list(codes))
    queryset = (
        Section.objects.annotate(
            f=FilteredRelation(
                "indicators__figures",
                condition=Q(indicators__figures__period=period)
                & Q(indicators__figures__status=FigureStatus.APPROVED)
                & Q(indicators__figures__unit=F("indicators__department")),
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


# --- headline figures ----------------------------------------------------------------------


def _previous_pk(previous: ReportingPeriod | None) -> int:
    return previous.pk if previous is not None else -1  # no row has a negative key


def headlines(
    *, period: ReportingPeriod, previous: ReportingPeriod | None, departments: QuerySet
) -> list[Headline]:
    """The catalogue's headline indicators (Indicator.headline_order), in that order, with this
    period's and the previous comparable period's values (the computed ones: dashboard.computed).
    An indicator retired before the period starts is not entered in it, so it is not shown as
    未填 there."""
    queryset = (
        Indicator.objects.entered_in(period)
        .filter(headline_order__isnull=False, department__in=departments)
        .annotate(
            cur=FilteredRelation("figures", condition=Q(figures__period=period) & OWN),
            prev=FilteredRelation(
                "figures",
                # Compared with the approved value only (metrics.selectors.comparable_figures).
                condition=Q(figures__period_id=_previous_pk(previous))
                & Q(figures__status=FigureStatus.APPROVED)
                & OWN,
            ),
        )
        .order_by("headline_order", "code")
        .values("code", "name", "unit", "value_type", "cur__value", "cur__status", "prev__value")
    )
    return [
        Headline(
            code=r["code"],
            name=r["name"],
            unit=r["unit"],
            value=r["cur__value"],
            status=r["cur__status"],
            previous=r["prev__value"],
            kind=kind_of(r["value_type"]),
        )
        for r in queryset
    ]


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
    """The catalogue indicators of the visible departments for the trend's <select>."""
    return list(
        Indicator.objects.filter(department__in=departments)
        .order_by("section__order", "order", "code")
        .values("code", "name", "unit", "section__name")
    )


def visible_indicator(*, code: str, departments: QuerySet) -> Indicator:
    """The indicator if one of `departments` owns it; `Indicator.DoesNotExist` otherwise."""
    return Indicator.objects.select_related("section", "department").get(
        code=code, department__in=departments
    )


def trend(*, indicator: Indicator, period: ReportingPeriod) -> list[dict]:
    """The indicator's values over all periods of the same kind as `period`, oldest first (a
    computed indicator's from approved inputs, marked with the status 计算's "computed")."""
    if indicator.is_computed:
        return computed_trend(indicator=indicator, period=period)
    return list(
        Figure.objects.filter(
            Q(indicator=indicator, unit_id=indicator.department_id) & _same_kind(period)
        )
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
    """Each indicator the department enters in the period (or that has a figure in it: a
    retired one keeps its past figures) with the period's figure (if any), who changed it last
    and how many history records it has; then its computed indicators (from approved inputs),
    marked 计算."""
    rows = (
        Indicator.objects.entered()
        .filter(department=department)
        .annotate(
            f=FilteredRelation(
                "figures", condition=Q(figures__period=period, figures__unit=department)
            )
        )
        .filter(entered_condition(period) | Q(f__id__isnull=False))
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
            "value_display": shown(r["f__value"]),
            "status": r["f__status"] or "",
            "status_label": STATE_LABELS[state_of(r["f__status"], r["f__value"])],
            "remark": r["f__remark"] or "",
            "explanation": r["f__explanation"] or "",
            "updated_at": r["f__updated_at"],
            "updated_by": display_name(
                username=r["f__updated_by__username"],
                last_name=r["f__updated_by__last_name"],
                first_name=r["f__updated_by__first_name"],
            ),
            "computed": False,
            "history_count": r["history_count"] if r["f__id"] is not None else 0,
            "evidence_count": r["evidence_count"] if r["f__id"] is not None else 0,
        }
        for r in rows
    ] + computed_department_rows(department=department, period=period)


def indicator_figures(*, indicator: Indicator) -> list[Figure]:
    """The indicator's figures over all periods, newest first, with their history counts and
    the change (同比) against the same period a year earlier when there is a figure for it."""
    figures = list(
        Figure.objects.filter(indicator=indicator, unit_id=indicator.department_id)
        .select_related("period", "updated_by")
        .annotate(history_count=_history_count(), evidence_count=_evidence_count())
        .order_by("-period__start", "-period__end")
    )
    by_code = {f.period.code: f for f in figures}
    for figure in figures:
        before = by_code.get(figure.period.previous_code)
        if before is not None and before.status != FigureStatus.APPROVED:
            before = None  # compared with approved values only, as on every face
        figure.value_display = shown(figure.value)
        figure.previous_value = before.value if before is not None else None
        figure.change_text = indicator_change(indicator, figure.value, figure.previous_value).text
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
                changes.append(
                    f"数值 {shown(before.value, empty='空')} → {shown(record.value, empty='空')}"
                )
            if before.status != record.status:
                changes.append(
                    f"状态 {FigureStatus(before.status).label} → {FigureStatus(record.status).label}"
                )
            if before.remark != record.remark:
                changes.append("备注已修改")
        record.changes = "；".join(changes) or "—"
        record.value_display = shown(record.value)
        newer[record.id] = record
    return records[:limit]
