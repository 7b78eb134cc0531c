"""The forms of the catalogue pages (指标管理). They check shape only (a number is a number);
the catalogue services decide everything else and their refusals are put back on the form,
by field, with what was typed."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from lawgov.versions import StaleEdit, version_of

from . import formulas
from .indicator_names import names_by_code
from .models import (
    Department,
    Indicator,
    ReportingPeriod,
    RuleOperator,
    RuleSeverity,
    RuleTarget,
    Section,
    ValidationRule,
    ValueType,
)
from .texts import REASON


class IndicatorForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    code = forms.CharField(
        label="代码",
        max_length=64,
        required=False,
        help_text="小写字母、数字、下划线；留空则按名称拼音首字母自动生成。被引用后不能再修改。",
    )
    section = forms.ModelChoiceField(
        label="讲话部分", queryset=Section.objects.order_by("order"), empty_label=None
    )
    department = forms.ModelChoiceField(
        label="填报部门",
        queryset=Department.objects.filter(retired_at__isnull=True).order_by("order", "code"),
        empty_label=None,
    )
    unit = forms.CharField(label="单位", max_length=20, required=False)
    value_type = forms.ChoiceField(label="数值类型", choices=ValueType.choices)
    lower_bound = forms.DecimalField(
        label="下限", required=False, max_digits=20, decimal_places=4, localize=False
    )
    upper_bound = forms.DecimalField(
        label="上限", required=False, max_digits=20, decimal_places=4, localize=False
    )
    help_text = forms.CharField(
        label="填报说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    order = forms.IntegerField(label="排序", required=False, min_value=0)
    first_period = forms.ModelChoiceField(
        label="从…起填报",
        queryset=ReportingPeriod.objects.order_by("-start", "-end"),
        required=False,
        empty_label="（所有报告期）",
        help_text="只在该报告期及以后的报告期要求填报；新指标默认从当前报告期起",
    )
    formula = forms.CharField(
        label="计算公式",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="仅计算指标填写，用【】写指标名称，如【办结行政复议案件】/【受理行政复议案件】*100；"
        "可在下方“查找指标”中按名称或部门查找后插入。计算指标不设上下限。",
    )
    decimal_places = forms.IntegerField(
        label="小数位数", required=False, min_value=0, max_value=4, initial=0
    )
    # The version the page was loaded at (lawgov.versions): a save over a newer one is refused.
    version = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(
        label="修改原因", required=False, max_length=REASON.limit, help_text="记入修改历史"
    )

    def __init__(self, *args, code_frozen: list[str] | None = None, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.code_frozen = code_frozen or []
        if instance is not None and instance.department.is_retired:
            # Its own (retired) department stays selectable, so the form can be saved.
            self.fields["department"].queryset = Department.objects.filter(
                pk=instance.department_id
            ) | Department.objects.filter(retired_at__isnull=True)
        if self.code_frozen:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "已被引用，不能修改：" + "；".join(self.code_frozen)

    @classmethod
    def initial_for(cls, indicator: Indicator) -> dict:
        return {
            "name": indicator.name,
            "code": indicator.code,
            "section": indicator.section_id,
            "department": indicator.department_id,
            "unit": indicator.unit,
            "value_type": indicator.value_type,
            "lower_bound": indicator.lower_bound,
            "upper_bound": indicator.upper_bound,
            "help_text": indicator.help_text,
            "order": indicator.order,
            "formula": formulas.codes_to_names(indicator.formula, names_by_code()),
            "decimal_places": indicator.decimal_places,
            "first_period": indicator.first_period_id,
            "version": version_of(indicator),
        }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        data.pop("code", None)
        data.pop("version", None)
        data["decimal_places"] = data.get("decimal_places") or 0
        data["order"] = data.get("order") or 0
        for text in ("unit", "help_text", "formula"):
            data[text] = (data.get(text) or "").strip()
        return data


class SectionForm(forms.Form):
    code = forms.CharField(label="代码", max_length=20, help_text="小写字母、数字、下划线")
    name = forms.CharField(label="名称", max_length=50)


class DepartmentForm(forms.Form):
    code = forms.CharField(
        label="代码",
        max_length=40,
        required=False,
        help_text="留空则按名称的拼音首字母生成（区司法局 → sfj）；小写字母、数字、下划线；保存后不变",
    )
    name = forms.CharField(label="名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    order = forms.IntegerField(label="排序", required=False, min_value=0)
    # The version the page was loaded at (lawgov.versions): a save over a newer one is refused.
    version = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(label="修改原因", required=False, max_length=REASON.limit)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False


class IndicatorChoice(forms.ModelChoiceField):
    """An indicator by name and code, a computed one marked （计算）."""

    def label_from_instance(self, obj):
        mark = "（计算）" if obj.is_computed else ""
        return f"{obj.name}{mark}（{obj.code}）"


class RuleForm(forms.Form):
    name = forms.CharField(label="规则名称", max_length=200)
    left = IndicatorChoice(label="指标", queryset=Indicator.objects.none())
    target = forms.ChoiceField(
        label="比较对象",
        choices=RuleTarget.choices,
        initial=RuleTarget.INDICATOR,
        widget=forms.RadioSelect,
        required=False,  # not given: another indicator, as every rule before it
    )
    operator = forms.ChoiceField(
        label="比较", choices=RuleOperator.choices, help_text="与另一项指标或固定数值比较时使用"
    )
    right = IndicatorChoice(
        label="另一项指标",
        queryset=Indicator.objects.none(),
        required=False,
        help_text="比较对象为“另一项指标”时填写",
    )
    constant = forms.DecimalField(
        label="固定数值",
        required=False,
        max_digits=20,
        decimal_places=4,
        help_text="比较对象为“固定数值”时填写，如覆盖率 ≥ 90",
    )
    tolerance = forms.DecimalField(
        label="允许变动幅度（±）",
        required=False,
        min_value=0,
        max_digits=20,
        decimal_places=4,
        help_text="比较对象为“本指标上年数值”时填写：数量指标按 %，百分比指标按百分点",
    )
    severity = forms.ChoiceField(
        label="重要程度", choices=RuleSeverity.choices, initial=RuleSeverity.ERROR
    )
    message = forms.CharField(
        label="提示",
        max_length=300,
        required=False,
        help_text="不通过时给填报人看的话；留空则用规则名称。",
    )
    # The version the page was loaded at (lawgov.versions): a save over a newer one is refused.
    version = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(
        label="修改原因", required=False, max_length=REASON.limit, help_text="记入修改历史"
    )

    def __init__(self, *args, rule: ValidationRule | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Indicators in use, computed ones included; a rule's own sides stay selectable.
        shown = Indicator.objects.filter(retired_on__isnull=True)
        if rule is not None:
            sides = [pk for pk in (rule.left_id, rule.right_id) if pk is not None]
            shown = shown | Indicator.objects.filter(pk__in=sides)
        shown = shown.select_related("section").order_by("section__order", "order", "code")
        for side in ("left", "right"):
            self.fields[side].queryset = shown

    @classmethod
    def initial_for(cls, rule: ValidationRule) -> dict:
        return {
            "name": rule.name,
            "left": rule.left_id,
            "target": rule.target,
            "operator": rule.operator,
            "right": rule.right_id,
            "constant": rule.constant,
            "tolerance": rule.tolerance,
            "severity": rule.severity,
            "message": rule.message,
            "version": version_of(rule),
        }

    def clean_target(self):
        return self.cleaned_data.get("target") or RuleTarget.INDICATOR

    def service_fields(self) -> dict:
        """What the catalogue_rules services take (RULE_FIELDS), the reason apart."""
        return {n: v for n, v in self.cleaned_data.items() if n not in ("reason", "version")}


def refuse(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: a field's on the field, the rest on top. A stale
    edit (lawgov.versions) keeps what was typed and takes the current version, so that the
    next save, made knowing the current values, goes through."""
    if isinstance(exc, StaleEdit):
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = exc.version
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)
