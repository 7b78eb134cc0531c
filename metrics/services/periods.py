"""The office's calendar: opening a reporting period, its deadline, a department's extension,
opening entry, locking and reopening, by a reviewer or by the scheduler. Every change is a
history row naming who and why (修改历史)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import access, selectors
from ..deadlines import latest_deadline
from ..models import DeadlineExtension, Department, PeriodState, ReportingPeriod
from ..office import office_settings
from ..periods import PeriodCode
from ..texts import REASON, clean_text
from ._common import record

# API codes of the calendar's refusals.
PERIOD_EXISTS = "period_exists"
DEADLINE_INVALID = "deadline_invalid"
REASON_REQUIRED = "reason_required"
STATE_CONFLICT = "state_conflict"


def _manager(user):
    access.require(access.can_manage_periods(user), "只有法制办可以管理报告期和截止日期。")


def _reason(raw, *, required: str = "") -> str:
    reason = clean_text(raw, kind=REASON)
    if required and not reason:
        raise ValidationError({"reason": ValidationError(required, code=REASON_REQUIRED)})
    return reason


def _check_deadline(deadline, *, after: datetime.date, what: str) -> datetime.date:
    if not isinstance(deadline, datetime.date):
        raise ValidationError(
            {"deadline": ValidationError("请填写截止日期。", code=DEADLINE_INVALID)}
        )
    if deadline < after:
        raise ValidationError(
            {
                "deadline": ValidationError(
                    f"{what}不能早于{after:%Y年%-m月%-d日}。", code=DEADLINE_INVALID
                )
            }
        )
    if deadline.year > after.year + 5:
        raise ValidationError(
            {"deadline": ValidationError("截止日期过远，请核对年份。", code=DEADLINE_INVALID)}
        )
    return deadline


@transaction.atomic
def open_period(
    *,
    code: str,
    deadline: datetime.date,
    user,
    open_entry: bool = False,
    reason: str = "",
) -> ReportingPeriod:
    """A new reporting period: its dates follow from its code (2027, 2027S1, 2027Q3); entry
    opens now or later (open_entry_for)."""
    _manager(user)
    try:
        parsed = PeriodCode.parse((code or "").strip())
    except ValidationError as exc:
        raise ValidationError({"code": ValidationError(exc.messages[0], code="invalid")}) from None
    if parsed.year < 2000 or parsed.year > timezone.localdate().year + 5:
        raise ValidationError(
            {"code": ValidationError(f"报告期“{parsed}”的年份不在可开设的范围内。", code="invalid")}
        )
    _check_deadline(deadline, after=parsed.end, what="报送截止日期")
    if ReportingPeriod.objects.filter(code=str(parsed)).exists():
        raise ValidationError(
            {"code": ValidationError(f"{parsed.label}已经开设。", code=PERIOD_EXISTS)}
        )
    period = ReportingPeriod(
        code=str(parsed),
        start=parsed.start,
        end=parsed.end,
        deadline=deadline,
        state=PeriodState.OPEN if open_entry else PeriodState.PLANNED,
    )
    period.full_clean(validate_unique=False)
    text = _reason(reason) or (
        "开设报告期并开放填报" if open_entry else "开设报告期（暂不开放填报）"
    )
    record(period, user=user, reason=text)
    try:
        with transaction.atomic():
            period.save()
    except IntegrityError:  # the same code opened at the same moment by someone else
        raise ValidationError(
            {"code": ValidationError(f"{parsed.label}已经开设。", code=PERIOD_EXISTS)}
        ) from None
    return period


def _locked(period: ReportingPeriod) -> ReportingPeriod:
    return ReportingPeriod.objects.select_for_update().get(pk=period.pk)


@transaction.atomic
def change_deadline(
    *, period: ReportingPeriod, deadline: datetime.date, user, reason: str
) -> ReportingPeriod:
    """Move the period's deadline (for everyone), with the reason in its history."""
    _manager(user)
    text = _reason(reason, required="请填写修改截止日期的原因。")
    period = _locked(period)
    _check_deadline(deadline, after=period.end, what="报送截止日期")
    if deadline == period.deadline:
        raise ValidationError(
            {"deadline": ValidationError("截止日期没有变化。", code=DEADLINE_INVALID)}
        )
    before = period.deadline
    period.deadline = deadline
    record(period, user=user, reason=f"截止日期 {before:%Y-%m-%d} → {deadline:%Y-%m-%d}：{text}")
    period.save()
    return period


@transaction.atomic
def open_entry_for(*, period: ReportingPeriod, user, reason: str = "") -> ReportingPeriod:
    """Open a planned period for entry (clerks may fill it from now on, even before it
    starts)."""
    _manager(user)
    period = _locked(period)
    if period.state != PeriodState.PLANNED:
        raise ValidationError(f"{period.label}已开放填报或已锁定。", code=STATE_CONFLICT)
    period.state = PeriodState.OPEN
    record(period, user=user, reason=_reason(reason) or "开放填报")
    period.save()
    return period


@transaction.atomic
def extend_deadline(
    *,
    period: ReportingPeriod,
    department: Department,
    deadline: datetime.date,
    user,
    reason: str,
) -> DeadlineExtension:
    """Give one department its own, later deadline for `period` (or move it again): its
    clerk page, its 催报 days, its timeliness and the automatic lock follow it."""
    _manager(user)
    text = _reason(reason, required="请填写延期原因。")
    period = _locked(period)
    if period.is_locked:
        raise ValidationError(
            f"{period.label}已锁定：请先重新开放报告期，再为部门延期。", code=STATE_CONFLICT
        )
    if department.is_retired:
        raise ValidationError(
            {"department": ValidationError(f"{department.name}已停用。", code="invalid")}
        )
    _check_deadline(
        deadline,
        after=period.deadline + datetime.timedelta(days=1),
        what="延长后的截止日期",
    )
    extension = DeadlineExtension.objects.filter(period=period, department=department).first()
    if extension is None:
        extension = DeadlineExtension(period=period, department=department)
        note = f"{department.name}延期至 {deadline:%Y-%m-%d}：{text}"
    else:
        if extension.deadline == deadline:
            raise ValidationError(
                {"deadline": ValidationError("截止日期没有变化。", code=DEADLINE_INVALID)}
            )
        note = f"{department.name}延期 {extension.deadline:%Y-%m-%d} → {deadline:%Y-%m-%d}：{text}"
    extension.deadline = deadline
    extension.reason = text
    record(extension, user=user, reason=note)
    extension.save()
    return extension


@transaction.atomic
def withdraw_extension(*, extension: DeadlineExtension, user, reason: str) -> None:
    """Take a department's extension back: it reports by the period's deadline again."""
    _manager(user)
    text = _reason(reason, required="请填写取消延期的原因。")
    extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
    record(extension, user=user, reason=f"取消{extension.department.name}的延期：{text}")
    extension.delete()


@transaction.atomic
def lock_period(*, period: ReportingPeriod, user, reason: str = "审核员锁定") -> ReportingPeriod:
    access.require(access.can_lock_periods(user), "您不能锁定报告期。")
    period = _locked(period)
    if period.is_locked:
        raise ValidationError(f"{period.label}已处于锁定状态。", code=STATE_CONFLICT)
    period.state = PeriodState.LOCKED
    record(period, user=user, reason=clean_text(reason, kind=REASON) or "审核员锁定")
    period.save()
    return period


@transaction.atomic
def reopen_period(*, period: ReportingPeriod, user, reason: str) -> ReportingPeriod:
    access.require(access.can_lock_periods(user), "您不能重新开放报告期。")
    reason = clean_text(reason, kind=REASON)
    if not reason:
        raise ValidationError("请填写重新开放报告期的原因。")
    period = _locked(period)
    if not period.is_locked:
        raise ValidationError(f"{period.label}未锁定。", code=STATE_CONFLICT)
    period.state = PeriodState.OPEN
    record(period, user=user, reason=f"重新开放：{reason}")
    period.save()
    return period


@transaction.atomic
def lock_overdue_periods(
    *, user, today: datetime.date | None = None, grace_days: int | None = None
) -> list[ReportingPeriod]:
    """Lock every open period whose last deadline — its own, or the latest department
    extension — plus the grace days has passed; what the beat schedule runs daily as the
    scheduler's system account."""
    access.require(access.can_lock_periods(user), "您不能锁定报告期。")
    today = today or timezone.localdate()
    if grace_days is None:
        grace_days = office_settings().auto_lock_grace_days
    cutoff = today - datetime.timedelta(days=grace_days)
    locked = []
    for candidate, _ in selectors.periods_to_lock(today=today, grace_days=grace_days):
        # Read again under the row lock that a deadline change or an extension also takes:
        # one made since the candidates were read keeps the period open.
        period = _locked(candidate)
        last = latest_deadline(period, period.extensions.values_list("deadline", flat=True))
        if period.state != PeriodState.OPEN or last >= cutoff:
            continue
        period.state = PeriodState.LOCKED
        record(period, user=user, reason=f"超过报送截止日期（{last:%Y-%m-%d}）自动锁定")
        period.save()
        locked.append(period)
    return locked
