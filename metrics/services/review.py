"""A reviewer's writes: approve, return, reopen a figure; comments in its thread."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .. import access
from ..areas import approving_area
from ..models import (
    CommentKind,
    Department,
    Figure,
    FigureComment,
    FigureStatus,
    ReportingPeriod,
    entered_condition,
)
from ..progress import reviewer_may_approve, reviewer_may_return
from ..texts import COMMENT, REASON, clean_text
from ._common import FigureConflict, ensure_unlocked, record, save_figures, write_figure


def _locked_figure(figure_id: int) -> Figure:
    return (
        Figure.objects.select_for_update(of=("self",))
        .select_related("indicator__department", "unit__area", "period")
        .get(pk=figure_id)
    )


def _for_review(
    figure: Figure, *, user, action: str, expected_version: int | None = None
) -> Figure:
    """The figure, locked and read again, once the reviewer may act on it at all. With
    `expected_version` (the version the reviewer's page showed), a figure changed since is
    refused (FigureConflict): nobody approves a value they have not seen."""
    access.require(access.can_review(user), f"只有审核员可以{action}数据。")
    figure = _locked_figure(figure.pk)
    _may_approve(user, figure.unit, action)
    ensure_unlocked(figure.unit, figure.period)
    if expected_version is not None and expected_version != figure.version:
        raise FigureConflict(figure)
    return figure


def _may_approve(user, unit: Department, action: str) -> None:
    """A figure is acted on by the office that approves its unit (metrics.access.can_approve_unit):
    a township's by its district, never by a neighbour nor by the city directly."""
    if not access.can_approve_unit(user, unit):
        office = approving_area(unit.area)
        raise PermissionDenied(f"{unit.name}的数据由{office.name}审核，您不能{action}。")


def _reason(reason: str | None, missing: str) -> str:
    reason = clean_text(reason, kind=REASON)
    if not reason:
        raise ValidationError(missing)
    return reason


@transaction.atomic
def return_figure(
    *, figure: Figure, user, reason: str, expected_version: int | None = None
) -> Figure:
    """A reviewer sends one submitted (or approved) figure back to the clerk with a reason."""
    figure = _for_review(figure, user=user, action="退回", expected_version=expected_version)
    reason = _reason(reason, "请填写退回原因。")
    if not reviewer_may_return(status=figure.status, period_locked=False):
        raise ValidationError(
            f"{figure.indicator.name}{figure.get_status_display()}，只有已报送或已审核的数据可以退回。"
        )
    return _send_back(figure, user=user, reason=reason, kind=CommentKind.RETURN, action="退回")


@transaction.atomic
def approve_figure(
    *, figure: Figure, user, comment: str = "", expected_version: int | None = None
) -> Figure:
    figure = _for_review(figure, user=user, action="审核", expected_version=expected_version)
    if not reviewer_may_approve(status=figure.status, period_locked=False):
        raise ValidationError(
            f"{figure.indicator.name}{figure.get_status_display()}，只有已报送的数据可以审核通过。"
        )
    _approve([figure], user=user, comment=comment)
    return figure


def _approve(figures: list[Figure], *, user, comment: str = "") -> None:
    comment = clean_text(comment, kind=COMMENT)
    for figure in figures:
        figure.status = FigureStatus.APPROVED
        figure.return_reason = ""
        figure.updated_by = user
        figure.version += 1
        record(figure, user=user, reason=f"审核通过：{comment}" if comment else "审核通过")
    save_figures(figures)
    if comment:
        FigureComment.objects.bulk_create(
            FigureComment(figure=f, author=user, kind=CommentKind.APPROVE, text=comment)
            for f in figures
        )


@transaction.atomic
def approve_department(
    *,
    department: Department,
    period: ReportingPeriod,
    user,
    comment: str = "",
    shown: dict[int, int] | None = None,
) -> list[Figure]:
    """Approve every submitted figure of a department in one click. `shown` maps each figure
    the reviewer's page listed to the version it showed: if the submitted figures are not
    exactly those, as shown, nothing is approved."""
    access.require(access.can_review(user), "只有审核员可以审核数据。")
    _may_approve(user, department, "审核")
    ensure_unlocked(department, period)
    figures = list(
        Figure.objects.select_for_update(of=("self",))
        .select_related("indicator")
        .filter(period=period, unit=department, status=FigureStatus.SUBMITTED)
        .filter(entered_condition(period, prefix="indicator__"))
    )
    if not figures:
        raise ValidationError(f"{department.name}没有待审核的数据。")
    if shown is not None and {f.pk: f.version for f in figures} != shown:
        raise ValidationError(
            f"{department.name}的待审核数据在您打开页面后有变动，未审核任何数据；请核对刷新后的页面再审核。"
        )
    _approve(figures, user=user, comment=comment)
    return figures


@transaction.atomic
def reopen_figure(
    *, figure: Figure, user, reason: str, expected_version: int | None = None
) -> Figure:
    """A reviewer reopens an approved figure so that the clerk can correct it."""
    figure = _for_review(figure, user=user, action="重新开放", expected_version=expected_version)
    reason = _reason(reason, "请填写重新开放的原因。")
    if figure.status != FigureStatus.APPROVED:
        raise ValidationError(f"{figure.indicator.name}尚未审核通过，无需重新开放。")
    return _send_back(figure, user=user, reason=reason, kind=CommentKind.REOPEN, action="重新开放")


def _send_back(figure: Figure, *, user, reason: str, kind: str, action: str) -> Figure:
    """Hand a figure back to its clerk with the reviewer's reason, in its history and thread."""
    figure.status = FigureStatus.RETURNED
    figure.return_reason = reason
    figure.updated_by = user
    figure.version += 1
    record(figure, user=user, reason=f"{action}：{reason}")
    write_figure(figure)
    FigureComment.objects.create(figure=figure, author=user, kind=kind, text=reason)
    return figure


@transaction.atomic
def add_comment(*, figure: Figure, user, text: str) -> FigureComment:
    """A remark in the figure's thread, by a reviewer or a clerk of the department."""
    department = figure.unit
    access.require(
        access.can_review(user) or access.can_enter_figures(user, department),
        "您不能对该数据发表意见。",
    )
    text = clean_text(text, kind=COMMENT)
    if not text:
        raise ValidationError("意见内容不能为空。")
    return FigureComment.objects.create(
        figure=figure, author=user, kind=CommentKind.COMMENT, text=text
    )
