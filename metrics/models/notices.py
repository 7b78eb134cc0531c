"""What the office tells a department: notices and the reminders (催报) sent."""

from django.db import models

from .organisation import Department
from .periods import ReportingPeriod


class Notice(models.Model):
    """A message in the portal for a department's clerks (催报 and the like)."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="notices"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name="报告期",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    created_by = models.ForeignKey(
        "metrics.User",
        verbose_name="发送人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Reminder(models.Model):
    """One 催报 to one department for one period on one day: at most one a day."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="reminders"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报告期", on_delete=models.CASCADE, related_name="reminders"
    )
    date = models.DateField("日期")
    manual = models.BooleanField("人工催报", default=False)
    sent_by = models.ForeignKey(
        "metrics.User",
        verbose_name="催报人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The portal notice this reminder made; its text is what the email sends.
    notice = models.OneToOneField(
        "Notice",
        verbose_name="通知",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminder",
    )
    unsent = models.PositiveIntegerField("未报送项数", default=0)
    returned = models.PositiveIntegerField("被退回项数", default=0)
    recipients = models.PositiveIntegerField("邮件收件人数", default=0)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "催报记录"
        verbose_name_plural = "催报记录"
        ordering = ["-date", "department__order"]
        permissions = [("send_reminders", "向部门催报")]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "period", "date"], name="reminder_once_per_department_day"
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.period.code} {self.date:%Y-%m-%d}"
