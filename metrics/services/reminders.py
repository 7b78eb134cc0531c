"""Reminders (催报) to departments behind on a period's figures: a notice in the portal, then
an email to the department's clerks.

A reminder goes to a department at most once a day (a database constraint) and only while
something is outstanding (metrics.progress). It is made in one transaction with its notice;
the email is sent afterwards, outside any transaction and without holding a row lock while
talking to the mail server: the reminder is first claimed (emailed_at set in a conditional
UPDATE, so that two deliveries of the task cannot both send), then mailed, and released again
if the mail server refused it, for the beat's sweep to try later.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import access, selectors
from ..models import Department, Notice, PeriodState, Reminder, ReportingPeriod, User
from ..system import is_system_account

REMINDER_DAYS_BEFORE = 3


def _reminder_text(department, period, *, unsent: int, returned: int) -> tuple[str, str]:
    parts = []
    if unsent:
        parts.append(f"{unsent} 项尚未报送")
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
    user: User,
    today: datetime.date | None = None,
) -> Reminder | None:
    """Remind one department (notice in the portal, then email to its clerks).

    A person (reviewer, leader) is told why when there is nothing to do (a ValidationError);
    the scheduler's system account gets None: the department is complete or was reminded
    today already."""
    access.require(access.can_remind(user), "只有审核员和区领导可以催报。")
    manual = not is_system_account(user)
    today = today or timezone.localdate()
    [behind] = selectors.progress_by_department(
        period=period, departments=Department.objects.filter(pk=department.pk)
    )
    progress = behind.progress
    if progress.complete:
        if manual:
            raise ValidationError(f"{department.name}的数据已全部报送，无需催报。")
        return None
    title, body = _reminder_text(
        department, period, unsent=progress.unsent, returned=progress.returned
    )
    try:
        with transaction.atomic():  # a second reminder today (even a racing one) is refused
            if Reminder.objects.filter(department=department, period=period, date=today).exists():
                raise IntegrityError("reminded today already")
            notice = Notice.objects.create(
                department=department, period=period, title=title, body=body, created_by=user
            )
            reminder = Reminder.objects.create(
                department=department,
                period=period,
                date=today,
                manual=manual,
                sent_by=user,
                notice=notice,
                unsent=progress.unsent,
                returned=progress.returned,
            )
    except IntegrityError:
        if manual:
            raise ValidationError(
                f"今天已向{department.name}催报过，每个部门每天只催报一次。"
            ) from None
        return None
    from ..tasks import send_reminder_email

    # The notice is in the portal already; a broker outage costs only the email, which the
    # beat's sweep sends later (reminders_not_emailed).
    transaction.on_commit(lambda: send_reminder_email.delay(reminder.pk), robust=True)
    return reminder


def reminder_is_due(period: ReportingPeriod, today: datetime.date, days_before: int) -> bool:
    return (
        today == period.deadline - datetime.timedelta(days=days_before) or today > period.deadline
    )


@transaction.atomic
def send_due_reminders(*, user: User, today: datetime.date | None = None) -> list[Reminder]:
    """What the beat schedule runs daily (as the scheduler's system account): N days before
    each open period's deadline, and every day once it is overdue, remind each department
    that is behind."""
    access.require(access.can_remind(user), "只有审核员和区领导可以催报。")
    today = today or timezone.localdate()
    days_before = getattr(settings, "METRICS_REMINDER_DAYS_BEFORE", REMINDER_DAYS_BEFORE)
    sent = []
    for period in ReportingPeriod.objects.filter(state=PeriodState.OPEN):
        if not reminder_is_due(period, today, days_before):
            continue
        for department in selectors.departments_behind(period=period):
            reminder = send_reminder(department=department, period=period, user=user, today=today)
            if reminder is not None:
                sent.append(reminder)
    return sent


def _claim(reminder_id: int) -> bool:
    """Mark the reminder as being emailed, if nobody has: True for the one caller that may
    send it."""
    return bool(
        Reminder.objects.filter(pk=reminder_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    )


def email_reminder(*, reminder_id: int) -> int:
    """Email a reminder's notice to the department's clerks, once; returns how many got it
    (0 when it was gone or emailed already). A refusal by the mail server releases the claim
    and is raised, for the task to retry. A reminder from before reminders were linked to
    their notice is worded again from its counts."""
    if not _claim(reminder_id):
        return 0
    reminder = (
        Reminder.objects.select_related("department", "period", "notice")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:  # deleted in between
        return 0
    if reminder.notice is not None:
        title, body = reminder.notice.title, reminder.notice.body
    else:
        title, body = _reminder_text(
            reminder.department, reminder.period, unsent=reminder.unsent, returned=reminder.returned
        )
    recipients = selectors.reminder_recipients(department=reminder.department)
    try:
        if recipients:
            send_mail(
                subject=f"【法治政府建设工作汇报】{title}",
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
    except Exception:
        Reminder.objects.filter(pk=reminder_id).update(emailed_at=None)
        raise
    Reminder.objects.filter(pk=reminder_id).update(recipients=len(recipients))
    return len(recipients)


def email_unsent_reminders(*, since: datetime.datetime) -> int:
    """Email the reminders made since `since` whose email never went out (the broker was down
    when they were made); each still goes once. Returns how many were emailed."""
    return sum(
        email_reminder(reminder_id=reminder.pk) > 0
        for reminder in selectors.reminders_not_emailed(since=since)
    )
