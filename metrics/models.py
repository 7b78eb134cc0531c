from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from .periods import PeriodCode


class Department(models.Model):
    """A reporting unit that supplies figures (区司法局, 公安分局 …)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=40, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    # A retired department keeps its past figures and reports; it takes no new clerks and
    # owns no new indicators (metrics.services.catalogue.retire_department).
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    history = HistoricalRecords(verbose_name="部门历史")

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    @property
    def is_retired(self):
        return self.retired_at is not None


class User(AbstractUser):
    """A portal account. A clerk belongs to exactly one department; the other roles to none."""

    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    # Set when an administrator gives the user a one-time password (a new account, a
    # reset): the portal lets them do nothing else until they choose their own.
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [("manage_accounts", "管理部门和用户账号")]
        constraints = [
            # Login is by user name in any case ("Zhang" and "zhang" are one person), so
            # two of them may never exist, however they are created.
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_any_case",
                violation_error_message="该用户名已存在（不区分大小写）。",
            ),
        ]

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    @property
    def display_name(self):
        return str(self)


class Section(models.Model):
    """A part of the catalogue (the speech's four parts by default), in speaking order."""

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50)
    order = models.PositiveSmallIntegerField("顺序", unique=True)
    history = HistoricalRecords(verbose_name="讲话部分历史")

    class Meta:
        verbose_name = "讲话部分"
        verbose_name_plural = "讲话部分"
        ordering = ["order"]

    def __str__(self):
        return self.name


class ValueType(models.TextChoices):
    COUNT = "count", "计数（非负整数）"
    PERCENTAGE = "percentage", "百分比（0–100）"
    DECIMAL = "decimal", "数值"


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
        ]
        permissions = [("manage_catalogue", "管理指标目录、讲话部分和部门")]

    def __str__(self):
        return f"{self.name}（{self.code}）"

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


class FigureStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"


class Figure(models.Model):
    """One indicator's value for one period, as a department reports it."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="figures"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报告期", on_delete=models.PROTECT, related_name="figures"
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
                fields=["indicator", "period"], name="figure_unique_indicator_period"
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
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self):
        return f"{self.indicator.name} {self.period.code}"

    def save(self, *args, **kwargs):
        if not self.value_type:
            self.value_type = self.indicator.value_type
        super().save(*args, **kwargs)

    def clean(self):
        from .validation import check_value

        if self.value is not None and self.indicator_id:
            check_value(self.indicator, self.value)


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
        """The rule in words, by names (metrics.rules.target_text)."""
        from .rules import target_text

        return target_text(self)


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


# The calendar's models live beside these (metrics.calendar_models); imported here so that
# Django registers them with the app.
from .calendar_models import DeadlineExtension, OfficeSettings  # noqa: E402, F401
