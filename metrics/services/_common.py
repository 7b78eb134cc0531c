"""What the write services share: the clerk-editable states, the conflict on a stale version,
the audit record of a save and the check that a period is open."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..models import (
    Figure,
    FigureStatus,
    ReportingPeriod,
)
from ..validation import plain

EDITABLE_BY_CLERK = (FigureStatus.DRAFT, FigureStatus.RETURNED)


class FigureConflict(Exception):
    """The figure changed since the editor loaded it; `figure` holds what is stored now."""

    def __init__(self, figure: Figure):
        self.figure = figure
        super().__init__(f"figure {figure.pk} is at version {figure.version}")


def record(figure: Figure, *, user, reason: str) -> None:
    """Name the acting user and the reason in the history row the next save writes."""
    figure._history_user = user if user is not None and user.is_authenticated else None
    figure._change_reason = reason


def ensure_open(period: ReportingPeriod) -> None:
    if period.is_locked:
        raise ValidationError(f"{period.label}已锁定，不能再修改数据。")


def changed_by(figure: Figure) -> str:
    """已被陈静于2026-11-30 15:41修改，当前值为 155: who got there first, and what stands."""
    by = figure.updated_by.display_name if figure.updated_by else "他人"
    when = timezone.localtime(figure.updated_at).strftime("%Y-%m-%d %H:%M")
    current = "未填" if figure.value is None else plain(figure.value)
    return f"已被{by}于{when}修改，当前值为 {current}"


def conflict_message(figure: Figure | None) -> str:
    if figure is None or figure.pk is None:
        return "该数据已被他人删除，请刷新页面。"
    return (
        f"该数据{changed_by(figure)}"
        f"（{figure.get_status_display()}）。您填写的内容未保存；核对后如仍以您的为准，请再次保存。"
    )
