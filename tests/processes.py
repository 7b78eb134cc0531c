"""Processes the tests start beside themselves."""

import subprocess
import sys
import time
from pathlib import Path


def start_worker(env: dict, log, name: str, *extra: str):
    """A Celery worker process of the project, in its own process group (so a test can kill it
    whole), logging to `log`; `extra` adds worker options (e.g. `--beat`)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lawgov",
            "worker",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"{name}@%h",
            *extra,
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for_job(job, *, seconds: float, worker=None):
    """Poll a report job until it is finished (or the time is up, or the worker died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (worker is None or worker.poll() is None):
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.5)
    job.refresh_from_db()
    return job
