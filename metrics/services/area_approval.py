"""An office's approval of an area below it as a whole for a period (the city approves a
district once every figure of the district's units is approved), and its withdrawal. The
approval locks the area's figures of the period (metrics.services._common.ensure_unlocked);
each change is a history row naming who and why (修改历史)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import access
from ..models import Area, AreaApproval, ReportingPeriod
from ..review_selectors import area_row
from ..texts import REASON, clean_text
from ._common import ensure_open, record

# API codes of the refusals.
AREA_INCOMPLETE = "area_incomplete"
ALREADY_APPROVED = "already_approved"
NOT_APPROVED = "not_approved"


def _office(user, area: Area, action: str) -> None:
    access.require(
        access.can_approve_area(user, area),
        f"您不能{action}{area.name}的整体审核：区域由其上一级审核员整体审核确认。",
    )


@transaction.atomic
def approve_area(*, area: Area, period: ReportingPeriod, user) -> AreaApproval:
    """Approve `area` as a whole for `period`: only when every figure of every unit in it is
    approved. From then on none of them can be changed or returned until it is withdrawn."""
    _office(user, area, "进行")
    ensure_open(period)
    # One approval at a time for the area: the row lock of the area serialises two offices'
    # clicks (the unique constraint would refuse the second anyway).
    Area.objects.select_for_update().filter(pk=area.pk).first()
    row = area_row(period=period, area=area)
    if row.approval is not None:
        raise ValidationError(
            f"{area.name}{period.label}已审核确认，无需再次确认。", code=ALREADY_APPROVED
        )
    if not row.complete:
        behind = "、".join(
            f"{u.name}（{u.progress.approved}/{u.progress.expected}）" for u in row.behind
        )
        raise ValidationError(
            f"{area.name}{period.label}的数据尚未全部审核通过（已审核 "
            f"{row.progress.approved}/{row.progress.expected} 项），不能整体审核确认"
            + (f"：{behind}。" if behind else "。"),
            code=AREA_INCOMPLETE,
        )
    approval = AreaApproval(area=area, period=period, approved_by=user)
    record(approval, user=user, reason="整体审核确认")
    approval.save()
    return approval


@transaction.atomic
def withdraw_area_approval(*, area: Area, period: ReportingPeriod, user, reason: str) -> None:
    """Withdraw (退回) the approval of `area` with a reason: its figures can again be
    returned and corrected."""
    _office(user, area, "撤回")
    reason = clean_text(reason, kind=REASON)
    if not reason:
        raise ValidationError("请填写撤回审核确认的原因。", code="reason_required")
    ensure_open(period)
    approval = AreaApproval.objects.select_for_update().filter(area=area, period=period).first()
    if approval is None:
        raise ValidationError(f"{area.name}{period.label}尚未审核确认。", code=NOT_APPROVED)
    record(approval, user=user, reason=f"撤回审核确认：{reason}")
    approval.delete()
