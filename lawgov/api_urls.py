"""/api/v1/ (the REST API), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI from static
files, its start-up script served as a file so the site's CSP needs no 'unsafe-inline')."""

import base64
import hashlib
import re

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .api import ERROR_CODES_DOC, not_found

_STYLE = re.compile(rb"<style[^>]*>(.*?)</style>", re.S)


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI whose init script is a separate file (script-src 'self'). drf-spectacular's
    page also carries a small inline <style>; it is allowed by its hash, on this page only."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.GET.get("script") is None and response.status_code == 200:
            response.render()
            hashes = [
                f"'sha256-{base64.b64encode(hashlib.sha256(css).digest()).decode()}'"
                for css in _STYLE.findall(response.content)
            ]
            if hashes:
                response._csp_update = {"style-src": hashes}
        return response


# Each app routes its own resources; the order is the schema's order of tags.
v1 = [
    path("", include("metrics.api.urls")),
    path("", include("reports.api_urls")),
    path("", include("accounts.api_urls")),
]

# Several models have a `status`; name each choice set after its model's enum.
SCHEMA_SETTINGS = {
    "DESCRIPTION": (
        "法治政府建设工作汇报门户的接口：部门数据报送、审核与讲话稿生成。\n\n"
        "**认证**：其他系统使用令牌，请求头 `Authorization: Token <令牌>`。令牌由用户本人在门户的"
        "“我的接口令牌”页面（/account/tokens/）创建并撤销，或由程序 `POST /api/v1/auth/token/`"
        "（用户名、密码，已启用两步验证的另加验证码 otp）获取，带令牌 `DELETE` 同一地址即撤销；"
        "令牌只显示一次，门户只保存其摘要，30 天后过期（LAWGOV_API_TOKEN_TTL_DAYS）。获取令牌的"
        "失败次数与网页登录一同计数，过多即锁定（429 locked_out）。"
        "门户自身的页面使用会话（写操作需 CSRF 令牌）。权限与网页完全相同：填报员只能查看和填报"
        "本部门数据，审核员审核、退回、锁定与催报，区领导只读并可生成讲话稿。"
        "审核员（法制办）还可用令牌管理用户账号（/api/v1/users/：添加、停用、重新启用、调整部门、"
        "重置密码；一次性密码只在该次响应中返回一次）。\n\n"
        '**数值**一律为十进制字符串（如 `"98.5"`），提交时可用字符串或 JSON 数字。\n\n'
        "**错误**一律为 `{code, message}`（message 为中文，另可有 errors / fields / current / gaps）。"
        + ERROR_CODES_DOC
    ),
    "ENUM_NAME_OVERRIDES": {
        "FigureStatusEnum": "metrics.models.FigureStatus",
        "ReportKindEnum": "reports.models.ReportKind",
        "PeriodStateEnum": "metrics.models.PeriodState",
        "ValueTypeEnum": "metrics.models.ValueType",
    },
}

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(custom_settings=SCHEMA_SETTINGS), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # [\s\S]: an unmatched path with a newline in it is still answered in JSON.
    re_path(r"^[\s\S]*$", not_found),
]
