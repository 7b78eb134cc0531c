"""Edits of the same object by two people: the second save, made over a page or an API read
that is no longer current, is refused with the current values shown, never a silent revert
(figures carry Figure.version; everything else edited in forms and the API carries this).

The version of an object is a fingerprint of every stored column, so no column and no
migration is needed for it, and any change, whoever made it (a page, the API, the admin, a
command), makes it stale. A form carries it in a hidden field, the API in its read and its
write (`version`); the service compares it under the row lock it already takes."""

import hashlib

from django.core.exceptions import ValidationError

from .domain_errors import DomainError

STALE = "stale"


def version_of(obj, fields=None, extra=()) -> str:
    """`fields`: the columns that count (by default every stored one; a user's last login
    is no edit of the account); `extra`: more that counts (a user's role, say)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields if not f.primary_key]
    values = [(name, repr(getattr(obj, name))) for name in names] + [repr(v) for v in extra]
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


class StaleEdit(DomainError, ValidationError):
    """The object changed since the editor loaded it: `current` holds its stored values as
    the page and the API show them, `version` the version to save over them next time."""

    status_code = 409
    default_code = STALE

    def api_message(self) -> str:
        return self.messages[0]

    def api_extra(self) -> dict:
        return {"current": self.current}

    def __init__(self, obj, current: dict, what: str, fields=None, extra=()):
        shown = "；".join(f"{label}：{value}" for label, value in current.items() if value != "")
        super().__init__(
            f"{what}已被他人修改，您的修改未保存。当前内容为 — {shown}。"
            "请核对后重新保存（您填写的内容已保留）。",
            code=STALE,
        )
        self.current = current
        self.version = version_of(obj, fields, extra)


def require_current(
    obj, expected: str | None, *, what: str, shown: dict, fields=None, extra=()
) -> None:
    """Refuse the save when `expected` (the version the editor loaded) is given and no longer
    `obj`'s (read under its row lock). `shown`: the current values by their Chinese label."""
    if expected in (None, ""):
        return
    if str(expected) != version_of(obj, fields, extra):
        current = {label: "" if v is None else str(v) for label, v in shown.items()}
        raise StaleEdit(obj, current, what, fields, extra)
