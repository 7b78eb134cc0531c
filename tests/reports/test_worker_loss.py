"""A report job lost with its whole worker (SIGKILL of the process group mid-build) is built
by the next worker within about a minute, with the project's own broker settings: no shorter
visibility timeout for the test. The measured times are printed (pytest -s) and recorded in
docs/benchmarks.md."""

import os
import signal
import time
from pathlib import Path

import pytest

from metrics import demo
from metrics.models import ReportingPeriod, User
from reports import services
from reports.models import JobStatus, ReportJob
from tests.processes import start_worker

# The bound of the issue: rebuilt within a minute of the new worker starting.
RECOVERY_BOUND_SECONDS = 60


def _wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _status(job):
    return ReportJob.objects.filter(pk=job.pk).values_list("status", flat=True).get()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_lost_with_its_worker_is_rebuilt_within_a_minute(live_worker, settings, tmp_path):
    from lawgov.celery import app

    live_worker.terminate()  # this test runs its own workers
    live_worker.wait(timeout=30)
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert 30 <= visibility <= 55
    demo.seed_demo()
    env = {k: v for k, v in live_worker.env.items() if k != "CELERY_VISIBILITY_TIMEOUT"}
    log = tmp_path / "loss-worker.log"
    # The first worker's renders sleep, so that it is surely killed mid-build.
    first = start_worker(
        {**env, "LAWGOV_TEST_RENDER_SECONDS": "600"},
        log,
        f"lost-{time.monotonic_ns()}",
        "-I",
        "tests.slow_render",
    )
    second = None
    try:
        job = services.request_report(
            period=ReportingPeriod.objects.get(code="2025"),
            kind="final",
            user=User.objects.get(username="leader"),
        )
        assert _wait_for(lambda: _status(job) == JobStatus.RUNNING, 90), log.read_text()
        taken = time.monotonic()
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed = time.monotonic()
        assert _status(job) == JobStatus.RUNNING  # lost mid-build
        second = start_worker(env, log, f"next-{time.monotonic_ns()}")
        started = time.monotonic()
        assert _wait_for(lambda: _status(job) == JobStatus.SUCCEEDED, visibility + 60), (
            log.read_text()[-4000:]
        )
        done = time.monotonic()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        if second is not None:
            second.terminate()
            second.wait(timeout=30)
    print(
        f"\nworker loss (visibility_timeout={visibility}s): job taken → killed "
        f"{killed - taken:.1f} s; new worker started → job built {done - started:.1f} s; "
        f"job taken → built {done - taken:.1f} s"
    )
    assert done - started <= RECOVERY_BOUND_SECONDS
    job.refresh_from_db()
    assert job.attempts == 2 and job.error == ""
    assert ReportJob.objects.count() == 1
    files = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "reports" / "2025").iterdir())
    assert files == [f"2025-final-{job.pk}.docx", f"2025-final-{job.pk}.pdf"]
