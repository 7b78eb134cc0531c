"""Requests or service calls released at the same moment, each thread with its own database
connection (as each request of a threaded server has)."""

import threading

from django.db import connection


def at_once(workers, *, handle=None):
    """Run each of `workers` (callables) in a thread of its own, all released together by a
    barrier; their results in order. `handle(exc)` turns an exception into a result (by
    default the exception itself is the result, for the test's assertion to show)."""
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait(timeout=20)
            results[index] = work()
        except Exception as exc:
            results[index] = handle(exc) if handle else exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
