"""Locking and reopening a reporting period, by a reviewer or by the scheduler."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import access, selectors
from ..models import (
    PeriodState,
    ReportingPeriod,
)
from ..texts import REASON, clean_text
from ._common import (
    record,
)


@transaction.atomic
def lock_period(*, period: ReportingPeriod, user, reason: str = "审核员锁定") -> ReportingPeriod:
    access.require(access.can_lock_periods(user), "您不能锁定报告期。")
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_locked:
        raise ValidationError(f"{period.label}已处于锁定状态。")
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
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.is_locked:
        raise ValidationError(f"{period.label}未锁定。")
    period.state = PeriodState.OPEN
    record(period, user=user, reason=f"重新开放：{reason}")
    period.save()
    return period


@transaction.atomic
def lock_overdue_periods(
    *, user, today: datetime.date | None = None, grace_days: int | None = None
) -> list[ReportingPeriod]:
    """Lock every open period whose deadline (plus the grace days) has passed; what the beat
    schedule runs daily as the scheduler's system account."""
    access.require(access.can_lock_periods(user), "您不能锁定报告期。")
    today = today or timezone.localdate()
    if grace_days is None:
        grace_days = getattr(settings, "METRICS_AUTO_LOCK_GRACE_DAYS", 0)
    locked = []
    for period in selectors.periods_to_lock(today=today, grace_days=grace_days):
        locked.append(
            lock_period(
                period=period,
                user=user,
                reason=f"超过报送截止日期（{period.deadline:%Y-%m-%d}）自动锁定",
            )
        )
    return locked
