"""Processes the tests start beside themselves."""

import subprocess
import sys
from pathlib import Path


def start_worker(env: dict, log, name: str):
    """A Celery worker process of the project, in its own process group (so a test can kill it
    whole), logging to `log`."""
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
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
