"""The broker-less default of `make run`: without REDIS_URL the Makefile starts the worker with
CELERY_BROKER_URL=filesystem://, and the web process (same shell, same environment) hands it
report jobs as files. A real worker process builds a job the leader requests in the web.

lawgov/settings.py puts the file-system transport's folders under the project's var/ with no
setting to move them, so the test gives both sides a settings module of its own that imports
lawgov.settings (under CELERY_BROKER_URL=filesystem://) and only points those folders at the
test's tmp folder: the test neither reads nor leaves messages in a developer's var/ queue."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from reports.models import JobStatus, ReportJob
from tests.conftest import publishing_to
from tests.processes import start_worker, wait_for_job
from tests.reports.speech import expected_speech, pdf_text

ROOT = Path(__file__).resolve().parents[2]

SETTINGS_SHIM = """\
from lawgov.settings import *  # noqa: F403

# What `make run` gives the worker without REDIS_URL: the file-system transport.
assert CELERY_BROKER_URL == "filesystem://", CELERY_BROKER_URL  # noqa: F405
assert not CELERY_TASK_ALWAYS_EAGER  # noqa: F405
assert "data_folder_in" in CELERY_BROKER_TRANSPORT_OPTIONS  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS = {{**CELERY_BROKER_TRANSPORT_OPTIONS, **{folders!r}}}  # noqa: F405
"""


@pytest.fixture
def filesystem_broker(tmp_path):
    """This process publishes through Kombu's file-system transport into tmp folders."""

    folders = {
        "data_folder_in": str(tmp_path / "queue"),
        "data_folder_out": str(tmp_path / "queue"),
        "processed_folder": str(tmp_path / "processed"),
        "control_folder": str(tmp_path / "control"),
    }
    for folder in set(folders.values()):
        Path(folder).mkdir()

    with publishing_to("filesystem://", {**folders, "store_processed": False}):
        yield folders


def _queued_messages(folders) -> list[str]:
    return sorted(p.name for p in Path(folders["data_folder_in"]).glob("*.msg"))


def _start_embedded_worker(env, log):
    """The worker as `make run` starts it (with beat), its schedule file in the tmp folder."""
    return start_worker(
        env,
        log,
        f"embedded-{os.getpid()}",
        "--beat",
        "--schedule",
        str(log.parent / "celerybeat-schedule"),
    )


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_redis_the_embedded_worker_builds_the_report_the_leader_asks_for(
    postgres, filesystem_broker, leader_client, media, tmp_path
):
    # A worker process cannot see an in-memory SQLite test database: the `postgres` fixture
    # skips (or fails under CI=true) without PostgreSQL.
    db = postgres.settings_dict
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "embedded_worker_settings.py").write_text(
        SETTINGS_SHIM.format(folders=filesystem_broker), encoding="utf-8"
    )
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        # As the Makefile does when REDIS_URL is unset (empty, so a .env cannot fill it in).
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "filesystem://",
        "LAWGOV_MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "embedded_worker_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(shim), os.environ.get("PYTHONPATH")])),
    }

    # The leader asks in the web; with no worker running yet the job waits as a file.
    response = leader_client.post("/reports/", {"period": "2025", "kind": "final"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    job = ReportJob.objects.get()
    assert response["Location"] == f"/reports/jobs/{job.pk}/"
    assert job.status == JobStatus.QUEUED
    assert len(_queued_messages(filesystem_broker)) == 1

    log = tmp_path / "worker.log"
    worker = _start_embedded_worker(env, log)
    try:
        wait_for_job(job, seconds=60, worker=worker)
        assert job.status == JobStatus.SUCCEEDED, (
            job.status,
            job.error,
            worker.poll(),
            log.read_text(encoding="utf-8", errors="replace")[-4000:],
        )
        # Tasks are acknowledged once they have returned (acks_late): the message leaves the
        # queue just after the job is marked done, so wait for it before stopping the worker.
        deadline = time.monotonic() + 20
        while _queued_messages(filesystem_broker) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        _stop(worker)

    assert job.attempts == 1 and job.error == ""
    assert (media / job.pdf.name).is_file() and (media / job.docx.name).is_file()
    assert _queued_messages(filesystem_broker) == []  # consumed, nothing left behind
    # What the leader then sees: the job page says done and the PDF downloads.
    assert "已完成" in leader_client.get(f"/reports/jobs/{job.pk}/").content.decode()
    download = leader_client.get(f"/reports/jobs/{job.pk}/download/pdf/")
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF")
    assert pdf_text(pdf) == expected_speech(job.snapshot)
