"""One error shape for the whole API: a stable machine-readable `code` and a Chinese `message`,
never a 500 for bad input. Also the pieces every API view shares: authentication order, the
size-limited JSON parser, the error serializer and the schema class that documents the errors."""

import codecs
import json
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .domain_errors import DomainError
from .faults import (
    DATABASE_MESSAGE,
    StorageUnavailable,
    is_database_down,
    is_storage_error,
)

logger = logging.getLogger(__name__)

_DRF_CODES = {
    exceptions.ParseError: (
        "malformed_request",
        "请求内容格式不正确（应为合法的 JSON；上传文件为 multipart/form-data）。",
    ),
    exceptions.UnsupportedMediaType: (
        "unsupported_media_type",
        "不支持的内容类型：请使用 application/json（上传文件用 multipart/form-data）。",
    ),
    exceptions.NotAuthenticated: ("not_authenticated", "请先登录或提供有效的令牌。"),
    exceptions.AuthenticationFailed: (
        "authentication_failed",
        "身份验证失败：令牌无效、已过期或已撤销。",
    ),
    exceptions.PermissionDenied: ("forbidden", "您没有执行此操作的权限。"),
    exceptions.NotFound: ("not_found", "请求的对象不存在。"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法。"),
    exceptions.NotAcceptable: ("not_acceptable", "无法提供所要求的响应格式。"),
    exceptions.Throttled: ("throttled", "请求过于频繁，请稍后再试。"),
}


class ApiError(exceptions.APIException):
    """A refusal decided by the API layer itself, with its own code and Chinese message."""

    def __init__(self, code: str, message: str, http_status: int = 400, **extra):
        self.status_code = http_status
        self.code = code
        self.extra = extra
        super().__init__(detail=message, code=code)


def error(code: str, message: str, http_status: int, **extra) -> Response:
    return Response({"code": code, "message": message, **extra}, status=http_status)


# A rule's refusal (Django's ValidationError) whose code a machine tells apart: the state of
# the data forbids it (409), or the input is wrong in a named way (400). Each app registers
# its own codes (register_refusals, from its API package); any other code answers "invalid".
REFUSAL_STATUS: dict[str, int] = {"reason_required": status.HTTP_400_BAD_REQUEST}


def register_refusals(statuses: dict[str, int]) -> None:
    REFUSAL_STATUS.update(statuses)


def _refusal_code(exc: DjangoValidationError) -> str | None:
    errors = (
        [e for errs in exc.error_dict.values() for e in errs]
        if hasattr(exc, "error_dict")
        else exc.error_list
    )
    return next((e.code for e in errors if e.code in REFUSAL_STATUS), None)


def _validation_error(exc: DjangoValidationError) -> Response:
    extra = {}
    if hasattr(exc, "error_dict"):
        # submit_figures keys its refusals by indicator code; keep that for machines.
        extra["fields"] = {
            ("non_field_errors" if key == NON_FIELD_ERRORS else key): DjangoValidationError(
                errs
            ).messages
            for key, errs in exc.error_dict.items()
        }
    messages = exc.messages
    code = _refusal_code(exc)
    return error(
        code or "invalid",
        "；".join(messages),
        REFUSAL_STATUS.get(code, status.HTTP_400_BAD_REQUEST),
        errors=messages,
        **extra,
    )


def exception_handler(exc, context):
    """Every refusal as {code, message}: the domain's own (DomainError says its status, code
    and message), a rule's ValidationError, the file store or the database lost, Django's
    and DRF's. Anything else is a real fault: DRF answers 500 and it is logged."""
    if isinstance(exc, DomainError):
        return error(exc.api_code(), exc.api_message(), exc.status_code, **exc.api_extra())
    if is_storage_error(exc):
        storage_error = exc if isinstance(exc, StorageUnavailable) else StorageUnavailable(exc)
        logger.error("the file store refused a write: %s", exc)
        return error(
            "storage_unavailable", storage_error.message, status.HTTP_503_SERVICE_UNAVAILABLE
        )
    if is_database_down(exc):
        logger.error("the database is unavailable: %s", exc)
        return database_unavailable()
    if isinstance(exc, ApiError):
        return error(exc.code, str(exc.detail), exc.status_code, **exc.extra)
    if isinstance(exc, DjangoValidationError):
        return _validation_error(exc)
    if isinstance(exc, DjangoPermissionDenied):
        return error("forbidden", str(exc) or "您没有执行此操作的权限。", status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        return error("not_found", "请求的对象不存在。", status.HTTP_404_NOT_FOUND)
    if isinstance(exc, RequestDataTooBig):
        return error(
            "too_large",
            f"请求内容过大（上限 {_body_limit() // 1024} KB）。",
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
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


def database_unavailable() -> Response:
    # Retry-After: the connection usually comes back within seconds (a restart, a failover).
    response = error("database_unavailable", DATABASE_MESSAGE, status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = "10"
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Anything under /api/ that no route matches: the API's 404, not the portal's HTML page."""
    return JsonResponse(
        {"code": "not_found", "message": "请求的地址不存在。"},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


# ---------------------------------------------------------------------------------------
# Parsing


def _body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def _reject_constant(name):
    # NaN / Infinity / -Infinity are not JSON; keep them as non-finite Decimals so that
    # the value checks refuse them with a reason ("invalid") instead of a parse error.
    return Decimal(name.replace("Infinity", "Inf"))


class JSONParser(parsers.JSONParser):
    """JSON with Decimal numbers (never float: 0.1 stays 0.1, 1e400 stays too big rather
    than becoming infinity) and a body limit of DATA_UPLOAD_MAX_MEMORY_SIZE (413)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = _body_limit()
        request = parser_context.get("request")
        meta = getattr(request, "META", {})
        try:
            declared = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise RequestDataTooBig("request body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE")
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestDataTooBig("request body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE")
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except (ValueError, RecursionError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None


# ---------------------------------------------------------------------------------------
# Shared view configuration


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx/5xx answer."""

    code = serializers.CharField(
        help_text="稳定的机器可读错误代码，如 invalid、forbidden、conflict"
    )
    message = serializers.CharField(help_text="中文说明")
    errors = serializers.JSONField(
        required=False, help_text="逐项原因：字符串列表，或按字段分组的对象（invalid）"
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="按指标代码分组的原因（报送被拒时）",
    )
    current = serializers.JSONField(
        required=False, help_text="conflict：当前保存的数据 {id, value, status, version}"
    )
    gaps = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="report_not_ready：缺少的数据"
    )


ERROR_CODES_DOC = """错误代码：invalid（400，数据不正确）、malformed_request（400，不是合法 JSON）、
version_required（400，更新未带 version）、not_authenticated / authentication_failed /
invalid_credentials（401）、
forbidden / password_change_required（403，须先在门户修改一次性或已过期的密码）/ otp_required（403，须先在门户完成两步验证）、not_found / not_ready（404）、conflict / report_not_ready / stale（409，他人已修改：current 为当前内容）、
指标目录：formula_invalid / department_retired / reason_required（400）、code_frozen /
section_not_empty / department_in_use / figures_awaiting_review / indicator_in_use /
already（409）、用户管理：last_manager（409，最后一名启用的审核员）、
too_large（413）、unsupported_media_type（415）、locked_out（429，登录失败过多）、
queue_unavailable / database_unavailable / storage_unavailable（503）。"""

_GENERIC_ERRORS = {
    "400": "请求数据不正确（invalid / malformed_request）",
    "401": "未登录或令牌无效（not_authenticated / authentication_failed）",
    "403": "无权执行（forbidden）",
    "404": "对象不存在（not_found）",
}
_BODY_ERRORS = {
    "413": "请求内容过大（too_large）",
    "415": "内容类型不是 application/json（unsupported_media_type）",
}


class LawgovAutoSchema(AutoSchema):
    """Every operation documents the error shape for the refusals any request can meet."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = dict(_GENERIC_ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            extra.update(_BODY_ERRORS)
        for code, description in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=description),
                    code,
                    direction=direction,
                )
        return responses


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


class ApiMixin:
    """The parser and schema of every API view. Authentication is the settings' (token
    first, so that an anonymous request gets 401 with `WWW-Authenticate: Token`)."""

    parser_classes = [JSONParser]
    schema = LawgovAutoSchema()


def int_or_404(raw) -> int:
    """A primary key from the URL, refusing what no row can have (negative, huge, not a
    number) with a 404 rather than letting the database choke on it."""
    text = str(raw)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Http404
    return int(text)


def code_or_404(raw) -> str:
    text = str(raw)
    if "\x00" in text or len(text) > 100:
        raise Http404
    return text
