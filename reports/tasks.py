"""Background work of the reports app: building a job's documents, and the sweep of stuck jobs.

This module alone knows the tasks: the services queue a build by its name through the Celery
app (services.BUILD_REPORT), so that they, which this module calls, never import it.
ReportsConfig.ready() imports it, so that every process knows the tasks by name, the web's too
(where tasks run in-process without a broker, as in the tests)."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import services

logger = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    name=services.BUILD_REPORT,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    soft_time_limit=settings.REPORT_BUILD_SOFT_TIME_LIMIT_SECONDS,
    time_limit=settings.REPORT_BUILD_TIME_LIMIT_SECONDS,
)
def build_report(self, job_id: int) -> None:
    """Acknowledged only once done: a job whose worker was lost (killed, out of memory, the
    machine gone) goes back to the queue after the broker's visibility timeout and another
    worker builds it; `run_report_job` is safe to run again, and refuses a job delivered
    REPORT_BUILD_MAX_DELIVERIES times (a poison job ends). A build past the soft time limit
    is failed with the reason; one past the hard limit is killed and failed by the sweep
    (fail_stuck_jobs), never re-queued."""
    try:
        services.run_report_job(job_id=job_id)
    except SoftTimeLimitExceeded:
        logger.error("report job %s stopped at the soft time limit", job_id)
        _fail_or_leave_to_the_sweep(job_id, services.build_timed_out_message())
    except DATABASE_ERRORS as exc:
        # The database went away for a moment: try again, and give up visibly.
        if self.request.retries >= self.max_retries:
            _fail_or_leave_to_the_sweep(job_id, services.DATABASE_UNAVAILABLE)
            raise
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
    except Exception as exc:
        logger.exception("report job %s failed", job_id)
        _fail_or_leave_to_the_sweep(job_id, f"生成失败：{exc}")


def _fail_or_leave_to_the_sweep(job_id: int, message: str) -> None:
    """Mark the job failed; if the database is still away, the sweep (fail_stuck_jobs, every
    minute, retrying itself) fails it once it is back: the job stays 生成中 no longer than
    the build's hard time limit plus a minute after the database returns."""
    try:
        services.mark_failed(job_id=job_id, message=message)
    except DATABASE_ERRORS:
        logger.error("report job %s: could not mark it failed now; the sweep will", job_id)


@shared_task(
    autoretry_for=DATABASE_ERRORS,
    max_retries=6,
    retry_backoff=2,
    retry_backoff_max=30,
    retry_jitter=False,
)
def fail_stuck_jobs() -> int:
    return services.fail_stuck_jobs()
