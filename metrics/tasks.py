"""Background work of the metrics app. Tasks take ids and call services."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone


@shared_task
def send_reminder_email(reminder_id: int) -> int:
    """Email a reminder's notice to the department's clerks; returns how many got it."""
    from .models import Notice, Reminder, User

    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update()
            .select_related("department", "period")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.emailed_at is not None:
            return 0  # gone, or already mailed (a redelivered task)
        notice = (
            Notice.objects.filter(department=reminder.department, period=reminder.period)
            .order_by("-created_at", "-id")
            .first()
        )
        recipients = sorted(
            User.objects.filter(
                department=reminder.department,
                is_active=True,
                groups__permissions__codename="enter_figures",
            )
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        if recipients and notice is not None:
            send_mail(
                subject=f"【法治政府建设工作汇报】{notice.title}",
                message=notice.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
        reminder.recipients = len(recipients)
        reminder.emailed_at = timezone.now()
        reminder.save(update_fields=["recipients", "emailed_at"])
    return len(recipients)


@shared_task
def send_unsent_reminder_emails() -> int:
    """Every few minutes (beat): email the reminders of the last two days whose email was lost
    with the broker (the portal notice was made all the same). Each is sent once: the email
    task skips a reminder already emailed, under a row lock."""
    from . import selectors

    since = timezone.now() - timedelta(days=2)
    return sum(
        send_reminder_email(reminder.pk) > 0
        for reminder in selectors.reminders_not_emailed(since=since)
    )


@shared_task
def send_due_reminders() -> int:
    """Daily (beat): remind departments behind on an open period's figures."""
    from . import services

    return len(services.send_due_reminders())


@shared_task
def lock_overdue_periods() -> list[str]:
    """Daily (beat): lock open periods past their deadline (METRICS_AUTO_LOCK setting)."""
    from . import services

    if not getattr(settings, "METRICS_AUTO_LOCK", True):
        return []
    return [p.code for p in services.lock_overdue_periods()]
