"""Validation rules the reviewers maintain as data."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..numbers import plain
from ..rule_words import tolerance_text
from .indicators import Indicator


class RuleSeverity(models.TextChoices):
    ERROR = "error", "错误（阻止报送）"
    WARNING = "warning", "警告（需填写说明）"


class RuleOperator(models.TextChoices):
    LE = "<=", "≤"
    LT = "<", "<"
    GE = ">=", "≥"
    GT = ">", ">"
    EQ = "==", "="
    NE = "!=", "≠"


class RuleTarget(models.TextChoices):
    """What a rule compares its indicator with."""

    INDICATOR = "indicator", "另一项指标"
    CONSTANT = "constant", "固定数值"
    LAST_YEAR = "last_year", "本指标上年数值"


class ValidationRule(models.Model):
    """A check the reviewers maintain as data: an indicator (`left`) compared with another
    indicator (`left op right`), a constant (`left op constant`), or its own value in the
    previous comparable period (the change, in % or 百分点 for a rate, within ±`tolerance`)."""

    name = models.CharField("规则名称", max_length=200)
    left = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="+"
    )
    target = models.CharField(
        "比较对象", max_length=12, choices=RuleTarget.choices, default=RuleTarget.INDICATOR
    )
    operator = models.CharField("比较", max_length=2, choices=RuleOperator.choices)
    right = models.ForeignKey(
        Indicator,
        verbose_name="另一项指标",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    constant = models.DecimalField(
        "固定数值", max_digits=20, decimal_places=4, null=True, blank=True
    )
    tolerance = models.DecimalField(
        "允许变动幅度",
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="与上年相比：数量按 %，百分比指标按百分点",
    )
    severity = models.CharField(
        "重要程度", max_length=10, choices=RuleSeverity.choices, default=RuleSeverity.ERROR
    )
    message = models.CharField("提示", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)
    history = HistoricalRecords(verbose_name="规则历史")

    class Meta:
        verbose_name = "校验规则"
        verbose_name_plural = "校验规则"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(operator__in=RuleOperator.values), name="rule_operator_valid"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=RuleSeverity.values), name="rule_severity_valid"
            ),
            # Two indicators: different ones (a rule against a constant or last year has none).
            models.CheckConstraint(
                condition=Q(right__isnull=True) | ~Q(left=models.F("right")),
                name="rule_sides_differ",
            ),
            models.CheckConstraint(
                condition=(
                    Q(target="indicator", right__isnull=False)
                    & Q(constant__isnull=True, tolerance__isnull=True)
                )
                | (
                    Q(target="constant", constant__isnull=False)
                    & Q(right__isnull=True, tolerance__isnull=True)
                )
                | (
                    Q(target="last_year", tolerance__gte=0)
                    & Q(right__isnull=True, constant__isnull=True)
                ),
                name="rule_target_complete",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def sides(self) -> list:
        """The indicators the rule reads: its own, and the other one when it has one."""
        return [self.left] if self.right_id is None else [self.left, self.right]

    @property
    def expression(self) -> str:
        """The rule in words, as the 校验规则 page and the admin list it (names, never codes)."""
        if self.target == RuleTarget.LAST_YEAR:
            band = tolerance_text(self.tolerance, self.left.value_type)
            return f"{self.left.name} 与上年相比变动不超过{band}"
        other = plain(self.constant) if self.target == RuleTarget.CONSTANT else self.right.name
        return f"{self.left.name} {self.get_operator_display()} {other}"
