"""The job page learns at once that a report job moved on (排队中 → 生成中 → 已完成/失败).

The services call `announce(job_id)` whenever they save a new status; once that transaction
has committed, the job's channel is told through Redis pub/sub (with REDIS_URL). The job page
asks for its status fragment with the status it shows (`?seen=queued`) and the view holds the
request in `wait_for_change` until the job's status is another one, at most
`LONG_POLL_SECONDS`: a long poll, so the PDF link appears as soon as the worker has stored
the files, and a page with nothing new to learn costs one waiting thread, not a request every
few milliseconds.

Without Redis (`make run`: SQLite and Kombu's file-system broker) there is nothing to
subscribe to, and the wait reads the job's status from the database every `DB_POLL_SECONDS`
instead: the honest fallback, one primary-key lookup per interval and open job page.

With Redis the database is read again once a second as well, so that a status changed without
an announcement (by hand, or while Redis was away) still reaches the page within a second; a
Redis error falls back to reading the database for the rest of the wait.
"""

from __future__ import annotations

import logging
import time
from functools import cache

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# Bounded: a long poll holds a thread of the web server (runserver, gunicorn's gthread
# workers) while it waits, and proxies and gunicorn's worker timeout (60 s in compose) must
# never see it as hung. The page asks again at once after an empty answer.
LONG_POLL_SECONDS = 25.0
# Without Redis: how often the wait reads the job's status from the database.
DB_POLL_SECONDS = 0.05
# With Redis: how often the wait reads it anyway, for a change nobody announced.
RECHECK_SECONDS = 1.0


def channel(job_id: int) -> str:
    return f"lawgov:report-job:{job_id}"


@cache
def _client(url: str):
    import redis

    # Short timeouts: a Redis that does not answer must not hold a build or a page.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=3)


def announce(job_id: int) -> None:
    """Tell the job's waiting pages that its status row changed, once the current
    transaction (if any) has committed, so that what they read then is the new status.
    Never fails the caller: a page that misses it learns within RECHECK_SECONDS."""
    if settings.REDIS_URL:
        transaction.on_commit(lambda: _publish(job_id))


def _publish(job_id: int) -> None:
    try:
        _client(settings.REDIS_URL).publish(channel(job_id), "changed")
    except Exception as exc:  # noqa: BLE001 - redis.RedisError and socket errors alike
        logger.warning("could not announce report job %s: %s", job_id, exc)


def wait_for_change(
    *, job_id: int, seen_status: str, read_status, seconds: float = LONG_POLL_SECONDS
) -> str | None:
    """Return the job's status as soon as it is no longer `seen_status` (None: the job is
    gone), or `seen_status` after `seconds`. `read_status()` reads it from the database.
    Bounded: at most `seconds`, and at most seconds / DB_POLL_SECONDS reads."""
    deadline = time.monotonic() + seconds
    if settings.REDIS_URL:
        try:
            return _wait_on_redis(seen_status, read_status, deadline, channel(job_id))
        except Exception as exc:  # noqa: BLE001 - Redis down: the database answers instead
            logger.warning("report job %s: waiting on Redis failed: %s", job_id, exc)
    return _wait_on_database(seen_status, read_status, deadline)


def _wait_on_redis(seen_status, read_status, deadline, name):
    pubsub = _client(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    try:
        # Subscribed before the first read: an announcement made after that read is
        # delivered to this subscription, one made before it is in what the read sees.
        pubsub.subscribe(name)
        while True:
            status = read_status()
            remaining = deadline - time.monotonic()
            if status != seen_status or remaining <= 0:
                return status
            pubsub.get_message(timeout=min(remaining, RECHECK_SECONDS))
    finally:
        pubsub.close()


def _wait_on_database(seen_status, read_status, deadline):
    while True:
        status = read_status()
        remaining = deadline - time.monotonic()
        if status != seen_status or remaining <= 0:
            return status
        time.sleep(min(remaining, DB_POLL_SECONDS))
