"""The dashboard's anomalies (异常): big changes against the previous comparable period,
figures returned more than once, and the rules that fail, with the clerks' explanations. Like
reports.dashboard.queries, a fixed number of queries whatever the size of the catalogue."""

from decimal import Decimal

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Abs, Coalesce

from metrics import selectors as metrics_selectors
from metrics.change import BIG_CHANGE_MIN_RATIO, Change, kind_of
from metrics.computed import CURRENT, computed_values
from metrics.models import (
    Figure,
    FigureStatus,
    ReportingPeriod,
    RuleTarget,
)
from metrics.rules import evaluate_all

from .rows import (
    BigChange,
    RepeatedReturn,
    RuleFailure,
)

HistoricalFigure = Figure.history.model

ANOMALY_LIMIT = 50


# The database narrows the figures to those that may be big changes, with a margin so that no
# rounding of its own arithmetic (SQLite compares decimals as floats) can leave one out; the
# decision is metrics.change's, in Decimal.
_CANDIDATE_RATIO = BIG_CHANGE_MIN_RATIO - Decimal("0.001")


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
    candidates = (
        Figure.objects.filter(period=period, value__isnull=False, unit__in=departments)
        .annotate(
            prevf=FilteredRelation(
                "indicator__figures",
                condition=Q(indicator__figures__period=previous)
                & Q(indicator__figures__status=FigureStatus.APPROVED)
                & Q(indicator__figures__unit=F("unit")),  # the same unit's previous figure
            ),
            previous_value=F("prevf__value"),
        )
        .filter(
            Q(previous_value__gt=0)
            & (
                Q(value__gte=F("previous_value") * (1 + _CANDIDATE_RATIO))
                | Q(value__lte=F("previous_value") * (1 - _CANDIDATE_RATIO))
            )
        )
        .annotate(size=Abs(F("value") - F("previous_value")) / F("previous_value"))
        .order_by("-size", "unit__order", "indicator__order", "pk")
        .values(
            "indicator__code",
            "indicator__name",
            "unit__name",
            "indicator__value_type",
            "value",
            "previous_value",
            "status",
            "explanation",
        )
    )
    found = [
        BigChange(
            code=r["indicator__code"],
            name=r["indicator__name"],
            department=r["unit__name"],
            value=r["value"],
            previous=r["previous_value"],
            status=r["status"],
            explanation=r["explanation"],
            kind=kind_of(r["indicator__value_type"]),
        )
        for r in candidates
        if Change(r["value"], r["previous_value"]).is_big
    ]
    return found[:limit], len(found)


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
            unit__in=departments,
        )
        .annotate(previous_status=Coalesce(Subquery(previous_status), Value("")))
        .exclude(previous_status=FigureStatus.RETURNED)
        .values("id", "indicator__code", "indicator__name", "unit__name")
        .annotate(times=Count("history_id"))
        .filter(times__gt=1)
        .order_by("-times", "indicator__code")[:limit]
    )
    return [
        RepeatedReturn(
            code=r["indicator__code"],
            name=r["indicator__name"],
            department=r["unit__name"],
            times=r["times"],
        )
        for r in rows
    ]


def rule_failures(*, period: ReportingPeriod, department_ids: set[int] | None) -> list[RuleFailure]:
    """The active cross-indicator rules that fail on this period's values, with the departments'
    written explanations (上报说明, else the remark) for overridden warnings.
    `department_ids` None: all departments."""
    rules = list(metrics_selectors.active_rules().select_related("left", "right"))
    if not rules:
        return []
    codes = {side.code for r in rules for side in r.sides}
    # The same values as metrics.selectors.period_values, narrowed to the rules' indicators.
    figures = Figure.objects.filter(
        period=period, indicator__code__in=codes, unit=F("indicator__department")
    ).values_list(  # each indicator's figure as its department reports it (queries.OWN)
        "indicator__code", "value", "explanation", "remark"
    )
    values, remarks = {}, {}
    for code, value, explanation, remark in figures:
        values[code] = value
        remarks[code] = (explanation or remark or "").strip()
    previous = {}
    if any(r.target == RuleTarget.LAST_YEAR for r in rules):
        previous = metrics_selectors.previous_values(period=period)
    if any(side.is_computed for r in rules for side in r.sides):
        # A rule over a computed indicator compares its value from the same (current)
        # inputs as the entry sheet does (metrics.selectors.rule_values).
        computed = computed_values(period=period, basis=CURRENT)
        values.update({code: c.value for code, c in computed.items() if code in codes})
        previous.update({code: c.previous for code, c in computed.items() if code in codes})
    failures = []
    for result in evaluate_all(rules, values, previous):
        rule = result.rule
        if result.passed is not False:
            continue
        owners = tuple(side.department_id for side in rule.sides)
        if department_ids is not None and not set(owners) & department_ids:
            continue
        notes = [remarks.get(s.code) for s in rule.sides if remarks.get(s.code)]
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
