"""Creates with a unique code or name, and orderings by "max + 1", made safe under
concurrency: the one place that turns a race into a refusal (400/409), never a 500.

`hold(name)` takes a transaction-scoped lock named `name` (PostgreSQL's advisory lock; on
SQLite every write transaction is serialised already): the second of two creates waits for
the first to commit, then its own checks (full_clean's uniqueness, the next order) read the
first's row and refuse it with the usual Chinese message. `refused_if_taken` is the
backstop for a writer that did not hold the lock (the admin, a command): the database's
unique constraint refuses it, and the refusal becomes a ValidationError too."""

import zlib
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

TAKEN = "已被他人同时创建或修改，请刷新后重试。"


def hold(name: str, *, shared: bool = False) -> None:
    """Inside a transaction: wait for, and hold until it ends, the lock called `name`; a
    shared hold lets other shared holders in and keeps an exclusive one out."""
    _advisory([zlib.crc32(f"lawgov:{name}".encode())], shared=shared)


def hold_pair(first: int, second: int, *, shared: bool = False) -> None:
    """hold() for a lock named by two numbers (PostgreSQL's two-key advisory lock, a key space
    apart from hold()'s names): exact, where a hash of many names could collide and so break
    the one order in which a writer takes several."""
    _advisory([first, second], shared=shared)


def _advisory(keys: list[int], *, shared: bool) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("an advisory lock needs a transaction")
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}({', '.join(['%s'] * len(keys))})", keys)


@contextmanager
def refused_if_taken(message: str = TAKEN, *, field: str | None = None, code: str = "taken"):
    """Run the write under a savepoint; a unique constraint's refusal becomes a
    ValidationError with `message` (by `field` when given)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        text = str(exc).lower()
        if "unique" not in text and "duplicate" not in text:
            raise
        error = ValidationError(message, code=code)
        raise (ValidationError({field: error}) if field else error) from exc
