"""Reminders (催报) to departments behind on a period's figures: a portal notice and an email."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import access, selectors
from ..models import (
    Department,
    FigureStatus,
    Notice,
    PeriodState,
    Reminder,
    ReportingPeriod,
)

REMINDER_DAYS_BEFORE = 3


def _reminder_text(department, period, missing, returned):
    parts = []
    if missing:
        parts.append(f"{missing} 项尚未报送")
    if returned:
        parts.append(f"{returned} 项被退回待修改")
    title = f"催报：{period.label}数据请于{period.deadline:%Y年%m月%d日}前报送"
    body = (
        f"{department.name}：{period.label}法治政府建设工作数据中，{'，'.join(parts)}。"
        f"报送截止日期为{period.deadline:%Y年%m月%d日}，请尽快登录门户填报："
        f"{settings.PORTAL_BASE_URL}/entry/{period.code}/"
    )
    return title, body


@transaction.atomic
def send_reminder(
    *,
    department: Department,
    period: ReportingPeriod,
    user=None,
    today: datetime.date | None = None,
) -> Reminder | None:
    """Remind one department (notice in the portal + email to its clerks), at most once a
    day: returns None when it was already reminded today or has nothing outstanding."""
    manual = user is not None
    if manual:
        access.require(access.can_remind(user), "只有审核员和区领导可以催报。")
    today = today or timezone.localdate()
    progress = selectors.department_progress(department=department, period=period)
    rows = progress["rows"]
    missing = sum(
        1
        for _, f in rows
        if f is None or f.status not in (FigureStatus.SUBMITTED, FigureStatus.APPROVED)
    )
    if missing == 0:
        if manual:
            raise ValidationError(f"{department.name}的数据已全部报送，无需催报。")
        return None
    returned = progress["returned"]
    reminder, created = Reminder.objects.get_or_create(
        department=department,
        period=period,
        date=today,
        defaults={
            "manual": manual,
            "sent_by": user if manual else None,
            "missing": missing - returned,
            "returned": returned,
        },
    )
    if not created:
        if manual:
            raise ValidationError(f"今天已向{department.name}催报过，每个部门每天只催报一次。")
        return None
    title, body = _reminder_text(department, period, missing - returned, returned)
    Notice.objects.create(
        department=department,
        period=period,
        title=title,
        body=body,
        created_by=user if manual else None,
    )
    from ..tasks import send_reminder_email

    # The notice is in the portal already; a broker outage costs only the email, logged.
    transaction.on_commit(lambda: send_reminder_email.delay(reminder.pk), robust=True)
    return reminder


def reminder_is_due(period: ReportingPeriod, today: datetime.date, days_before: int) -> bool:
    return (
        today == period.deadline - datetime.timedelta(days=days_before) or today > period.deadline
    )


def send_due_reminders(*, today: datetime.date | None = None) -> list[Reminder]:
    """What the beat schedule runs daily: N days before each open period's deadline, and
    every day once it is overdue, remind each department that is behind."""
    today = today or timezone.localdate()
    days_before = getattr(settings, "METRICS_REMINDER_DAYS_BEFORE", REMINDER_DAYS_BEFORE)
    sent = []
    for period in ReportingPeriod.objects.filter(state=PeriodState.OPEN):
        if not reminder_is_due(period, today, days_before):
            continue
        for department in selectors.departments_behind(period=period):
            reminder = send_reminder(department=department, period=period, today=today)
            if reminder is not None:
                sent.append(reminder)
    return sent
