"""The catalogue: what clerks enter or the portal computes (indicators) and the phrases a
report's text may use for them (aliases)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .areas import UnitKind
from .organisation import Department, Section


class ValueType(models.TextChoices):
    COUNT = "count", "计数（非负整数）"
    PERCENTAGE = "percentage", "百分比（0–100）"
    DECIMAL = "decimal", "数值"


ROLLUP_MISFIT_MESSAGE = (
    "计算指标只能按汇总数重新计算或不汇总；填报指标不能重新计算；百分比不能求和。"
)


class RollUp(models.TextChoices):
    """How an indicator's figures from the units below an area make the area's value. A rate
    is never summed or averaged: a computed rate is evaluated again on the rolled-up inputs
    (RECOMPUTE); an entered rate is reported at one level only (NONE)."""

    SUM = "sum", "求和"
    RECOMPUTE = "recompute", "按汇总数重新计算"
    MIN = "min", "取最小值"
    MAX = "max", "取最大值"
    NONE = "none", "不汇总（仅本级填报）"


def default_rollup(*, value_type: str, computed: bool) -> str:
    """The roll-up an indicator gets unless the office chooses: a computed one is evaluated
    again on rolled-up inputs, a percentage entered as such is not rolled up, a count or an
    amount is summed."""
    if computed:
        return RollUp.RECOMPUTE
    if value_type == ValueType.PERCENTAGE:
        return RollUp.NONE
    return RollUp.SUM


def rollup_fits(rollup: str, *, value_type: str, computed: bool) -> bool:
    """Whether a roll-up suits an indicator: only a computed one is recomputed, and neither a
    computed one nor a percentage is ever summed, taken as a minimum or maximum of rates
    aside (a lowest 结案率 among townships is a fair figure, a summed one is not)."""
    if rollup == RollUp.NONE:
        return True
    if computed:
        return rollup == RollUp.RECOMPUTE
    if rollup == RollUp.RECOMPUTE:
        return False
    return not (value_type == ValueType.PERCENTAGE and rollup == RollUp.SUM)


def entered_condition(period=None, prefix: str = "") -> Q:
    """The one rule for which indicators clerks enter (in `period`): not computed (no formula)
    and, with a period, not retired before it starts and not starting after it (its first
    period, 从…起填报, starts on or before `period`). `prefix` reaches the indicator through a
    relation ("indicators__" from a department or section) for annotations."""
    condition = Q(**{f"{prefix}formula": ""})
    if period is not None:
        condition &= Q(**{f"{prefix}retired_on__isnull": True}) | Q(
            **{f"{prefix}retired_on__gte": period.start}
        )
        condition &= Q(**{f"{prefix}first_period__isnull": True}) | Q(
            **{f"{prefix}first_period__start__lte": period.start}
        )
    return condition


class IndicatorQuerySet(models.QuerySet):
    def entered(self):
        """Indicators clerks enter (not computed), retired or not."""
        return self.filter(entered_condition())

    def entered_in(self, period):
        """Indicators clerks enter in `period`: not computed, not retired before it starts,
        not starting after it (first_period)."""
        return self.filter(entered_condition(period))

    def computed(self):
        """Computed indicators (计算指标): a formula, never entered."""
        return self.exclude(formula="")


# What a formula (metrics.formulas) and a report template's {code} can name, lower case.
INDICATOR_CODE_MESSAGE = "代码只能由小写字母、数字和下划线组成，并以字母开头。"
validate_indicator_code = RegexValidator(
    r"^[a-z][a-z0-9_]*\Z", INDICATOR_CODE_MESSAGE, code="invalid_code"
)


class IndicatorCodeField(models.SlugField):
    """A slug column (as before) checked by validate_indicator_code alone: the slug rule
    would name the same mistake a second time, and allows what formulas cannot read
    (biz-cases, Biz)."""

    default_validators = [validate_indicator_code]


class Indicator(models.Model):
    """A figure the speech needs, with the department that owns it."""

    code = IndicatorCodeField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=200)
    section = models.ForeignKey(
        Section, verbose_name="讲话部分", on_delete=models.PROTECT, related_name="indicators"
    )
    unit = models.CharField("单位", max_length=20, blank=True)
    value_type = models.CharField(
        "数值类型", max_length=20, choices=ValueType.choices, default=ValueType.COUNT
    )
    department = models.ForeignKey(
        Department, verbose_name="填报部门", on_delete=models.PROTECT, related_name="indicators"
    )
    # Which kind of unit reports it in every area of the tree (the department above is that
    # kind's unit in the installation's first district) and how the units' figures roll up.
    reporting_kind = models.ForeignKey(
        UnitKind,
        verbose_name="填报单位类别",
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    # Empty until saved: then the default for its kind (default_rollup).
    rollup = models.CharField("汇总方式", max_length=10, choices=RollUp.choices, blank=True)
    lower_bound = models.DecimalField(
        "下限", max_digits=20, decimal_places=4, null=True, blank=True
    )
    upper_bound = models.DecimalField(
        "上限", max_digits=20, decimal_places=4, null=True, blank=True
    )
    help_text = models.TextField("填报说明", blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    # A computed indicator (计算指标) has a formula over other indicators of the same period
    # (metrics.formulas) and is never entered; its value is rounded half-up to
    # `decimal_places`. An entered indicator has an empty formula.
    formula = models.TextField("计算公式", blank=True)
    decimal_places = models.PositiveSmallIntegerField("小数位数", default=0)
    # Retired: not offered for entry in periods that start after this day; past figures,
    # snapshots and reports stay as they were.
    retired_on = models.DateField("停用日期", null=True, blank=True)
    # Expected only in periods that start on or after this one's start (从…起填报): a new
    # indicator added in December for next year, or one an import of last year's report
    # created, adds no required row to a period already under way. Empty: from the start.
    first_period = models.ForeignKey(
        "ReportingPeriod",
        verbose_name="起始报告期",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="从该报告期起填报；之前的报告期不要求填报此指标",
    )
    # The leader's dashboard shows the headline figures (核心数据), in this order.
    headline_order = models.PositiveSmallIntegerField(
        "核心数据顺序",
        null=True,
        blank=True,
        help_text="填写后在驾驶舱“核心数据同比”中按此顺序显示",
    )
    history = HistoricalRecords(verbose_name="指标历史")

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["section__order", "order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_type__in=ValueType.values), name="indicator_value_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(lower_bound__isnull=True)
                | Q(upper_bound__isnull=True)
                | Q(lower_bound__lte=models.F("upper_bound")),
                name="indicator_bounds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=4), name="indicator_decimal_places_at_most_4"
            ),
            models.CheckConstraint(
                condition=Q(rollup__in=RollUp.values), name="indicator_rollup_valid"
            ),
            # A rate is never summed: the database refuses it, whoever writes.
            models.CheckConstraint(
                condition=~Q(value_type=ValueType.PERCENTAGE, rollup=RollUp.SUM),
                name="indicator_percentage_never_summed",
                violation_error_message="百分比指标不能求和汇总。",
            ),
            # Only a computed indicator is recomputed; a computed one is never summed.
            models.CheckConstraint(
                condition=Q(
                    formula="", rollup__in=[RollUp.SUM, RollUp.MIN, RollUp.MAX, RollUp.NONE]
                )
                | (~Q(formula="") & Q(rollup__in=[RollUp.RECOMPUTE, RollUp.NONE])),
                name="indicator_rollup_fits_formula",
                violation_error_message=ROLLUP_MISFIT_MESSAGE,
            ),
        ]
        permissions = [("manage_catalogue", "管理指标目录、讲话部分和部门")]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs):
        self.settle_tree_fields()
        super().save(*args, **kwargs)

    def settle_tree_fields(self) -> None:
        """Before it is checked and saved: the kind of unit that reports it follows its
        department until the catalogue says otherwise, and a roll-up unset or no longer
        fitting after the formula or the value type changed (the catalogue form offers no
        choice yet) becomes the default for what it now is."""
        if self.reporting_kind_id is None and self.department_id is not None:
            self.reporting_kind_id = self.department.kind_id
        if not self.rollup or not rollup_fits(
            self.rollup, value_type=self.value_type, computed=self.is_computed
        ):
            self.rollup = default_rollup(value_type=self.value_type, computed=self.is_computed)

    @property
    def is_computed(self):
        return bool(self.formula)

    def is_retired_for(self, period) -> bool:
        """Retired before `period` starts: not entered in it."""
        return self.retired_on is not None and period.start > self.retired_on

    def starts_after(self, period) -> bool:
        """Its first period starts after `period` starts: not yet entered in it."""
        return self.first_period_id is not None and self.first_period.start > period.start

    def clean(self):
        if self.lower_bound is not None and self.upper_bound is not None:
            if self.lower_bound > self.upper_bound:
                raise ValidationError({"upper_bound": "上限不能小于下限。"})
        if self.rollup and not rollup_fits(
            self.rollup, value_type=self.value_type, computed=self.is_computed
        ):
            raise ValidationError({"rollup": ROLLUP_MISFIT_MESSAGE})


class IndicatorAlias(models.Model):
    """Another phrase documents use for an indicator (别名): 从文档导入 binds a number whose
    clause says it as it binds the indicator's own name. Grown when a reviewer binds a
    phrase by hand (metrics.services.aliases)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="aliases"
    )
    phrase = models.CharField("别名", max_length=60)
    history = HistoricalRecords(verbose_name="指标别名历史")

    class Meta:
        verbose_name = "指标别名"
        verbose_name_plural = "指标别名"
        ordering = ["indicator", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "phrase"], name="indicator_alias_unique"),
            models.CheckConstraint(condition=~Q(phrase=""), name="indicator_alias_not_empty"),
        ]

    def __str__(self):
        return f"{self.phrase} → {self.indicator.code}"
