"""The computed indicators (计算指标) on the leader's dashboard: the indicator table's rows, the
department drill-down's, the indicator drill-down and its trend. Values come from
metrics.computed, from approved inputs as every figure the leader reads; each row is marked
计算 and says what it is computed from. A fixed number of queries."""

from django.db.models import QuerySet

from metrics.computed import APPROVED, COMPUTED_MARK, computed_history, computed_values
from metrics.models import Department, Indicator, ReportingPeriod
from metrics.periods import PeriodCode

from .rows import Headline


def computed_rows(
    *, period: ReportingPeriod, departments: QuerySet, department_ids: set[int] | None = None
) -> list[Headline]:
    """The computed indicators of `departments` in the period (metrics.computed, from approved
    inputs, as the leader's figures are), marked 计算 with what they are computed from; headline
    ones first, then in catalogue order. Two queries, and one for the departments unless the
    caller has their ids (`department_ids`)."""
    visible = (
        set(departments.values_list("pk", flat=True)) if department_ids is None else department_ids
    )
    items = [
        c
        for c in computed_values(period=period, basis=APPROVED).values()
        if c.indicator.department_id in visible
    ]
    items.sort(
        key=lambda c: (
            c.indicator.headline_order is None,
            c.indicator.headline_order or 0,
            c.indicator.section.order,
            c.indicator.order,
            c.code,
        )
    )
    return [computed_headline(c) for c in items]


def computed_headline(item) -> Headline:
    return Headline(
        code=item.code,
        name=item.name,
        unit=item.unit,
        value=item.value,
        status=None,
        previous=item.previous,
        kind=item.change.kind,
        places=item.places,
        computed=True,
        note=item.description,
        reason=item.reason,
    )


def department_rows(*, department: Department, period: ReportingPeriod) -> list[dict]:
    """The department's computed indicators as rows of its drill-down (see
    queries.department_figures), marked 计算, with 同比 and what each is computed from."""
    return [
        {
            "code": c.code,
            "name": c.name,
            "unit": c.unit,
            "section": c.indicator.section.name,
            "has_figure": False,
            "value": c.value,
            "value_display": c.value_display,
            "status": "",
            "status_label": COMPUTED_MARK,
            "computed": True,
            "note": c.description,
            "reason": c.reason,
            "change_text": c.change.text,
            "remark": "",
            "explanation": "",
            "updated_at": None,
            "updated_by": "",
            "history_count": 0,
            "evidence_count": 0,
        }
        for c in computed_values(period=period, basis=APPROVED, department=department).values()
    ]


def computed_figures(*, indicator: Indicator) -> list:
    """A computed indicator's value in every period (newest first), from approved inputs, with
    its 同比 (metrics.change), for the indicator's drill-down."""
    return computed_history(indicator=indicator)


def trend(*, indicator: Indicator, period: ReportingPeriod) -> list[dict]:
    """A computed indicator's values over the periods of the same kind as `period`, oldest
    first, as queries.trend gives an entered one's (status "computed")."""
    kind = period.parsed_code.kind
    return [
        {"period__code": c.period_code, "value": c.value, "status": "computed"}
        for c in reversed(computed_history(indicator=indicator))
        if PeriodCode.parse(c.period_code).kind == kind
    ]
