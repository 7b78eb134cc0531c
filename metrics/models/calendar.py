"""The office's calendar and its own settings: a department's extended deadline for one
period, and the settings the office edits on 系统设置 (the district's name, reminder days,
automatic locking). Imported by metrics.models (the package), so Django registers them with the app."""

from django.core.validators import MaxValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class DeadlineExtension(models.Model):
    """One department's own deadline for one period (延期), later than the period's: its clerk
    page, its 催报 days, its timeliness and the automatic lock use it
    (metrics.calendar.deadline_for)."""

    period = models.ForeignKey(
        "metrics.ReportingPeriod",
        verbose_name="报告期",
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    department = models.ForeignKey(
        "metrics.Department",
        verbose_name="部门",
        on_delete=models.PROTECT,
        related_name="deadline_extensions",
    )
    deadline = models.DateField("延长后的截止日期")
    reason = models.CharField("延期原因", max_length=500)
    history = HistoricalRecords(verbose_name="延期历史")

    class Meta:
        verbose_name = "部门延期"
        verbose_name_plural = "部门延期"
        ordering = ["period", "department__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "department"], name="extension_once_per_department_period"
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.period.code} → {self.deadline:%Y-%m-%d}"


class OfficeSettings(models.Model):
    """The settings the 法制办 owns, one row (pk 1). The environment's values
    (DISTRICT_NAME, METRICS_REMINDER_DAYS_BEFORE, METRICS_AUTO_LOCK…) are the first-run
    defaults only (metrics.calendar.office_settings)."""

    district_name = models.CharField(
        "区县名称", max_length=40, help_text="文稿中的{district}，如“示范”（不含“区”字）"
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        "截止前几天催报", validators=[MaxValueValidator(60)]
    )
    auto_lock = models.BooleanField("逾期自动锁定报告期")
    auto_lock_grace_days = models.PositiveSmallIntegerField(
        "自动锁定宽限天数", validators=[MaxValueValidator(60)]
    )
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(verbose_name="系统设置历史")

    class Meta:
        verbose_name = "系统设置"
        verbose_name_plural = "系统设置"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="office_settings_single_row"),
        ]

    def __str__(self):
        return "系统设置"
