"""When a unit sent its figures: the one reading of “sent” that the dashboard's timeliness
(reports.dashboard.area_queries) and the kept per-unit rows (metrics.totals) share.

A figure counts as sent when it is submitted or approved with a value, its indicator is
entered in the period and reported by the unit's kind; it was sent when it was last submitted,
else first approved (a figure approved as it was entered)."""

from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .models import Figure, FigureStatus, ReportingPeriod, entered_condition

HistoricalFigure = Figure.history.model


def _moment(status, newest: bool):
    return Subquery(
        HistoricalFigure.objects.filter(id=OuterRef("pk"), status=status)
        .order_by("-history_date" if newest else "history_date")
        .values("history_date")[:1]
    )


def sent_by_unit(*, period: ReportingPeriod, units: Q):
    """(unit id, unit code, how many due figures sent, when the last was sent) for the units
    matching `units` (a condition on Figure, e.g. Q(unit__area__path__startswith=…)) that sent
    any: one grouped query."""
    return (
        Figure.objects.filter(units, period=period)
        .filter(
            status__in=[FigureStatus.SUBMITTED, FigureStatus.APPROVED],
            value__isnull=False,
            unit__kind_id=F("indicator__reporting_kind_id"),
        )
        .filter(entered_condition(period, prefix="indicator__"))
        .annotate(
            sent_at=Coalesce(
                _moment(FigureStatus.SUBMITTED, True), _moment(FigureStatus.APPROVED, False)
            )
        )
        .values("unit_id", "unit__code")
        .annotate(sent=Count("id"), last=Max("sent_at"))
        .values_list("unit_id", "unit__code", "sent", "last")
        .order_by()
    )
