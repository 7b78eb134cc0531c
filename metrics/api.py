"""REST API for the catalogue, periods, figures and their workflow: thin views that read with
`metrics.selectors` and write with `metrics.services`, exactly as the web UI does. Values are
Decimal throughout and leave the API as decimal strings."""

from decimal import Decimal

import django_filters
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lawgov.api import ApiError, ApiMixin, code_or_404, error_response, int_or_404

from . import access, evidence, selectors, services
from .models import (
    Department,
    Evidence,
    Figure,
    FigureStatus,
    Indicator,
    PeriodState,
    ReportingPeriod,
    Section,
    ValueType,
)
from .roles import role_of
from .validation import parse_value, plain

MAX_TEXT = 2000
MAX_BULK_ROWS = 500

# ---------------------------------------------------------------------------------------
# Fields


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
        "example": "98.5",
        "description": "十进制数的字符串（不用浮点数），未填写为 null",
    }
)
class DecimalStringField(serializers.Field):
    """A stored Decimal as people write it: 98.50 → "98.5"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return plain(value)


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "maxLength": 100}, {"type": "number"}],
        "nullable": True,
        "example": "98.5",
        "description": (
            '数值：JSON 数字或数字字符串（推荐字符串，如 "98.5"，以免精度损失）；'
            "null 或空字符串表示未填写。NaN、Infinity、超过 16 位整数的数值均被拒绝（invalid）。"
        ),
    }
)
class RawValueField(serializers.Field):
    """What the client sent as a value, to be parsed against the indicator by the same
    `metrics.validation.parse_value` the entry form and the file import use."""

    default_error_messages = {
        "invalid": "数值应为数字或数字字符串。",
        "too_long": "数值字符串过长。",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal | float):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > 100:
            self.fail("too_long")
        return data

    def to_representation(self, value):
        return value


def choice_field(choices, *, inline=False, **kwargs):
    """A ChoiceField; `inline` documents its values in place instead of as a shared enum
    component (several models have a `status`, and drf-spectacular names enum components
    after the field)."""
    if not inline:
        return serializers.ChoiceField(choices=choices, **kwargs)
    schema = {
        "allOf": [{"type": "string", "enum": [value for value, _ in choices]}],
        "description": "；".join(f"{value} {label}" for value, label in choices),
    }
    # A class per use: DRF copies declared fields by instantiating their class again.
    field_class = extend_schema_field(schema)(
        type("InlineChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)


def _text_field(**kwargs):
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("max_length", MAX_TEXT)
    kwargs.setdefault("trim_whitespace", True)
    return serializers.CharField(**kwargs)


class CodeField(serializers.SlugRelatedField):
    """A related object named by its code; an unknown code is a 400 "invalid"."""

    default_error_messages = {
        "does_not_exist": "代码“{value}”不存在。",
        "invalid": "代码应为字符串。",
    }

    def __init__(self, queryset, **kwargs):
        super().__init__(slug_field="code", queryset=queryset, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 100:
            self.fail("invalid")
        return super().to_internal_value(data)


# ---------------------------------------------------------------------------------------
# Output serializers


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


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    previous_code = serializers.CharField(read_only=True, help_text="上一可比报告期")
    state = choice_field(PeriodState.choices, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportingPeriod
        fields = ["code", "label", "start", "end", "deadline", "state", "previous_code", "url"]

    def get_url(self, period) -> str:
        return reverse("api:period-detail", args=[period.code])


class FigureSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code")
    indicator = serializers.CharField(source="indicator.code")
    department = serializers.CharField(source="indicator.department.code")
    value = DecimalStringField()
    status = choice_field(FigureStatus.choices, read_only=True)
    updated_by = serializers.CharField(
        source="updated_by.username", allow_null=True, default=None, help_text="最后修改人用户名"
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Figure
        fields = [
            "id",
            "period",
            "indicator",
            "department",
            "value",
            "remark",
            "explanation",
            "status",
            "return_reason",
            "version",
            "updated_by",
            "updated_at",
            "url",
        ]

    def get_url(self, figure) -> str:
        return reverse("api:figure-detail", args=[figure.pk])


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="字段（中文）：数值、备注、上报说明、状态、退回原因")
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    reason = serializers.CharField()
    version = serializers.IntegerField()
    changes = serializers.SerializerMethodField()

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, entry):
        return [{"field": label, "old": old, "new": new} for label, old, new in entry.changes]


class CommentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField(help_text="下载地址（需要查看该部门数据的权限）")

    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, item) -> str:
        return reverse("api:evidence-download", args=[item.pk])


class FigureDetailSerializer(FigureSerializer):
    history = serializers.SerializerMethodField(help_text="修改历史，最新在前")
    evidence = EvidenceSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta(FigureSerializer.Meta):
        fields = FigureSerializer.Meta.fields + ["history", "evidence", "comments"]

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, figure):
        return HistoryEntrySerializer(selectors.figure_history(figure=figure), many=True).data


class FiguresResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    figures = FigureSerializer(many=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(allow_null=True, help_text="clerk / reviewer / leader / admin")
    department = serializers.CharField(allow_null=True, help_text="填报员所属部门代码")


# ---------------------------------------------------------------------------------------
# Input serializers


class FigureCreateInput(serializers.Serializer):
    period = CodeField(ReportingPeriod.objects.all(), help_text="报告期代码，如 2026")
    indicator = CodeField(Indicator.objects.select_related("department"), help_text="指标代码")
    value = RawValueField(allow_null=True)
    remark = _text_field(default="")
    explanation = _text_field(required=False, help_text="上报说明（强制上报时需要）")
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        default=0,
        help_text="0（默认）表示新建；更新已有数据时填当前版本号，过期则 409",
    )


class FigureUpdateInput(serializers.Serializer):
    value = RawValueField(allow_null=True)
    remark = _text_field(default="")
    explanation = _text_field(required=False, help_text="上报说明；省略则保持不变")
    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="读取时的版本号；过期则 409（必填）"
    )


class BulkRowInput(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="指标代码")
    value = RawValueField(allow_null=True)
    remark = _text_field(default="")
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="可选：读取时的版本号（尚无该数据为 0）；与当前版本不符则整批不写入",
    )


class BulkInput(serializers.Serializer):
    period = CodeField(ReportingPeriod.objects.all())
    department = CodeField(Department.objects.all())
    figures = BulkRowInput(many=True, allow_empty=False, max_length=MAX_BULK_ROWS)


class SubmitInput(serializers.Serializer):
    force = serializers.BooleanField(
        default=False, help_text="强制上报：有预警时照样报送（每个预警项须已填写上报说明）"
    )


class CommentInput(serializers.Serializer):
    comment = _text_field(default="", help_text="审核意见（可选）")


class CommentTextInput(serializers.Serializer):
    text = _text_field(help_text="意见内容（必填）")


class EvidenceUploadInput(serializers.Serializer):
    period = CodeField(ReportingPeriod.objects.all())
    indicator = CodeField(Indicator.objects.select_related("department"))
    file = serializers.FileField(
        allow_empty_file=True,  # the service says 文件是空的 in its own words
        help_text="PDF、PNG、JPEG、DOCX 或 XLSX，按内容判断类型",
        error_messages={
            "required": "请选择要上传的文件。",
            "null": "请选择要上传的文件。",
            "invalid": "上传的内容不是文件，请以 multipart/form-data 上传。",
            "no_name": "无法确定文件名。",
            "max_length": "文件名过长。",
        },
    )


class ReasonInput(serializers.Serializer):
    reason = _text_field(default="", help_text="原因（必填）")


class LockInput(serializers.Serializer):
    reason = _text_field(default="", help_text="锁定原因（可选）")


def _require_entry(user, department):
    """The service checks this too; checked first here so that a foreign figure is a 403
    whatever value was sent, rather than a 400 about the value."""
    access.require(
        access.can_enter_figures(user, department), f"您不能填报{department.name}的数据。"
    )


def _valid(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _figures_result(figures) -> dict:
    """Figures a service returned, read again in one query with what the serializer needs."""
    fresh = (
        Figure.objects.filter(pk__in=[f.pk for f in figures])
        .select_related("indicator__department", "period", "updated_by")
        .order_by("indicator__section__order", "indicator__order", "indicator__code")
    )
    data = FigureSerializer(fresh, many=True).data
    return {"count": len(data), "figures": data}


# ---------------------------------------------------------------------------------------
# Catalogue


class CodeLookupMixin:
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), code=code_or_404(self.kwargs["code"]))


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


# ---------------------------------------------------------------------------------------
# Periods and the department workflow


@extend_schema_view(
    list=extend_schema(tags=["periods"], summary="报告期列表"),
    retrieve=extend_schema(tags=["periods"], summary="一个报告期"),
)
class PeriodViewSet(ApiMixin, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PeriodSerializer
    queryset = ReportingPeriod.objects.order_by("-end", "code")

    def _department(self, code):
        return get_object_or_404(Department, code=code_or_404(code))

    @extend_schema(
        tags=["workflow"],
        summary="报送一个部门本期的全部数据（填报员）",
        description=(
            "全部或全不：有未填写的数据或错误规则不通过时拒绝（400 invalid，`fields` 按指标代码"
            "列出原因）；有预警时普通报送被拒，`force: true` 且每个预警项已填写上报说明时照样报送。"
        ),
        request=SubmitInput,
        responses={200: FiguresResultSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"departments/(?P<department_code>[^/]+)/submit",
        url_name="submit",
    )
    def submit(self, request, code=None, department_code=None):
        period = self.get_object()
        department = self._department(department_code)
        data = _valid(SubmitInput, request)
        figures = services.submit_figures(
            department=department, period=period, user=request.user, force=data["force"]
        )
        return Response(_figures_result(figures))

    @extend_schema(
        tags=["workflow"],
        summary="审核通过一个部门本期全部已报送的数据（审核员）",
        request=CommentInput,
        responses={200: FiguresResultSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"departments/(?P<department_code>[^/]+)/approve",
        url_name="approve-department",
    )
    def approve_department(self, request, code=None, department_code=None):
        period = self.get_object()
        department = self._department(department_code)
        data = _valid(CommentInput, request)
        figures = services.approve_department(
            department=department, period=period, user=request.user, comment=data["comment"]
        )
        return Response(_figures_result(figures))

    @extend_schema(
        tags=["workflow"],
        summary="锁定报告期（审核员）",
        request=LockInput,
        responses={200: PeriodSerializer},
    )
    @action(detail=True, methods=["post"])
    def lock(self, request, code=None):
        period = self.get_object()
        reason = _valid(LockInput, request)["reason"] or "审核员锁定"
        period = services.lock_period(period=period, user=request.user, reason=reason)
        return Response(PeriodSerializer(period).data)

    @extend_schema(
        tags=["workflow"],
        summary="重新开放报告期（审核员，须填写原因）",
        request=ReasonInput,
        responses={200: PeriodSerializer},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, code=None):
        period = self.get_object()
        reason = _valid(ReasonInput, request)["reason"]
        period = services.reopen_period(period=period, user=request.user, reason=reason)
        return Response(PeriodSerializer(period).data)


# ---------------------------------------------------------------------------------------
# Figures


class FigureFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period__code", help_text="报告期代码")
    department = django_filters.CharFilter(
        field_name="indicator__department__code", help_text="部门代码"
    )
    indicator = django_filters.CharFilter(field_name="indicator__code", help_text="指标代码")
    status = django_filters.ChoiceFilter(choices=FigureStatus.choices)

    class Meta:
        model = Figure
        fields = ["period", "department", "indicator", "status"]


_CONFLICT = error_response("版本已过期（conflict），`current` 为当前保存的数据")


@extend_schema_view(
    list=extend_schema(
        tags=["figures"],
        summary="填报数据列表",
        description="填报员只看到本部门的数据；审核员与区领导看到全部。",
    ),
    retrieve=extend_schema(
        tags=["figures"],
        summary="一项填报数据，附修改历史、佐证材料与意见",
        responses={200: FigureDetailSerializer},
    ),
)
class FigureViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = FigureSerializer
    filterset_class = FigureFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Figure.objects.none()
        return (
            Figure.objects.filter(
                indicator__department__in=selectors.departments_visible_to(user=self.request.user)
            )
            .select_related("indicator__department", "period", "updated_by")
            .order_by(
                "-period__start",
                "period__code",
                "indicator__department__order",
                "indicator__department__code",
                "indicator__section__order",
                "indicator__order",
                "indicator__code",
            )
        )

    def get_object(self):
        """Any figure by id; reading it is checked against its department, and writing it is
        checked by the services (so a foreign figure is 403, as on the web, not 404)."""
        return get_object_or_404(
            Figure.objects.select_related("indicator__department", "period", "updated_by"),
            pk=int_or_404(self.kwargs["pk"]),
        )

    def retrieve(self, request, pk=None):
        figure = self.get_object()
        department = figure.indicator.department
        access.require(
            access.can_view_department(request.user, department),
            f"您不能查看{department.name}的数据。",
        )
        figure = (
            Figure.objects.select_related("indicator__department", "period", "updated_by")
            .prefetch_related("evidence", "comments__author")
            .get(pk=figure.pk)
        )
        return Response(FigureDetailSerializer(figure).data)

    def _respond(self, figure, http_status=status.HTTP_200_OK):
        figure = Figure.objects.select_related("indicator__department", "period", "updated_by").get(
            pk=figure.pk
        )
        return Response(FigureSerializer(figure).data, status=http_status)

    @extend_schema(
        tags=["figures"],
        summary="新建（或按版本更新）一项数据（填报员，本部门）",
        description=(
            "`version` 为 0（默认）时新建；该数据已存在时返回 409 conflict 与当前数据。"
            "更新已有数据时 `version` 填读取时的版本号。数值按指标类型校验（计数为非负整数，"
            "百分比 0–100，最多四位小数）。"
        ),
        request=FigureCreateInput,
        responses={201: FigureSerializer, 200: FigureSerializer, 409: _CONFLICT},
        examples=[
            OpenApiExample(
                "新建",
                value={"period": "2026", "indicator": "edu_legal_consultations", "value": "3580"},
                request_only=True,
            )
        ],
    )
    def create(self, request):
        data = _valid(FigureCreateInput, request)
        indicator = data["indicator"]
        _require_entry(request.user, indicator.department)
        return self._save_and_respond(
            created=data["version"] == 0,
            indicator=indicator,
            period=data["period"],
            value=parse_value(indicator, data["value"]),
            remark=data["remark"],
            explanation=data.get("explanation"),
            user=request.user,
            expected_version=data["version"],
        )

    def _save_and_respond(self, *, created=False, **save):
        # Read the answer inside the saving transaction, under its row lock: the client gets
        # the version it wrote, not a later writer's.
        with transaction.atomic():
            figure = services.save_figure(**save)
            return self._respond(figure, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _update(self, request, *, partial: bool):
        if isinstance(request.data, dict) and "version" not in request.data:
            raise ApiError(
                "version_required",
                "更新数据须提供读取时的版本号 version，以免覆盖他人的修改。",
            )
        figure = self.get_object()
        _require_entry(request.user, figure.indicator.department)
        data = _valid(FigureUpdateInput, request, partial=partial)
        indicator = figure.indicator
        value = parse_value(indicator, data["value"]) if "value" in data else figure.value
        if partial and "remark" not in data:
            remark = figure.remark
        else:
            remark = data.get("remark", "")
        return self._save_and_respond(
            indicator=indicator,
            period=figure.period,
            value=value,
            remark=remark,
            explanation=data.get("explanation"),
            user=request.user,
            expected_version=data["version"],
        )

    @extend_schema(
        tags=["figures"],
        summary="修改一项数据（填报员，本部门；必须带 version）",
        request=FigureUpdateInput,
        responses={200: FigureSerializer, 409: _CONFLICT},
    )
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(
        tags=["figures"],
        summary="部分修改一项数据（必须带 version）",
        request=FigureUpdateInput,
        responses={200: FigureSerializer, 409: _CONFLICT},
    )
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    @extend_schema(
        tags=["figures"],
        summary="批量写入一个部门本期的数据（全部或全不）",
        description=(
            "与“上传填报表”相同的导入：任一行有误（未知代码、不属于该部门、不是数字、超出范围、"
            "重复、已报送或已审核、报告期已锁定、带了 `version` 而数据已被他人修改）则整批不写入，"
            "`errors` 逐行说明，"
            "行号为 `figures` 中的序号（从 1 起）。写入的数据为草稿（被退回的仍为已退回）。"
        ),
        request=BulkInput,
        responses={200: FiguresResultSerializer},
        examples=[
            OpenApiExample(
                "司法局",
                value={
                    "period": "2026",
                    "department": "sfj",
                    "figures": [
                        {"code": "edu_legal_consultations", "value": "3580", "remark": ""},
                        {"code": "edu_people_educated", "value": 91000},
                    ],
                },
                request_only=True,
            )
        ],
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        data = _valid(BulkInput, request)
        rows = [
            services.FigureRow(
                line=n,
                code=row["code"],
                value=row["value"],
                remark=row["remark"],
                version=row.get("version"),
            )
            for n, row in enumerate(data["figures"], start=1)
        ]
        figures = services.import_figures(
            period=data["period"],
            rows=rows,
            user=request.user,
            department=data["department"],
            source="接口批量写入",
        )
        return Response(_figures_result(figures))

    @extend_schema(
        tags=["workflow"],
        summary="审核通过一项已报送的数据（审核员）",
        request=CommentInput,
        responses={200: FigureSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        figure = self.get_object()
        data = _valid(CommentInput, request)
        figure = services.approve_figure(figure=figure, user=request.user, comment=data["comment"])
        return self._respond(figure)

    @extend_schema(
        tags=["workflow"],
        summary="退回一项数据并说明原因（审核员）",
        request=ReasonInput,
        responses={200: FigureSerializer},
        operation_id="figures_return_create",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        figure = self.get_object()
        data = _valid(ReasonInput, request)
        figure = services.return_figure(figure=figure, user=request.user, reason=data["reason"])
        return self._respond(figure)

    @extend_schema(
        tags=["workflow"],
        summary="重新开放一项已审核通过的数据，交回填报员更正（审核员，须填写原因）",
        request=ReasonInput,
        responses={200: FigureSerializer},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        figure = self.get_object()
        data = _valid(ReasonInput, request)
        figure = services.reopen_figure(figure=figure, user=request.user, reason=data["reason"])
        return self._respond(figure)

    @extend_schema(
        tags=["workflow"],
        summary="在一项数据下发表意见（审核员或本部门填报员）",
        request=CommentTextInput,
        responses={201: CommentSerializer},
    )
    @action(detail=True, methods=["post"])
    def comments(self, request, pk=None):
        figure = self.get_object()
        data = _valid(CommentTextInput, request)
        comment = services.add_comment(figure=figure, user=request.user, text=data["text"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------
# Evidence files and the current user


class EvidenceUploadView(ApiMixin, APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["figures"],
        summary="上传一项数据的佐证材料（填报员，本部门；multipart/form-data）",
        description=(
            "与网页相同的规则：按文件内容判断类型（PDF、PNG、JPEG、DOCX、XLSX），超过大小上限、"
            "伪装的类型、压缩炸弹均拒绝（400 invalid），什么也不保存；该数据尚不存在时建一条空草稿。"
        ),
        request={"multipart/form-data": EvidenceUploadInput},
        responses={201: EvidenceSerializer},
    )
    def post(self, request):
        data = _valid(EvidenceUploadInput, request)
        indicator = data["indicator"]
        _require_entry(request.user, indicator.department)
        item = services.add_evidence(
            indicator=indicator, period=data["period"], upload=data["file"], user=request.user
        )
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


class EvidenceView(ApiMixin, APIView):
    """One evidence file: its download, and its deletion by the department's clerk."""

    def _item(self, pk) -> Evidence:
        return get_object_or_404(
            Evidence.objects.select_related("figure__indicator__department"), pk=int_or_404(pk)
        )

    @extend_schema(
        tags=["figures"],
        summary="下载佐证材料（需要查看该部门数据的权限）",
        responses={
            (200, kind.content_type): OpenApiResponse(OpenApiTypes.BINARY, description="文件内容")
            for kind in (evidence.PDF, evidence.PNG, evidence.JPEG, evidence.DOCX, evidence.XLSX)
        },
    )
    def get(self, request, pk):
        item = self._item(pk)
        access.require(
            access.can_view_department(request.user, item.figure.indicator.department),
            "您无权查看该佐证材料。",
        )
        try:
            handle = item.file.open("rb")
        except FileNotFoundError:
            raise ApiError("not_found", "文件不存在或已被删除。", 404) from None
        response = FileResponse(
            handle, as_attachment=True, filename=item.original_name, content_type=item.content_type
        )
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        tags=["figures"],
        summary="删除佐证材料（填报员，本部门；数据已报送或已审核时不可删除）",
        responses={204: None},
    )
    def delete(self, request, pk):
        item = self._item(pk)
        services.delete_evidence(item=item, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class MeView(ApiMixin, APIView):
    @extend_schema(tags=["auth"], summary="当前用户与角色", responses={200: MeSerializer})
    def get(self, request):
        user = request.user
        role = role_of(user)
        return Response(
            {
                "username": user.username,
                "name": user.display_name,
                "role": role.value if role else None,
                "department": user.department.code if user.department_id else None,
            }
        )


# ---------------------------------------------------------------------------------------
# Reminders (催报)


class ReminderInput(serializers.Serializer):
    period = CodeField(ReportingPeriod.objects.all())
    department = CodeField(Department.objects.all())


class ReminderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.CharField(source="period.code")
    department = serializers.CharField(source="department.code")
    date = serializers.DateField()
    missing = serializers.IntegerField(help_text="未报送项数")
    returned = serializers.IntegerField(help_text="被退回待修改项数")


class ReminderView(ApiMixin, APIView):
    @extend_schema(
        tags=["workflow"],
        summary="催报一个部门（审核员或区领导；每个部门每天一次）",
        description="在门户中给该部门发通知，并给其填报员发邮件。已全部报送或今天已催报过：400 invalid。",
        request=ReminderInput,
        responses={201: ReminderSerializer},
    )
    def post(self, request):
        data = _valid(ReminderInput, request)
        reminder = services.send_reminder(
            department=data["department"], period=data["period"], user=request.user
        )
        return Response(ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)
