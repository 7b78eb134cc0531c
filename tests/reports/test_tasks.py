"""The Celery task that builds a report job: database blips are retried, anything else fails
the job with a reason the leader can read. Run with `apply`, in-process: no broker needed.

A duplicate delivery of a finished job is covered where the task's work is done, by
tests/reports/test_services.py::test_running_a_job_twice_makes_one_file (the task only calls
`services.run_report_job`), and a redelivery after a killed worker by test_faults.py."""

import pytest
from celery.exceptions import Retry
from django.db import OperationalError

from metrics.models import ReportingPeriod
from reports import services
from reports.models import JobStatus, ReportJob
from reports.tasks import build_report

DB_DOWN_MESSAGE = "数据库暂时不可用，生成失败，请重试。"


@pytest.fixture
def job(leader_user):
    return services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"), kind="final", user=leader_user
    )


@pytest.fixture
def runs(monkeypatch):
    """Replace services.run_report_job by the given outcomes, one per call (an exception is
    raised, None runs the real thing), recording the job ids it was called with."""
    real = services.run_report_job
    calls = []

    def install(*outcomes):
        pending = list(outcomes)

        def run_report_job(*, job_id):
            calls.append(job_id)
            outcome = pending.pop(0) if pending else None
            if outcome is None:
                return real(job_id=job_id)
            raise outcome

        monkeypatch.setattr(services, "run_report_job", run_report_job)
        return calls

    return install


def _deliver(job_id, *, retries=0):
    """One delivery of the task, as the worker runs it: `retries` is how many times it has
    been retried before. The project propagates eager errors (CELERY_TASK_EAGER_PROPAGATES),
    so a retry the task asks for surfaces here as celery's `Retry`, which a worker would act on
    by queueing the task again after `Retry.when` seconds."""
    return build_report.apply(args=[job_id], retries=retries)


def test_a_database_blip_is_retried_and_the_report_is_still_built(job, media, runs):
    calls = runs(OperationalError("server closed the connection unexpectedly"), None)
    with pytest.raises(Retry) as retry:
        _deliver(job.pk)
    assert retry.value.when == 2
    assert isinstance(retry.value.exc, OperationalError)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # not failed: it is coming back
    assert _deliver(job.pk, retries=1).successful()
    assert calls == [job.pk, job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.error == ""
    assert job.pdf.read().startswith(b"%PDF")


def _deliver_until_settled(job, waits, statuses):
    """Deliver the task as a worker would: again, `Retry.when` seconds later, each time it asks
    for a retry, until it asks for none. Records the waits it asked for and the job's status
    each time it was put back; the outcome (or the error) of the last delivery comes out."""
    while len(waits) <= 10:
        try:
            return _deliver(job.pk, retries=len(waits))
        except Retry as retry:
            waits.append(retry.when)
        job.refresh_from_db()
        statuses.append(job.status)
    pytest.fail(f"still retrying after waits of {waits} s")


def test_a_database_back_before_the_last_retry_still_builds_the_report(job, media, runs):
    calls = runs(*[OperationalError("server closed the connection unexpectedly")] * 3, None)
    waits, statuses = [], []
    assert _deliver_until_settled(job, waits, statuses).successful()
    assert waits == [2, 4, 8]
    assert statuses == [JobStatus.QUEUED] * 3  # never shown as failed on the way
    assert calls == [job.pk] * 4
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.error == ""
    assert job.pdf.read().startswith(b"%PDF")


def test_a_database_that_stays_away_fails_the_job_after_the_last_retry(job, runs):
    calls = runs(*[OperationalError("could not connect to server")] * 10)
    waits, statuses = [], []
    # The last delivery gives up: the job is failed for the leader to see and the error
    # goes on to the worker's log.
    with pytest.raises(OperationalError, match="could not connect to server"):
        _deliver_until_settled(job, waits, statuses)
    assert waits == [2, 4, 8]  # backing off, about 14 s in all
    assert statuses == [JobStatus.QUEUED] * 3  # not failed while it is coming back
    assert calls == [job.pk] * 4
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == DB_DOWN_MESSAGE
    assert job.finished_at is not None
    assert not job.pdf


def test_retried_in_process_the_whole_chain_ends_in_a_failed_job(job, runs):
    """With eager errors not propagated, `apply` follows the retries itself."""
    from lawgov.celery import app

    calls = runs(*[OperationalError("could not connect to server")] * 4)
    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    try:
        result = build_report.apply(args=[job.pk])
    finally:
        app.conf.task_eager_propagates = saved
    assert result.failed() and isinstance(result.result, OperationalError)
    assert len(calls) == 4
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, DB_DOWN_MESSAGE)


def test_any_other_error_fails_the_job_at_once_with_a_readable_reason(job, runs):
    calls = runs(RuntimeError("字体文件无法读取"))
    result = build_report.apply(args=[job.pk])
    assert result.successful()  # handled: nothing for Celery to retry or report
    assert calls == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "生成失败：字体文件无法读取"
    assert job.finished_at is not None


def test_a_failed_job_shows_its_reason_on_the_job_page(job, runs, leader_client):
    runs(RuntimeError("字体文件无法读取"))
    build_report.apply(args=[job.pk])
    page = leader_client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "生成失败：字体文件无法读取" in page and "重新生成" in page


def test_a_failure_does_not_undo_a_job_that_already_succeeded(job, media, runs):
    """A late duplicate delivery that hits an error leaves the finished report alone."""
    build_report.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    runs(RuntimeError("late duplicate broke"))
    build_report.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.error == ""
    assert ReportJob.objects.count() == 1


def test_without_a_broker_a_database_blip_fails_the_job_instead_of_losing_it(
    leader_user, runs, django_capture_on_commit_callbacks
):
    """No broker (tasks run in the request): nothing would deliver the retry later, so the job
    the leader asked for stays, failed with the reason, rather than vanishing behind a
    "queue unavailable" message."""
    conf = build_report.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = True  # as with no REDIS_URL and no CELERY_BROKER_URL
    try:
        runs(OperationalError("server closed the connection unexpectedly"))
        with django_capture_on_commit_callbacks(execute=True):
            job = services.request_report(
                period=ReportingPeriod.objects.get(code="2025"), kind="final", user=leader_user
            )
    finally:
        conf.task_always_eager = eager
    job = ReportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED and job.error == DB_DOWN_MESSAGE
