"""In CI: a real Celery worker over Redis builds a report end to end."""

import pytest

from accounts import demo
from metrics.models import ReportingPeriod, User
from reports import services
from reports.models import JobStatus, ReportJob
from tests.processes import wait_for_job
from tests.reports.speech import expected_speech, pdf_text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_builds_the_final_report(live_worker, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    demo.seed_demo()
    job = services.request_report(
        period=ReportingPeriod.objects.get(code="2025"),
        kind="final",
        user=User.objects.get(username="leader"),
    )
    wait_for_job(job, seconds=180)
    assert job.status == JobStatus.SUCCEEDED, (
        job.status,
        job.error,
        live_worker.log.read_text()[-3000:],
    )
    assert job.attempts == 1
    assert pdf_text(job.pdf.read()) == expected_speech(job.snapshot)
    assert ReportJob.objects.count() == 1
