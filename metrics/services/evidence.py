"""Supporting documents (佐证材料) attached to a figure."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from .. import access, evidence
from ..models import (
    CommentKind,
    Evidence,
    Figure,
    FigureComment,
    Indicator,
    ReportingPeriod,
)
from ._common import EDITABLE_BY_CLERK, ensure_open, record


@transaction.atomic
def add_evidence(*, indicator: Indicator, period: ReportingPeriod, upload, user) -> Evidence:
    """Attach a supporting document to a figure (created as an empty draft if need be)."""
    access.require(
        access.can_enter_figures(user, indicator.department),
        f"您不能为{indicator.department.name}的数据上传佐证材料。",
    )
    ensure_open(period)
    data = evidence.read_upload(upload)
    kind = evidence.sniff(data)
    figure = (
        Figure.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, period=period)
        .first()
    )
    if figure is None:
        figure = Figure(
            indicator=indicator, period=period, value_type=indicator.value_type, updated_by=user
        )
        record(figure, user=user, reason="上传佐证材料")
        figure.save()
    elif figure.status not in EDITABLE_BY_CLERK:
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
    item.file.save(
        evidence.stored_name(kind, period_code=period.code), ContentFile(data), save=False
    )
    # The file is written before the rows; if they fail, nothing may stay behind on disk.
    try:
        item.save()
        FigureComment.objects.create(
            figure=figure,
            author=user,
            kind=CommentKind.EVIDENCE,
            text=f"上传：{item.original_name}",
        )
    except Exception:
        item.file.delete(save=False)
        raise
    return item


@transaction.atomic
def delete_evidence(*, item: Evidence, user) -> None:
    figure = (
        Figure.objects.select_for_update(of=("self",))
        .select_related("indicator__department", "period")
        .get(pk=item.figure_id)
    )
    access.require(
        access.can_enter_figures(user, figure.indicator.department), "您不能删除该佐证材料。"
    )
    ensure_open(figure.period)
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
