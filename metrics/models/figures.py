"""Figures clerks enter for a period, their comment thread and their evidence."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..validation import check_value
from .indicators import Indicator, ValueType
from .organisation import Department
from .periods import ReportingPeriod


class FigureStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"


class Figure(models.Model):
    """One indicator's value for one period, as one reporting unit reports it."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="figures"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报告期", on_delete=models.PROTECT, related_name="figures"
    )
    unit = models.ForeignKey(
        Department, verbose_name="填报单位", on_delete=models.PROTECT, related_name="figures"
    )
    # Copied from the indicator so that the database itself can hold the range invariants.
    value_type = models.CharField(
        "数值类型", max_length=20, choices=ValueType.choices, editable=False
    )
    value = models.DecimalField("数值", max_digits=20, decimal_places=4, null=True, blank=True)
    remark = models.TextField("备注", blank=True)
    explanation = models.TextField(
        "上报说明", blank=True, help_text="强制上报时对预警的书面说明，审核员可见"
    )
    return_reason = models.TextField("退回原因", blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=FigureStatus.choices, default=FigureStatus.DRAFT
    )
    updated_by = models.ForeignKey(
        "metrics.User",
        verbose_name="最后修改人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(verbose_name="数据修改历史", excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "填报数据"
        verbose_name_plural = "填报数据"
        ordering = ["period", "indicator__section__order", "indicator__order"]
        permissions = [
            ("enter_figures", "填报本部门数据"),
            ("review_figures", "审核各部门数据"),
            ("view_all_figures", "查看全部部门数据"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "unit"], name="figure_unique_indicator_period_unit"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FigureStatus.values), name="figure_status_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="figure_version_positive"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | ~Q(value_type=ValueType.COUNT) | Q(value__gte=0),
                name="figure_count_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True)
                | ~Q(value_type=ValueType.PERCENTAGE)
                | Q(value__gte=0, value__lte=100),
                name="figure_percentage_in_range",
            ),
            # Only an entered value can be sent on or approved.
            models.CheckConstraint(
                condition=Q(value__isnull=False)
                | Q(status__in=[FigureStatus.DRAFT, FigureStatus.RETURNED]),
                name="figure_value_required_beyond_draft",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "status"]),
            # An area's figures of a period (metrics.rollup_flat): its units', one range each,
            # not every period's figures of each unit filtered afterwards.
            models.Index(fields=["unit", "period"], name="figure_unit_period"),
        ]

    def __str__(self):
        return f"{self.indicator.name} {self.period.code}"

    def save(self, *args, **kwargs):
        if not self.value_type:
            self.value_type = self.indicator.value_type
        # One district's installation: the indicator's own department is the one reporting unit.
        if self.unit_id is None:
            self.unit_id = self.indicator.department_id
        super().save(*args, **kwargs)

    @classmethod
    def blank(cls, *, indicator, period, unit=None, **fields):
        """A new figure of `indicator` for `period` reported by `unit`: by default the
        indicator's own department, the one reporting unit of a one-district installation."""
        if unit is not None:
            fields["unit"] = unit  # the unit object itself: no query to read it back
        else:
            fields["unit_id"] = indicator.department_id
        return cls(indicator=indicator, period=period, value_type=indicator.value_type, **fields)

    def clean(self):

        if self.value is not None and self.indicator_id:
            check_value(self.indicator, self.value)


class CommentKind(models.TextChoices):
    COMMENT = "comment", "意见"
    RETURN = "return", "退回"
    APPROVE = "approve", "审核通过"
    REOPEN = "reopen", "重新开放"
    EXPLANATION = "explanation", "上报说明"
    EVIDENCE = "evidence", "佐证材料"


class FigureComment(models.Model):
    """The thread on one figure: reviewers' reasons and opinions, clerks' answers."""

    figure = models.ForeignKey(
        Figure, verbose_name="填报数据", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        "metrics.User",
        verbose_name="发表人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(
        "类型", max_length=12, choices=CommentKind.choices, default=CommentKind.COMMENT
    )
    text = models.TextField("内容")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "意见"
        verbose_name_plural = "意见"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CommentKind.values), name="comment_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.text[:30]}"


class Evidence(models.Model):
    """A supporting document (佐证材料) for one figure, stored under MEDIA_ROOT with a generated
    name and served only through a view that checks who may see the department's figures."""

    figure = models.ForeignKey(
        Figure, verbose_name="填报数据", on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField("文件", upload_to="evidence/", max_length=200)
    original_name = models.CharField("原文件名", max_length=150)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        "metrics.User",
        verbose_name="上传人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
