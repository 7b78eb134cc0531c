"""What the portal says when something below it fails: the file store refusing a write (disk
full, quota, no permission), the database connection gone. One place for the classes, the
Chinese words and the file write that never leaves half a file behind."""

import errno
import logging
import os
import posixpath
import secrets

from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

# The errors of a file store that no retry by the user fixes: an administrator must act.
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
NO_PERMISSION = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
STORAGE_ERRNOS = NO_SPACE | NO_PERMISSION

STORAGE_FULL_MESSAGE = "存储空间不足，文件未能保存，请联系管理员。"
STORAGE_DENIED_MESSAGE = "存储目录无写入权限，文件未能保存，请联系管理员。"
DATABASE_MESSAGE = "数据库暂时不可用，请稍后重试。"


class StorageUnavailable(Exception):
    """The file store refused a write; `message` says why in the portal's words. Nothing of
    the file stays behind."""

    def __init__(self, error: OSError):
        self.errno = error.errno
        self.message = STORAGE_FULL_MESSAGE if error.errno in NO_SPACE else STORAGE_DENIED_MESSAGE
        super().__init__(f"{self.message} ({error})")

    @property
    def no_space(self) -> bool:
        return self.errno in NO_SPACE


def is_storage_error(exc: BaseException) -> bool:
    return isinstance(exc, StorageUnavailable) or (
        isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS
    )


def is_database_down(exc: BaseException) -> bool:
    """A lost or refused database connection (not a constraint, not bad SQL)."""
    return isinstance(exc, (OperationalError, InterfaceError))


def discard(storage, name: str | None) -> None:
    """Remove a file, if it is there, without letting a second failure hide the first."""
    if not name:
        return
    try:
        storage.delete(name)
    except Exception as exc:  # noqa: BLE001 - cleaning up after another error
        logger.warning("could not remove %s after a failed write: %s", name, exc)


def save_file(storage, name: str, data: bytes, *, overwrite: bool = False) -> str:
    """Store `data` as `name` (another free name unless `overwrite`) and return the name used.

    On a local file system the bytes go to a temporary name beside the target and are renamed
    into place once complete, so a reader never sees a partial file and a failed write leaves
    nothing. A refusal of the store (ENOSPC, EDQUOT, EACCES, EPERM, EROFS) is raised as
    StorageUnavailable; any other error as it is, after the same clean-up."""
    directory, base = posixpath.split(name)
    temporary = posixpath.join(directory, f".part-{secrets.token_hex(8)}-{base}")
    try:
        local = storage.path(temporary)
    except NotImplementedError:
        local = None
    written = None
    try:
        if local is None:  # a remote store writes an object at once, or not at all
            if overwrite and storage.exists(name):
                storage.delete(name)
            return storage.save(name, ContentFile(data))
        written = storage.save(temporary, ContentFile(data))
        final = name if overwrite else storage.get_available_name(name)
        os.replace(storage.path(written), storage.path(final))
        return final
    except OSError as exc:
        discard(storage, written or temporary)
        if exc.errno in STORAGE_ERRNOS:
            raise StorageUnavailable(exc) from exc
        raise
    except BaseException:
        discard(storage, written or temporary)
        raise
