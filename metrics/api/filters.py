"""The figure list's filters: by period, department, indicator, status, and by area (the
units in an area's subtree, an area outside the caller's own answering as unknown: 404)."""

import django_filters
from rest_framework import status

from lawgov.api import ApiError, code_or_404

from .. import access
from ..models import Area, Figure, FigureStatus


class FigureFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period__code", help_text="报告期代码")
    department = django_filters.CharFilter(
        field_name="unit__code", help_text="部门（填报单位）代码"
    )
    indicator = django_filters.CharFilter(field_name="indicator__code", help_text="指标代码")
    status = django_filters.ChoiceFilter(choices=FigureStatus.choices)
    area = django_filters.CharFilter(
        method="in_area",
        help_text="区域代码：只列该区域及其下级区域内单位报来的数据；所辖范围以外或不存在：404",
    )

    class Meta:
        model = Figure
        fields = ["period", "department", "indicator", "status", "area"]

    def in_area(self, queryset, name, value):
        area = Area.objects.filter(code=code_or_404(value)).first()
        if area is None or not access.in_scope(self.request.user, area):
            raise ApiError("not_found", "没有这个区域，或您无权查看。", status.HTTP_404_NOT_FOUND)
        return queryset.filter(unit__area__path__startswith=area.path)
