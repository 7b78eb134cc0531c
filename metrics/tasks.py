"""Background work of the metrics app. Tasks take ids and call services; the scheduler's
tasks act as its named system account (metrics.system).

This module alone knows the tasks: a service queues one by its name through the Celery app
(services.reminders.SEND_REMINDER_EMAIL), so that the services, which this module calls, never
import it. MetricsConfig.ready() imports it, so that every process knows the tasks by name,
the web's too (where tasks run in-process without a broker, as in the tests)."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services, totals
from .office import office_settings
from .services.reminders import SEND_REMINDER_EMAIL
from .system import SystemAccount, system_account


@shared_task(name=SEND_REMINDER_EMAIL)
def send_reminder_email(reminder_id: int, base_url: str | None = None) -> int:
    """Email a reminder's notice to the department's clerks; returns how many got it. The link
    points at `base_url` (the host of the person who reminded) or else PORTAL_BASE_URL."""

    return services.email_reminder(reminder_id=reminder_id, base_url=base_url)


@shared_task
def send_unsent_reminder_emails() -> int:
    """Every few minutes (beat): email the reminders of the last two days whose email was lost
    with the broker (the portal notice was made all the same), each once."""

    return services.email_unsent_reminders(since=timezone.now() - timedelta(days=2))


@shared_task
def send_due_reminders() -> int:
    """Daily (beat): remind departments behind on an open period's figures."""

    return len(services.send_due_reminders(user=system_account(SystemAccount.SCHEDULER)))


@shared_task
def lock_overdue_periods() -> list[str]:
    """Daily (beat): lock open periods past their deadline (系统设置: auto_lock)."""

    if not office_settings().auto_lock:
        return []
    user = system_account(SystemAccount.SCHEDULER)
    return [p.code for p in services.lock_overdue_periods(user=user)]


@shared_task(name=totals.BUILD_TOTALS_TASK)
def build_rollup_totals(period_id: int) -> int:
    """Rebuild a period's area totals (metrics.totals) after the tree or who is due changed;
    returns how many rows."""

    return totals.build_period(period_id=period_id)


@shared_task
def build_missing_rollup_totals() -> int:
    """Every few minutes (beat): build the periods whose totals are stale or were never built
    (after a migration, or a build lost with the broker), each in its own transaction."""

    missing = totals.periods_to_build()
    for period_id in missing:
        totals.build_period(period_id=period_id)
    return len(missing)
