"""The calendar's rules, pure: which period is "now", a department's own deadline, when a
催报 is due. Every page, the scheduler and the API read them here."""

import datetime
from collections.abc import Iterable, Mapping

from .models import PeriodState


def effective_deadline(
    period_deadline: datetime.date, extended: datetime.date | None
) -> datetime.date:
    """A department's deadline for a period: its extension (延期) where it has one later than
    the period's own deadline, else the period's (a later period-wide extension overtakes an
    earlier department one)."""
    if extended is None:
        return period_deadline
    return max(period_deadline, extended)


def department_deadline(period, department_id: int | None, extensions: Mapping[int, datetime.date]):
    """`period`'s deadline for one department, given the period's extensions by department."""
    return effective_deadline(period.deadline, extensions.get(department_id))


def latest_deadline(period, extensions: Iterable[datetime.date]) -> datetime.date:
    """The last day anyone may still report in `period`: what the automatic lock waits for."""
    return max([period.deadline, *extensions])


def reminder_is_due(deadline: datetime.date, today: datetime.date, days_before: int) -> bool:
    """A 催报 is due `days_before` days before the deadline, and every day once it is past."""
    return today == deadline - datetime.timedelta(days=days_before) or today > deadline


def is_current_candidate(period, today: datetime.date) -> bool:
    """A period may be the default one once it has started, or earlier when a reviewer opened
    its entry ahead of time; a planned period (entry not opened) that has not started is
    never the default."""
    return period.start <= today or period.state == PeriodState.OPEN


def choose_current(periods: Iterable, today: datetime.date):
    """The period people are working on: among those that may be the default, the latest
    one open for entry, else the latest; with none, the earliest still to come."""
    periods = sorted(periods, key=lambda p: (p.end, p.start), reverse=True)
    candidates = [p for p in periods if is_current_candidate(p, today)]
    open_ones = [p for p in candidates if p.state == PeriodState.OPEN]
    if open_ones:
        return open_ones[0]
    if candidates:
        return candidates[0]
    return periods[-1] if periods else None
