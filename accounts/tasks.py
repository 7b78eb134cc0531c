"""Background work of the project app (Celery autodiscovers this module)."""

from celery import shared_task

from metrics.system import SystemAccount, system_account

from . import services


@shared_task
def purge_account_events() -> int:
    """Daily (beat): delete account audit records older than the retention period
    (LAWGOV_ACCOUNT_EVENT_RETENTION_DAYS, never under 180 days); returns how many."""

    return services.purge_account_events(user=system_account(SystemAccount.SCHEDULER))
