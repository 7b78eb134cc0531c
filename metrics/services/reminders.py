"""Reminders (催报) to departments behind on a period's figures: a notice in the portal, then
an email to the department's clerks.

A reminder goes to a department at most once a day (a database constraint) and only while
something is outstanding (metrics.progress). It is made in one transaction with its notice;
the email (text and HTML, with a link to the department's entry form: on the host the
reminding person is using when a view passes its base URL, else on PORTAL_BASE_URL) is sent afterwards, outside any transaction and without holding a row lock while
talking to the mail server: the reminder is first claimed (emailed_at set in a conditional
UPDATE, so that two deliveries of the task cannot both send), then mailed, and released again
if the mail server refused it, for the beat's sweep to try later.
"""

import datetime

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .. import access, selectors
from ..deadlines import department_deadline, reminder_is_due
from ..models import Department, Notice, PeriodState, Reminder, ReportingPeriod, User
from ..office import office_settings
from ..review_selectors import progress_by_unit
from ..system import is_system_account

REMINDER_DAYS_BEFORE = 3
# The task that emails a reminder (metrics.tasks), queued by its name: the task module calls
# these services, so they reach it through the Celery app and never import it.
SEND_REMINDER_EMAIL = "metrics.tasks.send_reminder_email"


def _reminder_text(
    department, period, *, deadline: datetime.date, unsent: int, returned: int
) -> tuple[str, str]:
    parts = []
    if unsent:
        parts.append(f"{unsent} 项尚未报送")
    if returned:
        parts.append(f"{returned} 项被退回待修改")
    title = f"催报：{period.label}数据请于{deadline:%Y年%m月%d日}前报送"
    body = (
        f"{department.name}：{period.label}法治政府建设工作数据中，{'，'.join(parts)}。"
        f"报送截止日期为{deadline:%Y年%m月%d日}，请尽快登录门户填报。"
    )
    return title, body


def entry_url(period: ReportingPeriod, *, base_url: str | None = None) -> str:
    """The absolute address of the clerks' entry form for `period`: on `base_url` (the host a
    person is using, passed by a view) or else on PORTAL_BASE_URL."""
    base = (base_url or settings.PORTAL_BASE_URL).rstrip("/")
    return base + reverse("entry", args=[period.code])


def reminder_email(notice: Notice, *, recipients: list[str], base_url: str | None = None):
    """The reminder as a multipart email: the notice's words and the link, as text and as HTML."""
    url = entry_url(notice.period, base_url=base_url)
    text = f"{notice.body}\n\n填报地址：{url}\n"
    html = format_html(
        '<p>{}</p><p><a href="{}">进入{}数据填报</a></p><p>如链接无法打开，请复制以下地址到浏览器：{}</p>',
        notice.body,
        url,
        notice.period.label,
        url,
    )
    message = EmailMultiAlternatives(
        subject=f"【法治政府建设工作汇报】{notice.title}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(html, "text/html")
    return message


@transaction.atomic
def send_reminder(
    *,
    department: Department,
    period: ReportingPeriod,
    user: User,
    today: datetime.date | None = None,
    base_url: str | None = None,
) -> Reminder | None:
    """Remind one department (notice in the portal, then email to its clerks).

    A person (reviewer, leader) is told why when there is nothing to do (a ValidationError);
    the scheduler's system account gets None: the period is locked, the department is
    complete or was reminded today already. `base_url` (e.g. "http://127.0.0.1:8001"), from
    the reminding person's request, is where the email's link points; without it,
    PORTAL_BASE_URL."""
    access.require(access.can_remind(user), "只有审核员和区领导可以催报。")
    manual = not is_system_account(user)
    today = today or timezone.localdate()
    if period.closed_for_entry:
        return _skip(f"{period.label}{period.get_state_display()}，不催报。", manual=manual)
    # The unit's own figures of the indicators its kind reports (a township's, not the first's).
    [behind] = progress_by_unit(period=period, units=Department.objects.filter(pk=department.pk))
    progress = behind.progress
    if progress.complete:
        return _skip(f"{department.name}的数据已全部报送，无需催报。", manual=manual)
    title, body = _reminder_text(
        department,
        period,
        deadline=selectors.deadline_for(period=period, department=department),
        unsent=progress.unsent,
        returned=progress.returned,
    )
    reminded = f"今天已向{department.name}催报过，每个部门每天只催报一次。"
    if Reminder.objects.filter(department=department, period=period, date=today).exists():
        return _skip(reminded, manual=manual)
    try:
        reminder = _record_reminder(
            department, period, title=title, body=body, today=today, user=user, progress=progress
        )
    except IntegrityError:
        if manual:
            raise ValidationError(reminded) from None
        return None
    # The notice is in the portal already; a broker outage costs only the email, which the
    # beat's sweep sends later (reminders_not_emailed).
    transaction.on_commit(
        lambda: current_app.tasks[SEND_REMINDER_EMAIL].delay(reminder.pk, base_url=base_url),
        robust=True,
    )
    return reminder


def _record_reminder(department, period, *, title, body, today, user, progress) -> Reminder:
    """The notice and its reminder, in a savepoint: a racing second reminder meets the daily
    constraint (IntegrityError)."""
    with transaction.atomic():
        notice = Notice.objects.create(
            department=department, period=period, title=title, body=body, created_by=user
        )
        return Reminder.objects.create(
            department=department,
            period=period,
            date=today,
            manual=not is_system_account(user),
            sent_by=user,
            notice=notice,
            unsent=progress.unsent,
            returned=progress.returned,
        )


def _skip(message: str, *, manual: bool) -> None:
    """Nothing to do: a person is told why (a ValidationError), the scheduler gets None."""
    if manual:
        raise ValidationError(message)
    return None


@transaction.atomic
def send_due_reminders(*, user: User, today: datetime.date | None = None) -> list[Reminder]:
    """What the beat schedule runs daily (as the scheduler's system account): N days before
    each open period's deadline (a department's own, where it has an extension), and every
    day once it is overdue, remind each department that is behind."""
    access.require(access.can_remind(user), "只有审核员和区领导可以催报。")
    today = today or timezone.localdate()
    days_before = office_settings().reminder_days_before
    sent = []
    for period in ReportingPeriod.objects.filter(state=PeriodState.OPEN):
        extensions = selectors.extensions_of(period=period)
        for department in (
            d
            for d in progress_by_unit(period=period, units=Department.objects.all())
            if not d.progress.complete
        ):
            deadline = department_deadline(period, department.pk, extensions)
            if not reminder_is_due(deadline, today, days_before):
                continue
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


def email_reminder(*, reminder_id: int, base_url: str | None = None) -> int:
    """Email a reminder's notice to the department's clerks, once; returns how many got it
    (0 when it was gone or emailed already). A refusal by the mail server releases the claim
    and is raised, for the task to retry. The link points at `base_url`, else at
    PORTAL_BASE_URL (the beat's reminders and sweeps). A reminder from before reminders were
    linked to their notice is worded again from its counts."""
    if not _claim(reminder_id):
        return 0
    reminder = (
        Reminder.objects.select_related("department", "period", "notice__period")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:  # deleted in between
        return 0
    notice = reminder.notice
    if notice is None:
        title, body = _reminder_text(
            reminder.department,
            reminder.period,
            deadline=selectors.deadline_for(period=reminder.period, department=reminder.department),
            unsent=reminder.unsent,
            returned=reminder.returned,
        )
        notice = Notice(
            department=reminder.department, period=reminder.period, title=title, body=body
        )
    recipients = selectors.reminder_recipients(department=reminder.department)
    try:
        if recipients:
            reminder_email(notice, recipients=recipients, base_url=base_url).send()
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
