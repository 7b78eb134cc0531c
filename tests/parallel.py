"""Each pytest-xdist worker gets a Redis database of its own.

Loaded as a plugin (`-p tests.parallel` in pyproject's addopts) so that it runs before Django
reads its settings. pytest-django already gives each worker a test database of its own
(test_lawgov_gw0, test_lawgov_gw1 …); Redis is shared, and two workers' Celery workers on one
database would take each other's tasks. Worker gwN uses REDIS_URL's database + N: with
REDIS_URL=redis://127.0.0.1:6379/5, gw0 uses 5 and gw1 uses 6 (.ci/run empties both).
"""

import os
import re


def worker_number(worker: str | None) -> int:
    """0 for gw0 or a run without xdist, N for gwN."""
    match = re.fullmatch(r"gw(\d+)", worker or "")
    return int(match.group(1)) if match else 0


def redis_url_for_worker(url: str, worker: str | None) -> str:
    """REDIS_URL with its database number moved up by the worker's number."""
    offset = worker_number(worker)
    if not url or offset == 0:
        return url
    match = re.fullmatch(r"(redis://[^/?#]*)(?:/(\d*))?(.*)", url)
    if match is None:
        return url
    base, db, rest = match.groups()
    return f"{base}/{int(db or 0) + offset}{rest}"


os.environ["REDIS_URL"] = redis_url_for_worker(
    os.environ.get("REDIS_URL", ""), os.environ.get("PYTEST_XDIST_WORKER")
)
if not os.environ["REDIS_URL"]:
    del os.environ["REDIS_URL"]
