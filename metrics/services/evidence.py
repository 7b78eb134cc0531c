"""Supporting documents (佐证材料) attached to a figure."""

from django.core.exceptions import ValidationError
from django.db import transaction

from lawgov.faults import discard, save_file

from .. import access, evidence
from ..models import (
    CommentKind,
    Evidence,
    Figure,
    FigureComment,
    Indicator,
    ReportingPeriod,
)
from ..texts import REASON, clean_text
from ._common import EDITABLE_BY_CLERK, ensure_entered, ensure_unlocked, insert_figure, record


def add_evidence(*, indicator: Indicator, period: ReportingPeriod, upload, user) -> Evidence:
    """Attach a supporting document to a figure (created as an empty draft if need be).

    The file is complete on disk before its row is written, and removed again if the rows or
    the commit fail (a caller's own enclosing transaction that rolls back later is its own
    to clean). A full or read-only store raises StorageUnavailable, leaving nothing."""
    written: list[str] = []
    try:
        with transaction.atomic():
            return _add_evidence(
                indicator=indicator, period=period, upload=upload, user=user, written=written
            )
    except BaseException:
        for name in written:
            discard(Evidence.file.field.storage, name)
        raise


def _figure_for_upload(*, indicator: Indicator, period: ReportingPeriod, unit, user) -> Figure:
    """The figure to attach to, locked: the stored one, or a new empty draft. Two uploads
    creating it at once both end on the one row the database's constraint lets through."""
    locked = Figure.objects.select_for_update(of=("self",)).filter(
        indicator=indicator, period=period, unit=unit
    )
    figure = locked.first()
    if figure is not None:
        return figure
    figure = Figure.blank(indicator=indicator, period=period, unit=unit, updated_by=user)
    record(figure, user=user, reason="上传佐证材料")
    if not insert_figure(figure):  # another upload created it: attach to theirs
        return locked.get()
    return figure


def _add_evidence(*, indicator, period, upload, user, written: list[str]) -> Evidence:
    unit = access.entering_unit(user)
    access.require(
        unit is not None and access.can_enter_indicator(user, indicator, unit),
        f"您不能为{indicator.department.name}的数据上传佐证材料。",
    )
    ensure_unlocked(unit, period)
    ensure_entered(indicator, period)  # no figure, so no evidence, for a computed indicator
    data = evidence.read_upload(upload)
    kind = evidence.sniff(data, getattr(upload, "name", ""))
    figure = _figure_for_upload(indicator=indicator, period=period, unit=unit, user=user)
    if figure.status not in EDITABLE_BY_CLERK:
        raise ValidationError(
            f"{indicator.name}{figure.get_status_display()}，不能再添加佐证材料。"
        )
    item = Evidence(
        figure=figure,
        original_name=evidence.display_name(getattr(upload, "name", ""), kind),
        content_type=kind.content_type,
        size=len(data),
        sha256=evidence.digest(data),
        uploaded_by=user,
    )
    path = item.file.field.generate_filename(
        item, evidence.stored_name(kind, period_code=period.code)
    )
    item.file.name = save_file(item.file.storage, path, data)
    written.append(item.file.name)
    item.save()
    FigureComment.objects.create(
        figure=figure,
        author=user,
        kind=CommentKind.EVIDENCE,
        text=f"上传：{item.original_name}",
    )
    return item


@transaction.atomic
def delete_evidence(*, item: Evidence, user) -> None:
    figure = (
        Figure.objects.select_for_update(of=("self",))
        .select_related("indicator", "unit__area", "period")
        .get(pk=item.figure_id)
    )
    access.require(access.can_enter_figures(user, figure.unit), "您不能删除该佐证材料。")
    ensure_unlocked(figure.unit, figure.period)
    if figure.status not in EDITABLE_BY_CLERK:
        raise ValidationError(
            f"{figure.indicator.name}{figure.get_status_display()}，不能再删除佐证材料。"
        )
    name, storage = item.file.name, item.file.storage
    FigureComment.objects.create(
        figure=figure, author=user, kind=CommentKind.EVIDENCE, text=f"删除：{item.original_name}"
    )
    item.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def remove_evidence(*, item: Evidence, user, reason: str) -> None:
    """A reviewer's or an administrator's removal of a supporting document, whatever the
    figure's state or its period's (a wrong or sensitive file): the file goes once this has
    committed, and the figure's thread says who removed which file and why."""
    access.require(access.can_review(user), "您不能删除该佐证材料。")
    reason = clean_text(reason, kind=REASON)
    if not reason:
        raise ValidationError("请填写删除原因。", code="reason_required")
    figure = Figure.objects.select_for_update(of=("self",)).get(pk=item.figure_id)
    name, storage = item.file.name, item.file.storage
    FigureComment.objects.create(
        figure=figure,
        author=user,
        kind=CommentKind.EVIDENCE,
        text=f"删除：{item.original_name}（{reason}）",
    )
    item.delete()
    transaction.on_commit(lambda: storage.delete(name))
