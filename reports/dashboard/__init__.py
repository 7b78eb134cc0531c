"""The leader's dashboard (驾驶舱): what its page, its charts and its Excel export show.

- `queries`: the read queries, each a fixed number of queries whatever the size of the data;
- `rows`: the frozen rows the page shows, worded by metrics' one set of rules
  (metrics.progress, metrics.change, metrics.numbers);
- `excel`: the page's tables as a workbook;
- here: the whole page (`dashboard`) and what the charts draw (`chart_data`), from the same
  queries as the tables.
"""

import datetime

from django.utils import timezone

from metrics import access as metrics_access
from metrics import selectors as metrics_selectors
from metrics.models import Area, Indicator, ReportingPeriod
from metrics.numbers import plain

from . import anomalies, area_queries, computed, queries
from .computed import computed_figures
from .queries import (
    HISTORY_LIMIT,
    department_figures,
    department_rows,
    indicator_choices,
    indicator_figures,
    indicator_history,
    period_choices,
    report_jobs,
    resolve_period,
    visible_indicator,
)
from .rows import Dashboard, readiness, totals

__all__ = [
    "HISTORY_LIMIT",
    "Dashboard",
    "chart_data",
    "computed_figures",
    "dashboard",
    "department_figures",
    "department_rows",
    "indicator_choices",
    "indicator_figures",
    "indicator_history",
    "period_choices",
    "report_jobs",
    "resolve_period",
    "visible_indicator",
]


def _progress(*, period, departments, today):
    """Each department's row, the speech's sections and its readiness: what blocks its final
    version counts the speech's own figures only (queries.document_codes)."""
    extensions = metrics_selectors.extensions_of(period=period)
    rows = queries.department_rows(
        period=period, departments=departments, today=today, extensions=extensions
    )
    codes = queries.document_codes()
    sections = queries.section_rows(period=period, departments=departments, codes=codes)
    blocking = (
        rows
        if codes is None
        else queries.department_rows(
            period=period, departments=departments, today=today, codes=codes, extensions=extensions
        )
    )
    return rows, sections, readiness(sections=sections, rows=blocking)


def departments_of(*, user, area: Area | None = None):
    """The departments the dashboard of `area` lists: those the user may see that are placed
    in the area itself (its child areas' units are in the 下级区域 section); every visible
    one without an area."""
    departments = metrics_selectors.departments_visible_to(user=user)
    return departments if area is None else departments.filter(area=area)


def dashboard(
    *,
    user,
    period: ReportingPeriod,
    today: datetime.date | None = None,
    area: Area | None = None,
    rank: str | None = None,
) -> Dashboard:
    """Everything the dashboard tables show, for what `user` may see, of `area` (the user's
    own scope when None) with its child areas side by side."""
    today = today or timezone.localdate()
    area = area or metrics_access.scope_of(user)
    departments = departments_of(user=user, area=area)
    all_departments = metrics_access.can_view_all_figures(user)
    previous = metrics_selectors.previous_period(period=period)
    rows, sections, ready = _progress(period=period, departments=departments, today=today)
    shown_ids = {r.pk for r in rows}
    changes, changes_total = anomalies.big_changes(
        period=period, previous=previous, departments=departments
    )
    return Dashboard(
        period=period,
        previous=previous,
        all_departments=all_departments,
        today=today,
        rows=rows,
        totals=totals(rows),
        sections=sections,
        readiness=ready,
        headlines=queries.headlines(period=period, previous=previous, departments=departments),
        computed=computed.computed_rows(
            period=period, departments=departments, department_ids=shown_ids
        ),
        big_changes=changes,
        big_changes_total=changes_total,
        repeated_returns=anomalies.repeated_returns(period=period, departments=departments),
        rule_failures=anomalies.rule_failures(
            period=period,
            department_ids=None if all_departments and area.parent_id is None else shown_ids,
        ),
        area=area,
        crumbs=area_queries.crumbs(area=area, user=user),
        children=_children(
            user=user, area=area, period=period, previous=previous, today=today, rank=rank
        ),
    )


def _children(*, user, area, period, previous, today, rank):
    """The 下级区域 section, for those who read every unit of their subtree (not a clerk), when
    the area has child areas in the period (one query to find out)."""
    if not metrics_access.can_view_all_figures(user) or not area_queries.has_children(
        area=area, period=period
    ):
        return None
    return area_queries.area_board(
        area=area, period=period, previous=previous, today=today, rank_code=rank
    )


def chart_data(
    *,
    user,
    period: ReportingPeriod,
    indicator_code: str | None = None,
    area: Area | None = None,
) -> dict:
    """What the charts draw, from the same selectors as the tables (numbers as strings), for
    the departments of `area` (the user's scope when None)."""
    today = timezone.localdate()
    departments = departments_of(user=user, area=area or metrics_access.scope_of(user))
    rows, sections, ready = _progress(period=period, departments=departments, today=today)
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
        "departments": [_department_point(r) for r in rows],
        "trend": None,
    }
    data["trend"] = _trend(departments, period, indicator_code)
    return data


def _department_point(r) -> dict:
    return {
        "code": r.code,
        "name": r.name,
        "label": r.label,
        "expected": r.expected,
        "approved": r.approved,
        "submitted": r.submitted,
        "in_progress": r.in_progress,
        "returned": r.returned,
        "empty": r.empty,
        "complete": r.complete,
        "days_overdue": 0 if r.period_locked else r.days_overdue,
        "days_left": 0 if r.complete or r.period_locked else r.days_left,
        "locked": r.period_locked,
        "timeliness": r.timeliness,
    }


def _trend(departments, period: ReportingPeriod, indicator_code: str | None) -> dict | None:
    """The indicator asked for (if visible), else the first headline one, over the periods."""
    if indicator_code:
        indicator = queries.visible_indicator(code=indicator_code, departments=departments)
    else:
        indicator = (
            Indicator.objects.filter(headline_order__isnull=False, department__in=departments)
            .order_by("headline_order", "code")
            .first()
        )
    if indicator is None:
        return None
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "points": [
            {
                "period": p["period__code"],
                "value": None if p["value"] is None else plain(p["value"]),
                "status": p["status"],
            }
            for p in queries.trend(indicator=indicator, period=period)
        ],
    }
