"""Read queries of the level-by-level review: each office's own children (the units it
approves, the areas below with an office of their own) and their progress in a period, in a
fixed number of queries whatever the number of units."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .areas import OFFICE_LEVELS, is_within, subtree
from .deadlines import department_deadline
from .models import Area, AreaApproval, Department, Reminder, ReportingPeriod
from .progress import Progress
from .selectors import extensions_of, with_progress, with_their_progress


def offices_below(office: Area) -> list[Area]:
    """The areas below `office` that have an office of their own (a city's districts)."""
    return list(subtree(office).exclude(pk=office.pk).filter(level__in=OFFICE_LEVELS))


def _own_units_condition(office: Area, below: list[Area]) -> Q:
    """The units `office` approves: those of its subtree outside every office below it."""
    condition = Q(area__path__startswith=office.path)
    for area in below:
        condition &= ~Q(area__path__startswith=area.path)
    return condition


def progress_by_unit(*, period: ReportingPeriod, units):
    """Each unit of `units` with `.progress` in the period, in one query: the indicators its
    kind reports (metrics.access.reported_by) LEFT JOIN its own figures of the period."""
    return with_their_progress(
        with_progress(units, period=period, through="kind__indicators")
        .select_related("area")
        .order_by("area__path", "order", "code")
    )


@dataclass
class AreaRow:
    """An area below an office in its queue: its units' progress added up, and whether the
    office approved it as a whole for the period."""

    area: Area
    progress: Progress = field(default_factory=Progress)
    units: list = field(default_factory=list)
    approval: AreaApproval | None = None

    @property
    def complete(self) -> bool:
        """Every figure of every unit approved (and there is at least one)."""
        p = self.progress
        return p.expected > 0 and p.approved == p.expected

    @property
    def behind(self) -> list:
        return [u for u in self.units if u.progress.approved < u.progress.expected]


def area_rows(*, period: ReportingPeriod, office: Area, below=None) -> list[AreaRow]:
    """The areas directly below `office` that have an office of their own, with their
    progress (every unit of their subtree) and approval: three queries (two with `below`,
    offices_below read already)."""
    below = offices_below(office) if below is None else below
    direct = [a for a in below if a.parent_id == office.pk]
    if not direct:
        return []
    rows = {a.pk: AreaRow(area=a) for a in direct}
    condition = Q()
    for area in direct:
        condition |= Q(area__path__startswith=area.path)
    for unit in progress_by_unit(period=period, units=Department.objects.filter(condition)):
        row = next(r for r in rows.values() if is_within(unit.area, r.area))
        row.units.append(unit)
        row.progress = row.progress + unit.progress
    approvals = AreaApproval.objects.filter(period=period, area__in=direct).select_related(
        "approved_by"
    )
    for approval in approvals:
        rows[approval.area_id].approval = approval
    return [rows[a.pk] for a in direct]


def area_row(*, period: ReportingPeriod, area: Area) -> AreaRow:
    """One area's row (what approving it as a whole checks)."""
    row = AreaRow(area=area)
    units = Department.objects.filter(area__path__startswith=area.path)
    for unit in progress_by_unit(period=period, units=units):
        row.units.append(unit)
        row.progress = row.progress + unit.progress
    row.approval = AreaApproval.objects.filter(period=period, area=area).first()
    return row


def office_queue(
    *, period: ReportingPeriod, office: Area, today: datetime.date | None = None, below=None
):
    """The units `office` approves itself with their progress, whether they were reminded
    today and their own later deadline (`extended_to`, 延期): a district's departments and
    its townships' units, a city's own departments (never a district's)."""
    today = today or timezone.localdate()
    reminded = Exists(Reminder.objects.filter(department=OuterRef("pk"), period=period, date=today))
    units = Department.objects.filter(
        _own_units_condition(office, offices_below(office) if below is None else below)
    ).annotate(reminded_today=reminded)
    found = progress_by_unit(period=period, units=units)
    extensions = extensions_of(period=period)
    for unit in found:
        deadline = department_deadline(period, unit.pk, extensions)
        unit.extended_to = deadline if deadline > period.deadline else None
    return found
