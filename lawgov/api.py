"""One error shape for the whole API: a stable machine-readable `code` and a Chinese `message`,
never a 500 for bad input."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from metrics.services import FigureConflict
from reports.services import QueueUnavailable, ReportNotReady

_DRF_CODES = {
    exceptions.ParseError: ("malformed_request", "请求内容格式不正确（应为合法的 JSON）。"),
    exceptions.UnsupportedMediaType: (
        "unsupported_media_type",
        "不支持的内容类型，请使用 application/json。",
    ),
    exceptions.NotAuthenticated: ("not_authenticated", "请先登录或提供有效的令牌。"),
    exceptions.AuthenticationFailed: ("authentication_failed", "身份验证失败：令牌无效或已撤销。"),
    exceptions.PermissionDenied: ("forbidden", "您没有执行此操作的权限。"),
    exceptions.NotFound: ("not_found", "请求的对象不存在。"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法。"),
    exceptions.NotAcceptable: ("not_acceptable", "无法提供所要求的响应格式。"),
    exceptions.Throttled: ("throttled", "请求过于频繁，请稍后再试。"),
}


def error(code: str, message: str, http_status: int, **extra) -> Response:
    return Response({"code": code, "message": message, **extra}, status=http_status)


def exception_handler(exc, context):
    if isinstance(exc, FigureConflict):
        figure = exc.figure
        return error(
            "conflict",
            "该数据已被他人修改，请以最新数值为准后再保存。",
            status.HTTP_409_CONFLICT,
            current={
                "id": figure.pk,
                "value": None if figure.value is None else format(figure.value.normalize(), "f"),
                "status": figure.status,
                "version": figure.version,
            },
        )
    if isinstance(exc, ReportNotReady):
        return error(
            "report_not_ready",
            f"尚有 {len(exc.gaps)} 项数据未填写或未审核，不能生成正式稿。",
            status.HTTP_409_CONFLICT,
            gaps=[
                {k: gap[k] for k in ("code", "name", "department", "status", "value")}
                for gap in exc.gaps
            ],
        )
    if isinstance(exc, QueueUnavailable):
        return error(
            "queue_unavailable",
            "任务队列暂时不可用，请稍后再试。",
            status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    if isinstance(exc, DjangoValidationError):
        messages = exc.messages
        return error("invalid", "；".join(messages), status.HTTP_400_BAD_REQUEST, errors=messages)
    if isinstance(exc, DjangoPermissionDenied):
        return error("forbidden", str(exc) or "您没有执行此操作的权限。", status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        return error("not_found", "请求的对象不存在。", status.HTTP_404_NOT_FOUND)
    if isinstance(exc, RequestDataTooBig):
        return error("too_large", "请求内容过大。", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, exceptions.ValidationError):
        return error(
            "invalid", "提交的数据不正确。", status.HTTP_400_BAD_REQUEST, errors=exc.detail
        )
    for exc_type, (code, message) in _DRF_CODES.items():
        if isinstance(exc, exc_type):
            response = drf_exception_handler(exc, context)
            response.data = {"code": code, "message": message}
            return response
    if isinstance(exc, exceptions.APIException):
        response = drf_exception_handler(exc, context)
        response.data = {"code": exc.default_code, "message": str(exc.detail)}
        return response
    return None
