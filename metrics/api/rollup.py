"""The roll-up (汇总) of an area in a period: each indicator's value rolled up from the units
below it by the catalogue's rule (metrics.rollup), with its completeness and the area's
direct children (its child areas and its own units).

Invariants: the view reads through metrics.rollup_selectors.rolled_up alone (a rate is
recomputed from the summed inputs there, never averaged here); the number of queries does
not grow with the tree; an area outside the caller's subtree answers as one that does not
exist (404 not_found, as the area dashboard and report jobs do); a missing parameter is a
400 with its own code; only those who read every figure of their area (reviewers and
leaders) get a roll-up, a clerk gets 403."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lawgov.api import ApiError, ApiMixin, error_response
from lawgov.api_fields import choice_field

from .. import access
from ..models import Area, AreaLevel, Indicator, ReportingPeriod, RollUp
from ..numbers import plain
from ..rollup import AREA, UNIT
from ..rollup_selectors import APPROVED, CURRENT, rolled_up

MAX_INDICATORS = 200
NOT_VISIBLE = "没有这个区域，或您无权查看。"


class RollupPartSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="下级区域代码或本级单位代码")
    name = serializers.CharField()
    kind = choice_field(((AREA, "下级区域"), (UNIT, "本级单位")), inline=True)
    value = serializers.CharField(allow_null=True, help_text="汇总值（单位：本单位填报值）")
    reported = serializers.IntegerField(help_text="已计入的填报单位数")
    expected = serializers.IntegerField(help_text="应报的填报单位数")
    complete = serializers.BooleanField()


class RollupIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(help_text="计量单位，如 件、%")
    rollup = choice_field(RollUp.choices, inline=True)
    value = serializers.CharField(
        allow_null=True,
        help_text="汇总值（小数字符串）；没有任何单位报来时为 null，缺报不按 0 计",
    )
    reported = serializers.IntegerField(help_text="已计入的填报单位数")
    expected = serializers.IntegerField(help_text="应报的填报单位数")
    complete = serializers.BooleanField(help_text="reported ≥ expected")
    children = RollupPartSerializer(many=True, help_text="直接下级：下级区域及本级单位")


class RollupAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = choice_field(AreaLevel.choices, inline=True)


class RollupSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="报告期代码")
    area = RollupAreaSerializer()
    basis = choice_field(((APPROVED, "仅已审核数据"), (CURRENT, "当前全部数据")), inline=True)
    indicators = RollupIndicatorSerializer(many=True)


def _text(value, places: int | None) -> str | None:
    return None if value is None else plain(value, places)


def _counts(total) -> dict:
    return {
        "reported": total.reported,
        "expected": total.expected,
        "complete": total.complete,
    }


def _clean(raw: str | None) -> str:
    text = (raw or "").strip()
    return "" if "\x00" in text or len(text) > 100 else text


def _required(request, name: str, message: str) -> str:
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        raise ApiError(f"{name}_required", message)
    return _clean(raw)


def _area(request) -> Area:
    code = _required(request, "area", "请用 area 参数指明区域代码。")
    area = Area.objects.filter(code=code).first() if code else None
    if area is None or not access.in_scope(request.user, area):
        raise ApiError("not_found", NOT_VISIBLE, status.HTTP_404_NOT_FOUND)
    return area


def _period(request) -> ReportingPeriod:
    code = _required(request, "period", "请用 period 参数指明报告期代码（如 2026、2026Q1）。")
    period = ReportingPeriod.objects.filter(code=code).first() if code else None
    if period is None:
        raise ApiError("unknown_period", f"没有报告期“{code}”。")
    return period


def _indicators(request) -> list[str] | None:
    codes = [c for c in (_clean(raw) for raw in request.query_params.getlist("indicator")) if c]
    if not request.query_params.getlist("indicator"):
        return None
    if len(codes) > MAX_INDICATORS:
        raise ApiError("too_many_indicators", f"一次最多查询 {MAX_INDICATORS} 项指标。")
    known = set(Indicator.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown or not codes:
        raise ApiError(
            "unknown_indicator", f"没有指标“{'、'.join(unknown) or '（空）'}”。", unknown=unknown
        )
    return list(dict.fromkeys(codes))


def _basis(request) -> str:
    basis = request.query_params.get("basis", APPROVED)
    if basis not in (APPROVED, CURRENT):
        raise ApiError("invalid_basis", "basis 只能是 approved（默认）或 current。")
    return basis


def rollup_answer(*, area: Area, period: ReportingPeriod, codes, basis: str) -> dict:
    """The answer's body: the indicators in the catalogue's order, each with its parts."""
    result = rolled_up(area=area, period=period, codes=codes, basis=basis)
    catalogue = Indicator.objects.filter(code__in=list(result)).order_by(
        "section__order", "order", "code"
    )
    indicators = []
    for code, name, unit, formula, places in catalogue.values_list(
        "code", "name", "unit", "formula", "decimal_places"
    ):
        places = places if formula else None
        item = result[code]
        indicators.append(
            {
                "code": code,
                "name": name,
                "unit": unit,
                "rollup": item.rollup,
                "value": _text(item.total.value, places),
                **_counts(item.total),
                "children": [
                    {
                        "code": part.key,
                        "name": part.name,
                        "kind": part.kind,
                        "value": _text(part.total.value, places),
                        **_counts(part.total),
                    }
                    for part in item.children
                ],
            }
        )
    return {
        "period": period.code,
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "basis": basis,
        "indicators": indicators,
    }


class RollupView(ApiMixin, APIView):
    @extend_schema(
        tags=["areas"],
        summary="一个区域在一个报告期的汇总值（审核员、领导）",
        description=(
            "各指标按目录规定的汇总方式由下级单位的数据汇总：求和（sum）、取最小 / 最大值"
            "（min / max）、计算指标按汇总后的输入重新计算（recompute，比率不取平均）、"
            "不汇总（none，只取本级单位的填报值）。缺报单位不按 0 计：`reported` < `expected` "
            "时 `complete` 为 false。`children` 为直接下级：下级区域（kind=area）及本级单位"
            "（kind=unit）。默认只计已审核数据（basis=approved）。缺少参数：400 area_required / "
            "period_required；报告期不存在：400 unknown_period；指标不存在：400 "
            "unknown_indicator；区域不存在或在所辖范围以外：404 not_found；填报员：403 forbidden。"
        ),
        parameters=[
            OpenApiParameter(
                "area", OpenApiTypes.STR, required=True, description="区域代码，如 990100"
            ),
            OpenApiParameter(
                "period", OpenApiTypes.STR, required=True, description="报告期代码，如 2026"
            ),
            OpenApiParameter(
                "indicator",
                OpenApiTypes.STR,
                many=True,
                explode=True,
                description="只要这些指标（可重复）；省略则为该期全部指标",
            ),
            OpenApiParameter(
                "basis",
                OpenApiTypes.STR,
                enum=[APPROVED, CURRENT],
                description="approved（默认）：仅已审核数据；current：当前全部数据",
            ),
        ],
        responses={
            200: RollupSerializer,
            400: error_response(
                "参数缺失或不正确（area_required / period_required / unknown_period / "
                "unknown_indicator / invalid_basis / too_many_indicators）"
            ),
            404: error_response("区域不存在或不在所辖范围内（not_found）"),
        },
    )
    def get(self, request):
        access.require(
            access.can_view_all_figures(request.user), "只有审核员和领导可以查看汇总数据。"
        )
        area = _area(request)
        period = _period(request)
        answer = rollup_answer(
            area=area, period=period, codes=_indicators(request), basis=_basis(request)
        )
        return Response(answer)
