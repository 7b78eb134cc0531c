"""Item 16 and Build 2 of issue 21: a poison job ends. A build past its soft time limit is
failed with a Chinese reason; one delivered REPORT_BUILD_MAX_DELIVERIES times is failed and
never built again, whatever restarts re-deliver; a job whose database went away is failed by
the sweep (which retries itself) once it is back; a failed or stuck job is never handed back
to a new identical request; a public version asked for while the queue is down is refused
(503) and leaves no job 排队."""

import datetime

import pytest
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from metrics.models import ReportingPeriod
from reports import services, tasks
from reports.models import JobStatus, ReportEvent, ReportJob, ReportKind
from tests.reports.test_documents import brief, final_brief  # noqa: F401 (fixtures)


@pytest.fixture
def job(leader_user):
    return services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"), kind="draft", user=leader_user
    )


def refreshed(job):
    job.refresh_from_db()
    return job


def test_the_build_has_time_limits_below_the_brokers_redelivery():
    task = tasks.build_report
    assert task.soft_time_limit < task.time_limit
    options = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if "visibility_timeout" in options:
        assert task.time_limit < options["visibility_timeout"]
    assert task.acks_late and task.reject_on_worker_lost


def test_a_build_past_its_soft_time_limit_is_failed_with_the_reason(job, monkeypatch):
    def endless(*, job_id):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "run_report_job", endless)
    tasks.build_report.apply(args=[job.pk])
    job = refreshed(job)
    assert job.status == JobStatus.FAILED
    assert "生成超时" in job.error and "秒" in job.error


@pytest.mark.parametrize("deliveries", [0, 1, 4, 5, 9])
def test_a_job_delivered_too_often_is_failed_not_built_again(job, media, settings, deliveries):
    """Each delivery counts (a worker killed at the hard limit, or lost, re-delivers it)."""
    settings.REPORT_BUILD_MAX_DELIVERIES = 5
    ReportJob.objects.filter(pk=job.pk).update(attempts=deliveries, status=JobStatus.RUNNING)
    job = services.run_report_job(job_id=job.pk)
    if deliveries < 5:
        assert job.status == JobStatus.SUCCEEDED, job.error
    else:
        assert job.status == JobStatus.FAILED and "多次开始生成均未完成" in job.error
        assert not job.pdf


def test_a_failed_job_re_delivered_by_a_restart_stays_failed(job, media):
    services.mark_failed(job_id=job.pk, message="生成超时")
    tasks.build_report.apply(args=[job.pk])  # the broker hands the old message back
    job = refreshed(job)
    assert job.status == JobStatus.FAILED and job.error == "生成超时" and not job.pdf


def test_a_retry_counts_its_deliveries_anew(job, leader_user, media, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda job_id, new_job: None)
    ReportJob.objects.filter(pk=job.pk).update(attempts=9)
    services.mark_failed(job_id=job.pk, message="多次")
    services.retry_report_job(job=job, user=leader_user)
    assert services.run_report_job(job_id=job.pk).status == JobStatus.SUCCEEDED


def test_with_the_database_away_the_job_is_failed_by_the_sweep_once_it_is_back(
    job, monkeypatch, settings
):
    """The task's retries run out and marking the job failed fails too: the task does not
    crash on that; the sweep fails the job as soon as the database answers again, a minute
    after the build's hard limit, not REPORT_JOB_TIMEOUT_SECONDS later."""
    settings.REPORT_JOB_TIMEOUT_SECONDS = 600

    def database_away(**kwargs):
        raise OperationalError("could not connect to server")

    started = timezone.now()
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=started)
    monkeypatch.setattr(services, "run_report_job", database_away)
    monkeypatch.setattr(services, "mark_failed", database_away)
    with pytest.raises(OperationalError):
        tasks.build_report.apply(args=[job.pk], retries=3)
    assert refreshed(job).status == JobStatus.RUNNING
    monkeypatch.undo()
    soon = started + datetime.timedelta(seconds=settings.REPORT_BUILD_TIME_LIMIT_SECONDS + 16)
    assert services.fail_stuck_jobs(now=soon) == 1
    job = refreshed(job)
    assert job.status == JobStatus.FAILED and "生成超时" in job.error


def test_the_sweep_retries_itself_while_the_database_is_away(monkeypatch):
    calls = []

    def sweep(**kwargs):
        calls.append(1)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "fail_stuck_jobs", sweep)
    with pytest.raises(Retry):
        tasks.fail_stuck_jobs.apply()
    assert calls == [1]


@pytest.mark.parametrize(
    ("status", "age_seconds", "handed_back"),
    [
        (JobStatus.QUEUED, 1, True),
        (JobStatus.RUNNING, 1, True),
        (JobStatus.RUNNING, 10_000, False),  # stuck: past the hard limit
        (JobStatus.QUEUED, 10_000, False),  # stuck: past the queue's timeout
        (JobStatus.FAILED, 1, False),
    ],
)
def test_only_a_live_job_is_handed_back_to_an_identical_request(
    leader_user, monkeypatch, status, age_seconds, handed_back
):
    monkeypatch.setattr(services, "_enqueue", lambda job_id, new_job: None)
    period = ReportingPeriod.objects.get(code="2025")
    first = services.request_report(period=period, kind="draft", user=leader_user)
    at = timezone.now() - datetime.timedelta(seconds=age_seconds)
    ReportJob.objects.filter(pk=first.pk).update(status=status, started_at=at, queued_at=at)
    again = services.request_report(period=period, kind="draft", user=leader_user)
    assert again.reused is handed_back
    assert (again.pk == first.pk) is handed_back


def test_a_public_version_asked_while_the_queue_is_down_is_refused_cleanly(
    final_brief,  # noqa: F811
    reviewer_user,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """It was a 500 (ProtectedError: the job's audit record held it) and a job left 排队."""

    def broker_down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.build_report, "delay", broker_down)
    with pytest.raises(services.QueueUnavailable):  # the page and the API say so (503)
        with django_capture_on_commit_callbacks(execute=True):
            services.request_public_version(job=final_brief, user=reviewer_user, paragraphs=[4])
    public = ReportJob.objects.filter(kind=ReportKind.PUBLIC)
    assert not public.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exists()
    # The reviewer's 审定 stays in the audit trail, on a job failed with the reason.
    for job in public:
        assert job.status == JobStatus.FAILED and "任务队列暂时不可用" in job.error
        assert ReportEvent.objects.filter(job=job).exists()
    # The queue is back: the same marks make a new job, not the failed one.
    monkeypatch.undo()
    monkeypatch.setattr(services, "_enqueue", lambda job_id, new_job: None)
    again = services.request_public_version(job=final_brief, user=reviewer_user, paragraphs=[4])
    assert again.reused is False and again.status == JobStatus.QUEUED
