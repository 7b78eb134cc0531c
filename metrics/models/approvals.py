"""An office's approval of an area below it as a whole for a period (the city's 审核确认 of a
district): it locks every figure of the area's units for that period until withdrawn."""

from django.db import models
from simple_history.models import HistoricalRecords

from .areas import Area
from .periods import ReportingPeriod


class AreaApproval(models.Model):
    area = models.ForeignKey(
        Area, verbose_name="区域", on_delete=models.PROTECT, related_name="approvals"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报告期", on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        "metrics.User",
        verbose_name="审核人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审核时间", auto_now_add=True)
    history = HistoricalRecords(verbose_name="区域审核确认历史")

    class Meta:
        verbose_name = "区域审核确认"
        verbose_name_plural = "区域审核确认"
        ordering = ["period", "area__path"]
        constraints = [
            models.UniqueConstraint(fields=["area", "period"], name="area_approval_unique"),
        ]

    def __str__(self):
        return f"{self.area.name} {self.period.code}"
