"""The area tree (行政区域) as the caller sees it: their own subtree (metrics.access.scope_of),
read only. A clerk sees the area of their unit alone.

Invariants: an area outside the caller's subtree is as if it did not exist (404 not_found,
as the area dashboard and the report jobs answer), so its code leaks nothing; a list costs
the same two queries however many areas there are."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from lawgov.api import ApiMixin

from .. import access
from ..areas import subtree
from ..models import Area, AreaLevel
from .common import CodeLookupMixin


def areas_visible_to(user):
    """The areas `user` may read: their subtree; a clerk's unit's area alone."""
    scope = access.scope_of(user)
    if access.can_view_all_figures(user):
        return subtree(scope)
    return Area.objects.filter(pk=scope.pk)


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent.code", allow_null=True, default=None, help_text="上级区域代码；根为 null"
    )
    level = serializers.ChoiceField(
        choices=AreaLevel.choices, help_text="province / city / district / township"
    )

    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent", "valid_from", "valid_to"]


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AreaLevel.choices, help_text="只列该层级")
    parent = django_filters.CharFilter(field_name="parent__code", help_text="只列该区域的下级")

    class Meta:
        model = Area
        fields = ["level", "parent"]


@extend_schema_view(
    list=extend_schema(
        tags=["areas"],
        summary="行政区域列表（本人所辖范围）",
        description=(
            "调用者所辖区域及其下级区域（按路径排序）：市级账号看到全市，区级账号只看到本区及其"
            "乡镇（街道），填报员只看到本单位所在区域。"
        ),
    ),
    retrieve=extend_schema(
        tags=["areas"],
        summary="一个行政区域",
        description="所辖范围以外的区域与不存在的区域一样答 404 not_found。",
    ),
)
class AreaViewSet(ApiMixin, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AreaSerializer
    filterset_class = AreaFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Area.objects.none()
        return areas_visible_to(self.request.user).select_related("parent").order_by("path")
