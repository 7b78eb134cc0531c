"""What the 法制办 sends to the catalogue's API: a new or changed indicator, section or
department, a retirement, a reason; each field checked as the pages check it, in Chinese,
before metrics.services.catalogue_* sees it."""

from rest_framework import serializers

from lawgov.api_fields import CodeField, choice_field, text_field

from ..models import Department, ReportingPeriod, Section, ValueType
from ..texts import REASON


def version_input():
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        source="expected_version",
        help_text="读取时的 version；他人已修改时拒绝（409 stale，current 为当前内容）",
    )


def reason_field():
    return text_field(default="", max_length=REASON.limit, help_text="原因，记入修改历史")


def bound_field(label):
    return serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        required=False,
        allow_null=True,
        coerce_to_string=True,
        help_text=f"{label}（十进制字符串或数字；null 为不设）",
    )


class IndicatorInput(serializers.Serializer):
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="新增时可省略（按名称拼音首字母生成）；被引用后不能修改（409 code_frozen）",
    )
    name = serializers.CharField(max_length=200)
    section = CodeField(Section.objects.all(), help_text="讲话部分代码")
    department = CodeField(Department.objects.all(), help_text="填报部门代码（不能是已停用的）")
    unit = serializers.CharField(required=False, allow_blank=True, max_length=20)
    value_type = choice_field(ValueType.choices, required=False)
    lower_bound = bound_field("下限")
    upper_bound = bound_field("上限")
    help_text = text_field(required=False, help_text="填报说明")
    order = serializers.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    formula = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="计算公式（仅计算指标；不合格为 400 formula_invalid）",
    )
    decimal_places = serializers.IntegerField(required=False, min_value=0, max_value=4)
    first_period = CodeField(
        ReportingPeriod.objects.all(),
        required=False,
        allow_null=True,
        help_text="从该报告期起填报（报告期代码，如 2027；省略为当前报告期）；null 为所有报告期",
    )
    reason = reason_field()


class IndicatorUpdateInput(IndicatorInput):
    version = version_input()


class RetireInput(serializers.Serializer):
    reason = text_field(max_length=REASON.limit, help_text="停用原因（必填）")
    on = serializers.DateField(required=False, help_text="停用日期，默认今天")


class ReasonOnlyInput(serializers.Serializer):
    reason = reason_field()


class SectionInput(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=50)


class SectionRenameInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    reason = reason_field()
    version = version_input()


class SectionOrderInput(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=20),
        max_length=100,
        help_text="全部讲话部分的代码，按新顺序",
    )
    reason = reason_field()


class DepartmentInput(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    short_name = serializers.CharField(required=False, allow_blank=True, max_length=40)
    order = serializers.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    reason = reason_field()


class DepartmentUpdateInput(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=100)
    short_name = serializers.CharField(required=False, allow_blank=True, max_length=40)
    order = serializers.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    reason = reason_field()
    version = version_input()
