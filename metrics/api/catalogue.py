"""The catalogue, read-only: departments, the speech's sections and the indicators (each with
the active validation rules that involve it), each looked up by its code.

Invariants: reads only, for every signed-in role; a list costs the same few queries however
many departments and indicators there are (the rules are read once per request)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from lawgov.api import ApiMixin
from lawgov.api_fields import DecimalStringField, choice_field

from .. import selectors
from ..models import Department, Indicator, Section, ValueType
from .common import CodeLookupMixin


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "order"]


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["code", "name", "order"]


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    left = serializers.CharField(source="left.code", help_text="左侧指标代码")
    operator = serializers.CharField(help_text="<=、<、>=、>、==、!=")
    right = serializers.CharField(source="right.code", help_text="右侧指标代码")
    severity = serializers.ChoiceField(
        choices=["error", "warning"], help_text="error 阻止报送；warning 需填写上报说明"
    )
    message = serializers.CharField()


class IndicatorSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code")
    department = serializers.CharField(source="department.code")
    lower_bound = DecimalStringField()
    upper_bound = DecimalStringField()
    value_type = choice_field(ValueType.choices, read_only=True)
    rules = serializers.SerializerMethodField(help_text="涉及该指标的启用中的校验规则")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "section",
            "department",
            "unit",
            "value_type",
            "lower_bound",
            "upper_bound",
            "help_text",
            "order",
            "rules",
        ]

    @extend_schema_field(RuleSerializer(many=True))
    def get_rules(self, indicator):
        return RuleSerializer(self.context["rules_by_code"].get(indicator.code, []), many=True).data


def _catalogue(plural: str, one: str):
    return extend_schema_view(
        list=extend_schema(tags=["catalogue"], summary=f"{plural}列表"),
        retrieve=extend_schema(tags=["catalogue"], summary=f"{one}（按代码）"),
    )


@_catalogue("填报部门", "一个部门")
class DepartmentViewSet(ApiMixin, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """填报部门。"""

    serializer_class = DepartmentSerializer
    queryset = Department.objects.order_by("order", "code")


@_catalogue("讲话稿各部分", "讲话稿的一个部分")
class SectionViewSet(ApiMixin, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """讲话稿的各部分。"""

    serializer_class = SectionSerializer
    queryset = Section.objects.order_by("order")


class IndicatorFilter(django_filters.FilterSet):
    department = django_filters.CharFilter(field_name="department__code", help_text="部门代码")
    section = django_filters.CharFilter(field_name="section__code", help_text="讲话部分代码")
    value_type = django_filters.ChoiceFilter(choices=ValueType.choices)

    class Meta:
        model = Indicator
        fields = ["department", "section", "value_type"]


@_catalogue("指标目录", "一项指标，附涉及它的校验规则")
class IndicatorViewSet(ApiMixin, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """指标目录，附涉及各指标的校验规则。"""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    queryset = Indicator.objects.select_related("section", "department").order_by(
        "section__order", "order", "code"
    )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        by_code: dict[str, list] = {}
        for rule in selectors.active_rules():
            by_code.setdefault(rule.left.code, []).append(rule)
            by_code.setdefault(rule.right.code, []).append(rule)
        context["rules_by_code"] = by_code
        return context
