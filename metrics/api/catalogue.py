"""The catalogue: departments, the speech's sections and the indicators (each with the active
validation rules that involve it), each looked up by its code; read by every signed-in role,
changed by the 法制办 (manage_catalogue) through metrics.services.catalogue (what it sends
is read by metrics.api.catalogue_inputs).

Invariants: a list costs the same few queries however many departments and indicators there
are (the rules are read once per request); a write checks the permission before its input
(clerks and leaders get 403 whatever they send), calls one service and answers with the
object as the read endpoints show it; refusals carry the service's stable code
(code_frozen, formula_invalid, section_not_empty, department_retired, …)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lawgov.api import ApiMixin, error_response
from lawgov.api_fields import choice_field, validated
from lawgov.versions import version_of

from .. import access, selectors, services
from ..models import Department, Indicator, Section, ValueType
from .catalogue_inputs import (
    DepartmentInput,
    DepartmentUpdateInput,
    IndicatorInput,
    IndicatorUpdateInput,
    ReasonOnlyInput,
    RetireInput,
    SectionInput,
    SectionOrderInput,
    SectionRenameInput,
)
from .common import CodeLookupMixin
from .fields import DecimalStringField


@extend_schema_field({"type": "string", "readOnly": True, "example": "3f9a0c1d2e4b5a67"})
class VersionField(serializers.Field):
    """The object's version (lawgov.versions): send it back with a change, and a change made
    meanwhile by someone else is refused (409 stale, with the current values) instead of
    silently overwritten."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "版本：修改时原样传回 version，他人已修改则 409 stale")
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str:
        return version_of(obj)


class DepartmentSerializer(serializers.ModelSerializer):
    retired = serializers.SerializerMethodField(help_text="已停用")
    version = VersionField()

    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "order", "retired", "version"]

    def get_retired(self, department) -> bool:
        return department.is_retired


class SectionSerializer(serializers.ModelSerializer):
    version = VersionField()

    class Meta:
        model = Section
        fields = ["code", "name", "order", "version"]


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    left = serializers.CharField(source="left.code", help_text="规则所校验的指标代码")
    target = serializers.ChoiceField(
        choices=["indicator", "constant", "last_year"],
        help_text="比较对象：indicator 另一项指标；constant 固定数值；last_year 本指标上年数值",
    )
    operator = serializers.CharField(help_text="<=、<、>=、>、==、!=（与上年比较时不使用）")
    right = serializers.CharField(
        source="right.code", allow_null=True, help_text="另一项指标代码（target 为 indicator 时）"
    )
    constant = DecimalStringField(help_text="固定数值（target 为 constant 时）")
    tolerance = DecimalStringField(
        help_text="与上年相比允许的变动幅度：数量按 %，百分比指标按百分点（target 为 last_year 时）"
    )
    severity = serializers.ChoiceField(
        choices=["error", "warning"], help_text="error 阻止报送；warning 需填写上报说明"
    )
    message = serializers.CharField()
    version = VersionField()


class IndicatorSerializer(serializers.ModelSerializer):
    version = VersionField()
    section = serializers.CharField(source="section.code")
    department = serializers.CharField(source="department.code")
    lower_bound = DecimalStringField()
    upper_bound = DecimalStringField()
    value_type = choice_field(ValueType.choices, read_only=True)
    rules = serializers.SerializerMethodField(help_text="涉及该指标的启用中的校验规则")
    computed = serializers.BooleanField(
        source="is_computed",
        read_only=True,
        help_text="计算指标（由 formula 计算，不填报）；false 为填报指标",
    )
    formula = serializers.CharField(
        read_only=True, help_text="计算公式（计算指标）；填报指标为空字符串"
    )
    decimal_places = serializers.IntegerField(
        read_only=True, help_text="计算指标结果保留的小数位数（四舍五入）"
    )
    retired_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="停用日期：此后开始的报告期不再填报；null 为在用",
    )
    first_period = serializers.CharField(
        source="first_period.code",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="从该报告期起填报（之前的报告期不要求）；null 为所有报告期",
    )

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
            "computed",
            "formula",
            "decimal_places",
            "retired_on",
            "first_period",
            "rules",
            "version",
        ]

    @extend_schema_field(RuleSerializer(many=True))
    def get_rules(self, indicator):
        return RuleSerializer(self.context["rules_by_code"].get(indicator.code, []), many=True).data


_REFUSALS = {
    400: error_response("数据不正确（invalid / formula_invalid / department_retired）"),
    403: error_response("不是法制办（forbidden）"),
    409: error_response(
        "当前状态不允许（code_frozen / section_not_empty / department_in_use / "
        "figures_awaiting_review / indicator_in_use / already）"
    ),
}


class ManagerWrites:
    """The write actions: the permission first, then the input."""

    def _manager(self, request):
        access.require(
            access.can_manage_catalogue(request.user),
            "只有法制办（指标目录管理员）可以修改指标目录、讲话部分和部门。",
        )

    def _answer(self, obj, http_status=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=http_status)


def _catalogue(plural: str, one: str, **writes):
    return extend_schema_view(
        list=extend_schema(tags=["catalogue"], summary=f"{plural}列表"),
        retrieve=extend_schema(tags=["catalogue"], summary=f"{one}（按代码）"),
        **writes,
    )


def _write(summary, request, response, description=""):
    return extend_schema(
        tags=["catalogue"],
        summary=summary,
        description=description or None,
        request=request,
        responses={200: response, 201: response, **_REFUSALS}
        if request
        else {204: None, **_REFUSALS},
    )


@_catalogue(
    "填报部门",
    "一个部门",
    create=_write("新增部门（法制办）", DepartmentInput, DepartmentSerializer),
    partial_update=_write(
        "修改部门名称、简称、排序（法制办）", DepartmentUpdateInput, DepartmentSerializer
    ),
)
class DepartmentViewSet(
    ApiMixin,
    CodeLookupMixin,
    ManagerWrites,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """填报部门。"""

    serializer_class = DepartmentSerializer
    queryset = Department.objects.order_by("order", "code")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        self._manager(request)
        data = validated(DepartmentInput, request)
        department = services.create_department(user=request.user, **data)
        return self._answer(department, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        self._manager(request)
        department = self.get_object()
        data = validated(DepartmentUpdateInput, request)
        department = services.update_department(department=department, user=request.user, **data)
        return self._answer(department)

    @_write(
        "停用部门（法制办）",
        ReasonOnlyInput,
        DepartmentSerializer,
        "仍负责在用指标时拒绝（409 department_in_use，message 列出这些指标）。",
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, code=None):
        self._manager(request)
        department = self.get_object()
        data = validated(ReasonOnlyInput, request)
        return self._answer(
            services.retire_department(department=department, user=request.user, **data)
        )

    @_write("恢复已停用的部门（法制办）", ReasonOnlyInput, DepartmentSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, code=None):
        self._manager(request)
        department = self.get_object()
        data = validated(ReasonOnlyInput, request)
        return self._answer(
            services.restore_department(department=department, user=request.user, **data)
        )


@_catalogue(
    "讲话稿各部分",
    "讲话稿的一个部分",
    create=_write("新增讲话部分（法制办）", SectionInput, SectionSerializer),
    partial_update=_write("修改讲话部分名称（法制办）", SectionRenameInput, SectionSerializer),
    destroy=_write(
        "删除讲话部分（法制办）",
        None,
        None,
        "还有指标时拒绝（409 section_not_empty）：只能清空后删除。",
    ),
)
class SectionViewSet(
    ApiMixin,
    CodeLookupMixin,
    ManagerWrites,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """讲话稿的各部分。"""

    serializer_class = SectionSerializer
    queryset = Section.objects.order_by("order")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        self._manager(request)
        data = validated(SectionInput, request)
        return self._answer(
            services.create_section(user=request.user, **data), status.HTTP_201_CREATED
        )

    def partial_update(self, request, *args, **kwargs):
        self._manager(request)
        section = self.get_object()
        data = validated(SectionRenameInput, request)
        return self._answer(services.rename_section(section=section, user=request.user, **data))

    def destroy(self, request, *args, **kwargs):
        self._manager(request)
        services.delete_section(section=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["catalogue"],
        summary="调整讲话部分顺序（法制办）",
        request=SectionOrderInput,
        responses={200: SectionSerializer(many=True), **_REFUSALS},
    )
    @action(detail=False, methods=["post"])
    def reorder(self, request):
        self._manager(request)
        data = validated(SectionOrderInput, request)
        services.reorder_sections(user=request.user, **data)
        return Response(SectionSerializer(self.get_queryset(), many=True).data)


class IndicatorFilter(django_filters.FilterSet):
    department = django_filters.CharFilter(field_name="department__code", help_text="部门代码")
    section = django_filters.CharFilter(field_name="section__code", help_text="讲话部分代码")
    value_type = django_filters.ChoiceFilter(choices=ValueType.choices)

    class Meta:
        model = Indicator
        fields = ["department", "section", "value_type"]


@_catalogue(
    "指标目录",
    "一项指标，附涉及它的校验规则",
    create=_write(
        "新增指标（法制办）",
        IndicatorInput,
        IndicatorSerializer,
        "省略 code 时按名称拼音首字母生成（如 biz_xzfyajs），重复时加后缀。"
        "填写 formula 即为计算指标（不设上下限，decimal_places 0–4）。",
    ),
    partial_update=_write(
        "修改指标（法制办）",
        IndicatorInput(partial=True),
        IndicatorSerializer,
        "只改所给字段。code 被填报数据、模板、校验规则或其他指标的公式引用后不能修改"
        "（409 code_frozen）；本期有已报送待审核数据时不能更换填报部门"
        "（409 figures_awaiting_review），未报送的数据随指标转到新部门。",
    ),
)
class IndicatorViewSet(
    ApiMixin,
    CodeLookupMixin,
    ManagerWrites,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """指标目录，附涉及各指标的校验规则。"""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Indicator.objects.select_related("section", "department", "first_period").order_by(
        "section__order", "order", "code"
    )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        by_code: dict[str, list] = {}
        for rule in selectors.active_rules():
            for side in rule.sides:
                by_code.setdefault(side.code, []).append(rule)
        context["rules_by_code"] = by_code
        return context

    def create(self, request, *args, **kwargs):
        self._manager(request)
        data = dict(validated(IndicatorInput, request))
        # As on the page: a new indicator is expected from the current period on unless the
        # request says otherwise (null: every period), never in past periods by surprise.
        data.setdefault("first_period", selectors.current_period())
        indicator = services.create_indicator(user=request.user, **data)
        return self._answer(indicator, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        self._manager(request)
        indicator = self.get_object()
        data = dict(validated(IndicatorUpdateInput, request, partial=True))
        indicator = services.update_indicator(indicator=indicator, user=request.user, **data)
        return self._answer(indicator)

    @_write(
        "停用指标（法制办）",
        RetireInput,
        IndicatorSerializer,
        "停用日期之后开始的报告期不再填报；以往数据、快照与讲话稿不变。"
        "被在用计算指标的公式引用时拒绝（409 indicator_in_use）。",
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, code=None):
        self._manager(request)
        indicator = self.get_object()
        data = validated(RetireInput, request)
        return self._answer(
            services.retire_indicator(indicator=indicator, user=request.user, **data)
        )

    @_write("恢复已停用的指标（法制办）", ReasonOnlyInput, IndicatorSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, code=None):
        self._manager(request)
        indicator = self.get_object()
        data = validated(ReasonOnlyInput, request)
        return self._answer(
            services.restore_indicator(indicator=indicator, user=request.user, **data)
        )
