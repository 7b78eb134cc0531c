"""Reporting periods and their workflow: the period list, a department's submit and approval
for a period, and the reviewer's lock and reopen of a whole period.

Invariants: views are thin: they validate shape with the input serializer, call one service
(which checks the permission and runs in its own transaction), serialize the result. A
department's figures come back as one `FiguresResult`, read again in a single query."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lawgov.api import ApiMixin, code_or_404
from lawgov.api_fields import choice_field, text_field, validated

from .. import access, services
from ..models import DeadlineExtension, Department, PeriodState, ReportingPeriod
from ..texts import REASON
from .common import (
    CodeLookupMixin,
    CommentInput,
    FiguresResultSerializer,
    ReasonInput,
    figures_result,
)


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


class ExtensionSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", help_text="部门代码")
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = DeadlineExtension
        fields = ["department", "department_name", "deadline", "reason"]


class PeriodDetailSerializer(PeriodSerializer):
    extensions = ExtensionSerializer(many=True, read_only=True, help_text="部门延期")

    class Meta(PeriodSerializer.Meta):
        fields = [*PeriodSerializer.Meta.fields, "extensions"]


class OpenPeriodInput(serializers.Serializer):
    code = serializers.CharField(max_length=8, help_text="报告期代码：2027、2027S1、2027Q3")
    deadline = serializers.DateField(help_text="报送截止日期")
    open_entry = serializers.BooleanField(
        default=False, help_text="立即开放填报（否则先开设，待 open-entry 后各部门才能填写）"
    )
    reason = text_field(default="", max_length=REASON.limit, help_text="原因（可选）")


class DeadlineInput(serializers.Serializer):
    deadline = serializers.DateField(help_text="新的报送截止日期（全部部门）")
    reason = text_field(max_length=REASON.limit, help_text="修改原因（必填）")


class ExtensionInput(serializers.Serializer):
    department = serializers.CharField(max_length=40, help_text="部门代码")
    deadline = serializers.DateField(help_text="该部门延长后的截止日期")
    reason = text_field(max_length=REASON.limit, help_text="延期原因（必填）")


class SubmitInput(serializers.Serializer):
    force = serializers.BooleanField(
        default=False, help_text="强制上报：有预警时照样报送（每个预警项须已填写上报说明）"
    )


class LockInput(serializers.Serializer):
    reason = text_field(default="", max_length=REASON.limit, help_text="锁定原因（可选）")


def _manager(request):
    """The calendar's writes refuse others before reading their input (403, not 400)."""
    access.require(access.can_manage_periods(request.user), "只有法制办可以管理报告期和截止日期。")


@extend_schema_view(
    list=extend_schema(tags=["periods"], summary="报告期列表"),
    retrieve=extend_schema(
        tags=["periods"], summary="一个报告期（含部门延期）", responses=PeriodDetailSerializer
    ),
)
class PeriodViewSet(ApiMixin, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PeriodSerializer
    queryset = ReportingPeriod.objects.order_by("-end", "code")

    def retrieve(self, request, code=None):
        return Response(self._detail(self.get_object()))

    def _detail(self, period):
        period = ReportingPeriod.objects.prefetch_related("extensions__department").get(
            pk=period.pk
        )
        return PeriodDetailSerializer(period).data

    @extend_schema(
        tags=["periods"],
        summary="开设报告期（法制办）",
        description=(
            "起止日期按代码确定。已开设：409 period_exists；截止日期早于报告期结束："
            "400 deadline_invalid。"
        ),
        request=OpenPeriodInput,
        responses={201: PeriodDetailSerializer},
    )
    def create(self, request):
        _manager(request)
        data = validated(OpenPeriodInput, request)
        period = services.open_period(user=request.user, **data)
        return Response(self._detail(period), status=201)

    @extend_schema(
        tags=["periods"],
        summary="修改报送截止日期（法制办，全部部门，须填写原因）",
        request=DeadlineInput,
        responses={200: PeriodDetailSerializer},
    )
    def partial_update(self, request, code=None):
        _manager(request)
        period = self.get_object()
        data = validated(DeadlineInput, request)
        period = services.change_deadline(period=period, user=request.user, **data)
        return Response(self._detail(period))

    @extend_schema(
        tags=["periods"],
        summary="开放填报（法制办）",
        request=LockInput,
        responses={200: PeriodDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="open-entry", url_name="open-entry")
    def open_entry(self, request, code=None):
        _manager(request)
        period = self.get_object()
        reason = validated(LockInput, request)["reason"]
        period = services.open_entry_for(period=period, user=request.user, reason=reason)
        return Response(self._detail(period))

    @extend_schema(
        tags=["periods"],
        summary="为一个部门延长截止日期（法制办，须填写原因）",
        request=ExtensionInput,
        responses={200: PeriodDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def extensions(self, request, code=None):
        _manager(request)
        period = self.get_object()
        data = validated(ExtensionInput, request)
        department = get_object_or_404(Department, code=code_or_404(data.pop("department")))
        services.extend_deadline(period=period, department=department, user=request.user, **data)
        return Response(self._detail(period))

    @extend_schema(
        tags=["periods"],
        summary="取消一个部门的延期（法制办，须填写原因）",
        request=ReasonInput,
        responses={200: PeriodDetailSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"extensions/(?P<department_code>[^/]+)/withdraw",
        url_name="withdraw-extension",
    )
    def withdraw_extension(self, request, code=None, department_code=None):
        _manager(request)
        period = self.get_object()
        reason = validated(ReasonInput, request)["reason"]
        extension = get_object_or_404(
            DeadlineExtension, period=period, department__code=code_or_404(department_code)
        )
        services.withdraw_extension(extension=extension, user=request.user, reason=reason)
        return Response(self._detail(period))

    def _for_department(self, request, department_code, input_class, service):
        """A step of one department's workflow for the period, answered with its figures: the
        input's fields (`force`, a comment) are the service's arguments."""
        period = self.get_object()
        department = get_object_or_404(Department, code=code_or_404(department_code))
        data = validated(input_class, request)
        figures = service(department=department, period=period, user=request.user, **data)
        return Response(figures_result(figures))

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
        return self._for_department(request, department_code, SubmitInput, services.submit_figures)

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
        return self._for_department(
            request, department_code, CommentInput, services.approve_department
        )

    @extend_schema(
        tags=["workflow"],
        summary="锁定报告期（审核员）",
        request=LockInput,
        responses={200: PeriodSerializer},
    )
    @action(detail=True, methods=["post"])
    def lock(self, request, code=None):
        period = self.get_object()
        reason = validated(LockInput, request)["reason"] or "审核员锁定"
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
        reason = validated(ReasonInput, request)["reason"]
        period = services.reopen_period(period=period, user=request.user, reason=reason)
        return Response(PeriodSerializer(period).data)
