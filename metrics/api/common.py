"""What more than one resource module of the metrics API uses: the figure's output shape
(the figure endpoints answer with it, the period workflow with lists of it), the comment and
reason inputs that both the figure and the period workflow take, and the lookup by code.

Invariants: a figure is answered with the relations `FIGURE_RELATIONS` loaded up front, so
serializing one figure or a page of them costs no query per figure; component names in the
OpenAPI schema are the class names here and must not change."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lawgov.api import code_or_404
from lawgov.api_fields import choice_field, text_field

from .. import selectors
from ..change import Change, indicator_change
from ..models import Figure, FigureStatus
from ..numbers import plain
from ..texts import COMMENT, REASON
from .fields import DecimalStringField

# What FigureSerializer reads beyond the figure's own row.
FIGURE_RELATIONS = ("indicator__department", "unit", "period", "updated_by")


class CodeLookupMixin:
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), code=code_or_404(self.kwargs["code"]))


class ChangeOutput(serializers.Serializer):
    kind = serializers.CharField(
        help_text="percent 或 points：percent 数量按相对变化（%）；points 比率（百分比指标）按百分点之差",
    )
    percent = serializers.CharField(allow_null=True, help_text="相对变化（%），一位小数")
    points = serializers.CharField(
        allow_null=True, help_text="比率指标的百分点之差，一位小数；其他指标为 null"
    )
    text = serializers.CharField()


def change_output(moved: Change) -> dict:
    """A change as the API hands it over (ChangeOutput), the same words as every face."""
    percent, points = moved.percent, moved.points
    return {
        "kind": moved.kind,
        "percent": None if percent is None else str(percent),
        "points": None if points is None else str(points),
        "text": moved.text,
    }


class FigureSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code")
    indicator = serializers.CharField(source="indicator.code")
    department = serializers.CharField(source="unit.code", help_text="填报单位代码")
    value = DecimalStringField()
    status = choice_field(FigureStatus.choices, read_only=True)
    updated_by = serializers.CharField(
        source="updated_by.username", allow_null=True, default=None, help_text="最后修改人用户名"
    )
    previous_value = serializers.SerializerMethodField(
        help_text="上一可比报告期（上年同期）的数值；没有则为 null"
    )
    change = serializers.SerializerMethodField(
        help_text="同比：percent 为一位小数（四舍五入）的百分比，无可比基数时为 null；"
        "text 为各页面与讲话稿共用的表述（同比增长12.3% / 同比下降3.1% / 与上年持平 / 上年无可比数据）"
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
            "previous_value",
            "change",
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

    def _previous(self, figure):
        if not hasattr(figure, "previous_value"):  # one figure answered alone
            selectors.attach_previous_values([figure])
        return figure.previous_value

    @extend_schema_field({"type": "string", "nullable": True, "example": "98.5"})
    def get_previous_value(self, figure):
        previous = self._previous(figure)
        return None if previous is None else plain(previous)

    @extend_schema_field(ChangeOutput)
    def get_change(self, figure) -> dict:
        return change_output(
            indicator_change(figure.indicator, figure.value, self._previous(figure))
        )


class FiguresResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    figures = FigureSerializer(many=True)


def figures_result(figures) -> dict:
    """Figures a service returned, read again in one query with what the serializer needs."""
    fresh = (
        Figure.objects.filter(pk__in=[f.pk for f in figures])
        .select_related(*FIGURE_RELATIONS)
        .order_by("indicator__section__order", "indicator__order", "indicator__code")
    )
    fresh = list(fresh)
    selectors.attach_previous_values(fresh)
    data = FigureSerializer(fresh, many=True).data
    return {"count": len(data), "figures": data}


class CommentInput(serializers.Serializer):
    comment = text_field(default="", max_length=COMMENT.limit, help_text="审核意见（可选）")


class ReasonInput(serializers.Serializer):
    reason = text_field(default="", max_length=REASON.limit, help_text="原因（必填）")
