"""Read queries on departments, periods and figures."""

from decimal import Decimal

from django.db.models import Q

from .models import Department, Figure, ReportingPeriod, ValidationRule


def period_values(*, period: ReportingPeriod) -> dict[str, Decimal | None]:
    return dict(Figure.objects.filter(period=period).values_list("indicator__code", "value"))


def active_rules():
    return ValidationRule.objects.filter(active=True).select_related("left", "right")


def rules_touching(*, department: Department):
    return active_rules().filter(Q(left__department=department) | Q(right__department=department))


def get_period(*, code: str) -> ReportingPeriod:
    return ReportingPeriod.objects.get(code=code)


def previous_period(*, period: ReportingPeriod) -> ReportingPeriod | None:
    return ReportingPeriod.objects.filter(code=period.previous_code).first()


def departments_visible_to(*, user):
    if user.has_perm("metrics.view_all_figures"):
        return Department.objects.all()
    if user.department_id:
        return Department.objects.filter(pk=user.department_id)
    return Department.objects.none()


def current_period() -> ReportingPeriod | None:
    """The period people are working on: the latest open one, else the latest."""
    from .models import PeriodState

    periods = ReportingPeriod.objects.order_by("-end")
    return periods.filter(state=PeriodState.OPEN).first() or periods.first()


def department_progress(*, department: Department, period: ReportingPeriod) -> dict:
    """A clerk's view: each indicator of the department with this period's figure (or None)."""
    from .models import FigureStatus, Indicator

    figures = {
        f.indicator_id: f
        for f in Figure.objects.filter(period=period, indicator__department=department)
    }
    rows = [
        (indicator, figures.get(indicator.pk))
        for indicator in Indicator.objects.filter(department=department).select_related("section")
    ]
    filled = sum(1 for _, f in rows if f is not None and f.value is not None)
    return {
        "department": department,
        "rows": rows,
        "expected": len(rows),
        "filled": filled,
        "missing": len(rows) - filled,
        "returned": sum(1 for _, f in rows if f is not None and f.status == FigureStatus.RETURNED),
        "approved": sum(1 for _, f in rows if f is not None and f.status == FigureStatus.APPROVED),
    }


def progress_by_department(*, period: ReportingPeriod):
    """Per department: indicators expected and figures filled / submitted / approved / returned,
    counted by the database."""
    from django.db.models import Count

    from .models import FigureStatus

    in_period = Q(indicators__figures__period=period)

    def count(extra):
        return Count("indicators__figures", filter=in_period & extra, distinct=True)

    return Department.objects.annotate(
        expected=Count("indicators", distinct=True),
        filled=count(Q(indicators__figures__value__isnull=False)),
        submitted=count(Q(indicators__figures__status=FigureStatus.SUBMITTED)),
        approved=count(Q(indicators__figures__status=FigureStatus.APPROVED)),
        returned=count(Q(indicators__figures__status=FigureStatus.RETURNED)),
    ).order_by("order", "code")
