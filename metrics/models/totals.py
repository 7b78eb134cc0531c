"""Each area's roll-up inputs kept as rows (metrics.totals keeps them): a province's roll-up
reads its sixteen cities' rows instead of folding every township's figures on each request.

Derived data, never edited by hand: rebuilt from the figures whenever the rows of a period
may no longer match them (a new generation, see RollupGeneration)."""

from django.db import models
from django.db.models import Q

from .areas import Area
from .indicators import Indicator
from .periods import ReportingPeriod

_TOTAL = {"max_digits": 30, "decimal_places": 4, "null": True}


class AreaTotal(models.Model):
    """One indicator's figures of one period at one area, on one basis (every figure as it
    stands, or approved ones only): summed, counted, their minimum and maximum, for the units
    placed in the area (own_*) and for the units of the areas below it that existed during the
    period (below_*); *_undue counts the figures of units not due to report the indicator
    then (another kind of unit, or retired before the period)."""

    generation = models.PositiveIntegerField("代次")
    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报告期", on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(Area, verbose_name="区域", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="+"
    )
    approved = models.BooleanField("仅审核通过")
    own_sum = models.DecimalField("本级合计", **_TOTAL)
    own_min = models.DecimalField("本级最小", **_TOTAL)
    own_max = models.DecimalField("本级最大", **_TOTAL)
    own_n = models.PositiveIntegerField("本级数据数", default=0)
    own_undue = models.PositiveIntegerField("本级非应报数", default=0)
    below_sum = models.DecimalField("下级合计", **_TOTAL)
    below_min = models.DecimalField("下级最小", **_TOTAL)
    below_max = models.DecimalField("下级最大", **_TOTAL)
    below_n = models.PositiveIntegerField("下级数据数", default=0)
    below_undue = models.PositiveIntegerField("下级非应报数", default=0)

    class Meta:
        verbose_name = "区域汇总中间值"
        verbose_name_plural = "区域汇总中间值"
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "period", "area", "indicator", "approved"],
                name="area_total_unique",
            ),
            models.CheckConstraint(
                condition=Q(own_undue__lte=models.F("own_n"))
                & Q(below_undue__lte=models.F("below_n")),
                name="area_total_undue_counted",
            ),
        ]

    def __str__(self):
        return f"{self.area_id}/{self.indicator_id}/{self.period_id}"


class RollupGeneration(models.Model):
    """The one row whose `number` says which AreaTotal rows are current: a change to the tree
    or to who is due to report (a unit retired, an area closed, an indicator's reporting kind)
    moves it on, so every period's rows are stale at once and rebuilt by the worker."""

    number = models.PositiveIntegerField("代次", default=1)

    class Meta:
        verbose_name = "汇总代次"
        verbose_name_plural = "汇总代次"
        default_permissions = ("view",)

    def __str__(self):
        return str(self.number)


class PeriodTotals(models.Model):
    """That a period's AreaTotal rows of `generation` are complete: until then the roll-up
    reads the figures themselves (the same answer, slower)."""

    period = models.OneToOneField(
        ReportingPeriod,
        verbose_name="报告期",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    generation = models.PositiveIntegerField("代次")
    built_at = models.DateTimeField("生成时间", auto_now=True)

    class Meta:
        verbose_name = "报告期汇总中间值"
        verbose_name_plural = "报告期汇总中间值"
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.period_id}: {self.generation}"


class UnitSent(models.Model):
    """How many of a unit's due figures of a period were sent (报送 or approved as entered)
    and when it last sent one: the dashboard's timeliness of a province's 1,500 townships read
    as 1,500 rows rather than from every figure's history (kept with AreaTotal)."""

    generation = models.PositiveIntegerField("代次")
    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报告期", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "metrics.Department", verbose_name="填报单位", on_delete=models.CASCADE, related_name="+"
    )
    sent = models.PositiveIntegerField("已报送数", default=0)
    last_sent_at = models.DateTimeField("最后报送时间", null=True)

    class Meta:
        verbose_name = "单位报送进度"
        verbose_name_plural = "单位报送进度"
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "period", "unit"], name="unit_sent_unique"
            ),
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.period_id}: {self.sent}"
