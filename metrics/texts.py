"""How much a person may write in each kind of free text: one limit per kind, the same on the
entry form, the row save, the sheet upload, the API and the admin (the services check it; the
forms and the API's schema show it)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from lawgov.control_characters import FORBIDDEN


@dataclass(frozen=True)
class TextLimit:
    label: str
    limit: int


REMARK = TextLimit("备注", 500)
EXPLANATION = TextLimit("上报说明", 1000)
COMMENT = TextLimit("意见", 2000)
REASON = TextLimit("原因", 500)  # returning, reopening, locking, correcting

# Invisible control characters (C0 but tab and line ends, DEL, C1): PostgreSQL refuses NUL in
# text, and none of them means anything in a remark or a reason.
_CONTROL = FORBIDDEN  # the one text rule (lawgov.control_characters)


def clean_text(raw, *, kind: TextLimit) -> str:
    """The text trimmed; a ValidationError in Chinese when it is longer than the limit (never
    cut: what was typed is shown again with the reason)."""
    text = (raw or "").strip()
    if found := _CONTROL.search(text):
        raise ValidationError(
            f"{kind.label}含有不可见的控制字符（U+{ord(found.group()):04X}），请删除后再保存。"
        )
    if len(text) > kind.limit:
        raise ValidationError(
            f"{kind.label}不能超过 {kind.limit} 字（现为 {len(text)} 字），请精简后再保存。"
        )
    return text


def limits() -> dict[str, int]:
    """For the templates: the maxlength of each kind of field."""
    return {
        "remark": REMARK.limit,
        "explanation": EXPLANATION.limit,
        "comment": COMMENT.limit,
        "reason": REASON.limit,
    }
