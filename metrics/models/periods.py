"""Reporting periods and their states."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..periods import PeriodCode


class PeriodState(models.TextChoices):
    # Opened ahead (next year, set up in December): its deadline is known, clerks cannot enter
    # yet and it is nobody's default period until a reviewer opens entry (metrics.periods_calendar).
    PLANNED = "planned", "未开放填报"
    OPEN = "open", "填报中"
    LOCKED = "locked", "已锁定"


class ReportingPeriod(models.Model):
    code = models.CharField(
        "报告期", max_length=8, unique=True, help_text="如 2026、2026S1、2026Q3"
    )
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    deadline = models.DateField("报送截止日期")
    state = models.CharField(
        "状态", max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN
    )
    history = HistoricalRecords(verbose_name="报告期历史")

    class Meta:
        verbose_name = "报告期"
        verbose_name_plural = "报告期"
        ordering = ["-start", "code"]
        permissions = [
            ("lock_period", "锁定或重新开放报告期"),
            ("manage_periods", "开设报告期、修改和延长截止日期"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lte=models.F("end")), name="period_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(state__in=PeriodState.values), name="period_state_valid"
            ),
        ]

    def __str__(self):
        return self.parsed_code.label

    @property
    def parsed_code(self) -> PeriodCode:
        return PeriodCode.parse(self.code)

    @property
    def label(self):
        return self.parsed_code.label

    @property
    def previous_code(self) -> str:
        return str(self.parsed_code.previous_comparable)

    @property
    def is_locked(self):
        return self.state == PeriodState.LOCKED

    @property
    def is_planned(self):
        return self.state == PeriodState.PLANNED

    @property
    def is_open_for_entry(self) -> bool:
        return self.state == PeriodState.OPEN

    @property
    def closed_for_entry(self) -> bool:
        """Clerks cannot change figures: locked, or entry not opened yet."""
        return self.state != PeriodState.OPEN

    def clean(self):
        parsed = PeriodCode.parse(self.code)
        if self.start and self.end and (self.start, self.end) != (parsed.start, parsed.end):
            raise ValidationError(
                f"报告期 {self.code} 应从 {parsed.start:%Y-%m-%d} 到 {parsed.end:%Y-%m-%d}。"
            )
