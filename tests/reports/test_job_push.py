"""The job page learns at once that its job moved on: the status fragment's request waits on
the server (a long poll) and answers as soon as the job's status changes — woken by the
worker's Redis announcement where there is Redis, reading the database every 50 ms where
there is not — instead of the page asking again and again with a growing delay."""

import threading
import time

import pytest

from metrics.models import ReportingPeriod
from reports import job_events, services
from reports.models import JobStatus, ReportJob


class Status:
    """A job's status as a worker would change it, counting how often the wait reads it."""

    def __init__(self, value):
        self.value, self.reads, self.changed_at = value, 0, None

    def read(self):
        self.reads += 1
        return self.value

    def change_later(self, value, *, after: float, then=None):
        def change():
            time.sleep(after)
            self.value = value
            self.changed_at = time.monotonic()
            if then:
                then()

        thread = threading.Thread(target=change)
        thread.start()
        return thread


def test_without_redis_the_wait_ends_within_a_database_poll_of_the_change(settings):
    settings.REDIS_URL = ""
    status = Status(JobStatus.RUNNING)
    thread = status.change_later(JobStatus.SUCCEEDED, after=0.3)
    started_at = time.monotonic()
    answer = job_events.wait_for_change(
        job_id=1, seen_status=JobStatus.RUNNING, read_status=status.read
    )
    returned_at = time.monotonic()
    thread.join()
    assert answer == JobStatus.SUCCEEDED
    # Answered within a few database polls of the change, not at the long poll's bound.
    assert returned_at - status.changed_at < 4 * job_events.DB_POLL_SECONDS
    assert status.reads <= (returned_at - started_at) / job_events.DB_POLL_SECONDS + 2


def test_with_redis_the_announcement_wakes_the_wait(settings, redis_url):
    """Woken by the publish itself: the status is read once on subscribing and once after the
    announcement (and perhaps once after the subscription's confirmation), never once a
    second for the bound's 25 s."""
    settings.REDIS_URL = redis_url
    job_id = 10_000_000 + threading.get_ident() % 1_000_000
    status = Status(JobStatus.RUNNING)
    thread = status.change_later(
        JobStatus.SUCCEEDED, after=0.3, then=lambda: job_events._publish(job_id)
    )
    answer = job_events.wait_for_change(
        job_id=job_id, seen_status=JobStatus.RUNNING, read_status=status.read
    )
    thread.join()
    assert answer == JobStatus.SUCCEEDED
    assert status.reads <= 3


def test_with_redis_away_the_wait_reads_the_database_instead(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    status = Status(JobStatus.QUEUED)
    thread = status.change_later(JobStatus.RUNNING, after=0.2)
    answer = job_events.wait_for_change(
        job_id=1, seen_status=JobStatus.QUEUED, read_status=status.read
    )
    thread.join()
    assert answer == JobStatus.RUNNING


def test_an_unchanged_status_is_answered_at_the_bound(settings):
    settings.REDIS_URL = ""
    status = Status(JobStatus.QUEUED)
    answer = job_events.wait_for_change(
        job_id=1, seen_status=JobStatus.QUEUED, read_status=status.read, seconds=0.2
    )
    assert answer == JobStatus.QUEUED
    # Bounded work: one read per poll interval of the wait.
    assert status.reads <= 0.2 / job_events.DB_POLL_SECONDS + 2


def test_each_status_change_of_a_build_is_announced_once_committed(
    leader_user, media, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = "redis://example.invalid/0"
    told = []
    monkeypatch.setattr(job_events, "_publish", told.append)
    job = services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"), kind="final", user=leader_user
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.run_report_job(job_id=job.pk)
    assert told == [job.pk, job.pk]  # 生成中, then 已完成
    failing = services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"), kind="final", user=leader_user
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_failed(job_id=failing.pk, message="测试失败原因")
    assert told[-1] == failing.pk


def test_the_status_fragment_asks_with_the_status_it_shows(leader_client, leader_user):
    job = services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"), kind="final", user=leader_user
    )
    page = leader_client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert f'hx-get="/reports/jobs/{job.pk}/status/?seen=queued"' in page
    assert 'hx-trigger="load, retry delay:2s"' in page and "排队中" in page
    # A status the page does not show, or none: answered at once with the current one.
    for query in ("", "?seen=running", "?seen=bogus"):
        fragment = leader_client.get(f"/reports/jobs/{job.pk}/status/{query}").content.decode()
        assert "?seen=queued" in fragment
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="测试失败原因")
    fragment = leader_client.get(f"/reports/jobs/{job.pk}/status/?seen=failed").content.decode()
    assert "hx-get" not in fragment and "测试失败原因" in fragment


@pytest.fixture(params=["redis", "database"])
def announcements(request, settings):
    """With Redis and PostgreSQL (the deployment: woken by the worker's publish), and as
    under `make run` (whatever database the suite runs on, no Redis: read every 50 ms)."""
    if request.param == "redis":
        request.getfixturevalue("postgres")
        settings.REDIS_URL = request.getfixturevalue("redis_url")
    else:
        settings.REDIS_URL = ""
    return request.param


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_long_poll_answers_with_the_pdf_link_as_soon_as_the_job_is_done(
    client, media, announcements
):
    """A leader's job page waits while the worker builds; the answer carries 下载 PDF as soon
    as the build is stored, not at the long poll's bound."""
    from accounts import demo
    from metrics.models import User

    demo.seed_demo()
    assert client.login(username="leader", password=demo.DEMO_PASSWORD)
    job = services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"),
        kind="final",
        user=User.objects.get(username="leader"),
    )
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    built = {}

    def worker():
        from django.db import connection

        time.sleep(0.5)  # the page is waiting by now
        try:
            services.run_report_job(job_id=job.pk)
            built["at"] = time.monotonic()
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    asked_at = time.monotonic()
    response = client.get(f"/reports/jobs/{job.pk}/status/?seen=running")
    answered_at = time.monotonic()
    thread.join()
    page = response.content.decode()
    assert "下载 PDF" in page and "hx-get" not in page
    assert response["HX-Trigger"] == "job-finished"
    # The wait ended with the build (the time after it is a fraction of the bound).
    assert answered_at - asked_at > 0.5
    assert answered_at - built["at"] < job_events.LONG_POLL_SECONDS / 25
