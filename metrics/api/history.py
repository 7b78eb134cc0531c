"""修改历史 over the API: GET /api/v1/history/, the same rows as the page (metrics.history),
with the same filters, newest first, paginated. Read-only: the trail is never written here.

Invariants: a page costs a fixed number of queries (one for the page of keys, a few per kind
on it), never one per row; a clerk reads their own department's figures' changes only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import APIView

from lawgov.api import ApiMixin

from .. import history
from ..models import User


class HistoryFilters(serializers.Serializer):
    person = serializers.CharField(
        required=False, max_length=150, help_text="修改人的用户名；只看此人所做的修改"
    )
    q = serializers.CharField(
        required=False, max_length=100, allow_blank=True, help_text="对象名称或代码中的文字"
    )
    kind = serializers.CharField(
        required=False,
        max_length=30,
        allow_blank=True,
        help_text="类别：figure（填报数据）、comment（数据意见）、indicator、section、department、"
        "rule、period、extension、settings、account、document、import、build、report_event、"
        "template_version；按您可见的类别",
    )
    since = serializers.DateField(required=False, help_text="从此日起（含），YYYY-MM-DD")
    until = serializers.DateField(required=False, help_text="至此日止（含），YYYY-MM-DD")


@extend_schema_serializer(component_name="HistoryChange")
class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="字段名称")
    old = serializers.CharField(help_text="原值，（空）表示没有")
    new = serializers.CharField(help_text="新值")


@extend_schema_serializer(component_name="HistoryRow")
class HistoryRowSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="类别代码（见 kind 参数）")
    label = serializers.CharField(help_text="类别名称")
    when = serializers.DateTimeField(help_text="时间")
    who = serializers.CharField(help_text="修改人（姓名）")
    what = serializers.CharField(help_text="对象")
    action = serializers.CharField(help_text="操作：新增、修改、重置密码、导入文档……")
    changes = serializers.SerializerMethodField(help_text="修改内容：原 → 新")
    reason = serializers.CharField(help_text="原因或说明；没有则为空")

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, row) -> list:
        return [{"field": str(label), "old": old, "new": new} for label, old, new in row.fields]


class HistoryPagination(PageNumberPagination):
    page_size = 50


@extend_schema_serializer(component_name="HistoryPage")
class HistoryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="符合条件的记录数")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HistoryRowSerializer(many=True)


@extend_schema(
    tags=["history"],
    summary="修改历史（填报数据、意见、指标目录、报告期、设置、账号、文稿与导入）",
    description=(
        "与“修改历史”页面相同的记录，最新在前。法制办（审核员、目录与账号管理员）与区领导看到全部"
        "可见类别；填报员只看到本部门填报数据与意见的修改。记录至少保留 180 天，不能修改。"
        "日期无效：400 invalid。"
    ),
    parameters=[
        HistoryFilters,
        OpenApiParameter("page", OpenApiTypes.INT, description="页码，每页 50 条"),
    ],
    responses={200: HistoryPageSerializer},
)
class HistoryView(ApiMixin, APIView):
    def get(self, request):
        filters = HistoryFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        person = None
        if data.get("person"):
            person = User.objects.filter(username__iexact=data["person"]).first()
            person = person or User(pk=0, username=data["person"])  # nobody: no rows
        keys = history.keys(
            request.user,
            history.Filters(
                person=person,
                q=data.get("q", "").strip(),
                kind=data.get("kind", ""),
                since=data.get("since"),
                until=data.get("until"),
            ),
        )
        paginator = HistoryPagination()
        rows = history.rows(paginator.paginate_queryset(keys, request, view=self))
        return paginator.get_paginated_response(HistoryRowSerializer(rows, many=True).data)
