"""Figures: the list a user may see, one figure with its history, evidence and comments, a
clerk's create, update and bulk import, and the reviewer's approve, return and reopen of one
figure, and the comments under it.

Invariants: views are thin: they validate shape with the input serializer, call one service,
serialize the result. `services.save_figure` checks the permission first and parses the raw
value itself, so a foreign figure is a 403 whatever number or text was sent (only a body of
the wrong shape, such as a value of `true`, is a 400 before any service runs); the view never
parses a value, repeats a permission check a service makes, or opens a transaction around a
service. A saved figure is answered as the service returned it: the version written, not a
later writer's."""

from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lawgov.api import ApiError, ApiMixin, error_response, int_or_404
from lawgov.api_fields import CodeField, RawValueField, text_field, validated

from .. import access, selectors, services
from ..computed import CURRENT, computed_values, visible_to
from ..models import Department, Figure, Indicator, ReportingPeriod
from ..numbers import plain
from ..texts import COMMENT, EXPLANATION, REMARK
from .common import (
    FIGURE_RELATIONS,
    ChangeOutput,
    CommentInput,
    FigureSerializer,
    FiguresResultSerializer,
    ReasonInput,
    change_output,
    figures_result,
)
from .evidence import EvidenceSerializer
from .filters import FigureFilter

MAX_BULK_ROWS = 500


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


class FigureDetailSerializer(FigureSerializer):
    history = serializers.SerializerMethodField(help_text="修改历史，最新在前")
    evidence = EvidenceSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta(FigureSerializer.Meta):
        fields = FigureSerializer.Meta.fields + ["history", "evidence", "comments"]

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, figure):
        return HistoryEntrySerializer(selectors.figure_history(figure=figure), many=True).data


class FigureCreateInput(serializers.Serializer):
    period = CodeField(ReportingPeriod.objects.all(), help_text="报告期代码，如 2026")
    indicator = CodeField(Indicator.objects.select_related("department"), help_text="指标代码")
    value = RawValueField(allow_null=True)
    remark = text_field(default="", max_length=REMARK.limit)
    explanation = text_field(
        required=False, max_length=EXPLANATION.limit, help_text="上报说明（强制上报时需要）"
    )
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        default=0,
        help_text="0（默认）表示新建；更新已有数据时填当前版本号，过期则 409",
    )


class FigureUpdateInput(serializers.Serializer):
    value = RawValueField(allow_null=True)
    remark = text_field(default="", max_length=REMARK.limit)
    explanation = text_field(
        required=False, max_length=EXPLANATION.limit, help_text="上报说明；省略则保持不变"
    )
    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="读取时的版本号；过期则 409（必填）"
    )


class BulkRowInput(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="指标代码")
    value = RawValueField(allow_null=True)
    remark = text_field(default="", max_length=REMARK.limit)
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


class CommentTextInput(serializers.Serializer):
    text = text_field(max_length=COMMENT.limit, help_text="意见内容（必填）")


class ComputedFigureSerializer(serializers.Serializer):
    """A computed indicator (计算指标) in a period: read only, never written through the API."""

    period = serializers.CharField(source="period_code")
    indicator = serializers.CharField(source="code")
    department = serializers.CharField(source="indicator.department.code")
    computed = serializers.SerializerMethodField(help_text="恒为 true：计算指标，不能填报")
    formula = serializers.CharField(source="formula_text", help_text="计算公式")
    inputs = serializers.ListField(
        child=serializers.CharField(), source="input_codes", help_text="公式引用的指标代码"
    )
    value = serializers.SerializerMethodField(
        help_text="按当前数据计算、按小数位数四舍五入的值；无法计算时为 null"
    )
    reason = serializers.CharField(help_text="无法计算的原因（如“缺少：受理行政复议案件”）")
    approved = serializers.BooleanField(help_text="全部输入均已审核通过")
    previous_value = serializers.SerializerMethodField(
        help_text="上一可比报告期按已审核数据计算的值；没有则为 null"
    )
    change = serializers.SerializerMethodField()

    def get_computed(self, item) -> bool:
        return True

    @extend_schema_field({"type": "string", "nullable": True, "example": "93.8"})
    def get_value(self, item):
        return None if item.value is None else plain(item.value, item.places)

    @extend_schema_field({"type": "string", "nullable": True, "example": "90"})
    def get_previous_value(self, item):
        return None if item.previous is None else plain(item.previous, item.places)

    @extend_schema_field(ChangeOutput)
    def get_change(self, item) -> dict:
        return change_output(item.change)


@extend_schema_serializer(many=False)  # the page itself: drf-spectacular must not paginate it
class FigureListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = FigureSerializer(many=True)
    computed = ComputedFigureSerializer(
        many=True,
        help_text="按 period 查询时：该期各计算指标（只读，按当前数据计算），每页都附上",
    )


_CONFLICT = error_response("版本已过期（conflict），`current` 为当前保存的数据")


@extend_schema_view(
    list=extend_schema(
        tags=["figures"],
        summary="填报数据列表",
        description=(
            "填报员只看到本部门的数据；审核员与区领导看到全部。按 `period` 查询时，"
            "`computed` 列出该期可见部门的计算指标（只读：`computed` 为 true，附 `formula`、"
            "`inputs`、按当前数据计算的 `value` 或无法计算的 `reason`）；"
            "写入计算指标会被拒绝（`computed_indicator`），写入已停用的指标亦然"
            "（`retired_indicator`）。"
        ),
        responses={200: FigureListSerializer},
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
                unit__in=selectors.departments_visible_to(user=self.request.user),
                # Units inside the caller's subtree (metrics.access.scope_of) only.
                unit__area__path__startswith=access.scope_path(self.request.user),
            )
            .select_related(*FIGURE_RELATIONS)
            .order_by(
                "-period__start",
                "period__code",
                "unit__order",
                "unit__code",
                "indicator__section__order",
                "indicator__order",
                "indicator__code",
            )
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        figures = list(queryset if page is None else page)
        selectors.attach_previous_values(figures)  # one query for the page's 同比
        data = self.get_serializer(figures, many=True).data
        response = Response(data) if page is None else self.get_paginated_response(data)
        if page is not None:
            response.data["computed"] = self._computed(request, figures)
        return response

    def _computed(self, request, figures) -> list:
        """The period's computed indicators of the departments the user may see, narrowed by
        the list's department and indicator filters (none without a period, nor when listing
        by status): two queries (metrics.computed), three when the page holds no figure."""
        code = request.query_params.get("period", "")
        if not code or request.query_params.get("status"):
            return []
        period = next((f.period for f in figures if f.period.code == code), None)
        if period is None:
            period = ReportingPeriod.objects.filter(code=code).first()
        if period is None:
            return []
        department = request.query_params.get("department")
        indicator = request.query_params.get("indicator")
        values = visible_to(computed_values(period=period, basis=CURRENT), user=request.user)
        # access.can_view_department for every item at once: one query, not two per item.
        seen = set(
            selectors.departments_visible_to(user=request.user)
            .filter(pk__in={v.indicator.department_id for v in values.values()})
            .filter(area__path__startswith=access.scope_path(request.user))
            .values_list("pk", flat=True)
        )
        items = [
            item
            for item in values.values()
            if item.indicator.department_id in seen
            and (not department or item.indicator.department.code == department)
            and (not indicator or item.code == indicator)
        ]
        return ComputedFigureSerializer(items, many=True).data

    def get_object(self):
        """Any figure by id; reading it is checked against its department, and writing it is
        checked by the services (so a foreign figure is 403, as on the web, not 404)."""
        return get_object_or_404(
            Figure.objects.select_related(*FIGURE_RELATIONS),
            pk=int_or_404(self.kwargs["pk"]),
        )

    def retrieve(self, request, pk=None):
        figure = self.get_object()
        department = figure.unit
        access.require(
            access.can_view_department(request.user, department),
            f"您不能查看{department.name}的数据。",
        )
        figure = (
            Figure.objects.select_related(*FIGURE_RELATIONS)
            .prefetch_related("evidence", "comments__author")
            .get(pk=figure.pk)
        )
        return Response(FigureDetailSerializer(figure).data)

    def _respond(self, figure):
        figure = Figure.objects.select_related(*FIGURE_RELATIONS).get(pk=figure.pk)
        return Response(FigureSerializer(figure).data)

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
        data = validated(FigureCreateInput, request)
        return self._save_and_respond(
            created=data["version"] == 0,
            indicator=data["indicator"],
            period=data["period"],
            value=data["value"],
            remark=data["remark"],
            explanation=data.get("explanation"),
            user=request.user,
            expected_version=data["version"],
        )

    def _save_and_respond(self, *, created=False, **save):
        # The figure as the service wrote it, so the client gets the version it wrote, not a
        # later writer's; only the relations the service left unloaded are read (none for a
        # new figure, one query each for an existing one).
        figure = services.save_figure(**save)
        prefetch_related_objects([figure], *FIGURE_RELATIONS)
        return Response(
            FigureSerializer(figure).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def _update(self, request, *, partial: bool):
        if isinstance(request.data, dict) and "version" not in request.data:
            raise ApiError(
                "version_required",
                "更新数据须提供读取时的版本号 version，以免覆盖他人的修改。",
            )
        figure = self.get_object()
        data = validated(FigureUpdateInput, request, partial=partial)
        if partial and "remark" not in data:
            remark = figure.remark
        else:
            remark = data.get("remark", "")
        return self._save_and_respond(
            indicator=figure.indicator,
            period=figure.period,
            value=data.get("value", figure.value),
            remark=remark,
            explanation=data.get("explanation"),
            user=request.user,
            expected_version=data["version"],
            unit=figure.unit,
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
        data = validated(BulkInput, request)
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
        return Response(figures_result(figures))

    def _review(self, request, input_class, service):
        """A reviewer's decision on one figure: the input's fields (a comment or a reason)
        are the service's arguments."""
        figure = self.get_object()
        data = validated(input_class, request)
        return self._respond(service(figure=figure, user=request.user, **data))

    @extend_schema(
        tags=["workflow"],
        summary="审核通过一项已报送的数据（审核员）",
        request=CommentInput,
        responses={200: FigureSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, CommentInput, services.approve_figure)

    @extend_schema(
        tags=["workflow"],
        summary="退回一项数据并说明原因（审核员）",
        request=ReasonInput,
        responses={200: FigureSerializer},
        operation_id="figures_return_create",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._review(request, ReasonInput, services.return_figure)

    @extend_schema(
        tags=["workflow"],
        summary="重新开放一项已审核通过的数据，交回填报员更正（审核员，须填写原因）",
        request=ReasonInput,
        responses={200: FigureSerializer},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._review(request, ReasonInput, services.reopen_figure)

    @extend_schema(
        tags=["workflow"],
        summary="在一项数据下发表意见（审核员或本部门填报员）",
        request=CommentTextInput,
        responses={201: CommentSerializer},
    )
    @action(detail=True, methods=["post"])
    def comments(self, request, pk=None):
        figure = self.get_object()
        data = validated(CommentTextInput, request)
        comment = services.add_comment(figure=figure, user=request.user, text=data["text"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
