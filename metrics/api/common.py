"""What more than one resource module of the metrics API uses: the figure's output shape
(the figure endpoints answer with it, the period workflow with lists of it), the comment and
reason inputs that both the figure and the period workflow take, and the lookup by code.

Invariants: a figure is answered with the relations `FIGURE_RELATIONS` loaded up front, so
serializing one figure or a page of them costs no query per figure; component names in the
OpenAPI schema are the class names here and must not change."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework import serializers

from lawgov.api import code_or_404
from lawgov.api_fields import DecimalStringField, choice_field, text_field

from ..models import Figure, FigureStatus

# What FigureSerializer reads beyond the figure's own row.
FIGURE_RELATIONS = ("indicator__department", "period", "updated_by")


class CodeLookupMixin:
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), code=code_or_404(self.kwargs["code"]))


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
    data = FigureSerializer(fresh, many=True).data
    return {"count": len(data), "figures": data}


class CommentInput(serializers.Serializer):
    comment = text_field(default="", help_text="审核意见（可选）")


class ReasonInput(serializers.Serializer):
    reason = text_field(default="", help_text="原因（必填）")
