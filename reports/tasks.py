import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def build_report(self, job_id: int) -> None:
    """Acknowledged only once done: a job whose worker was lost (killed, out of memory, the
    machine gone) goes back to the queue after the broker's visibility timeout and another
    worker builds it; `run_report_job` is safe to run again."""
    try:
        services.run_report_job(job_id=job_id)
    except (OperationalError, InterfaceError) as exc:
        # The database went away for a moment: try again, and give up visibly.
        if self.request.retries >= self.max_retries:
            services.mark_failed(job_id=job_id, message=services.DATABASE_UNAVAILABLE)
            raise
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
    except Exception as exc:
        logger.exception("report job %s failed", job_id)
        services.mark_failed(job_id=job_id, message=f"生成失败：{exc}")


@shared_task
def fail_stuck_jobs() -> int:
    return services.fail_stuck_jobs()
