"""The portal's last word when a request failed with an exception no view handled: a Chinese
page (or, under /api/, the API's JSON shape), never a stack trace.

Django calls `server_error` (handler500) while the exception is still being handled, so the
answer can name what went wrong: the database gone (503), the file store full or read-only
(503), a stored file missing (404), anything else (500). The pages are rendered without the
request's context: nothing here may need the database that has just failed."""

import logging
import sys

from django.http import HttpResponse, JsonResponse
from django.template import loader

from .faults import (
    DATABASE_MESSAGE,
    StorageUnavailable,
    is_database_down,
    is_storage_error,
)

logger = logging.getLogger(__name__)

SERVER_ERROR_MESSAGE = "服务器内部错误，请稍后重试；如仍有问题，请联系管理员。"
MISSING_FILE_MESSAGE = "文件不存在或已被删除。"

_FALLBACK = (
    '<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>{title}</title>'
    '<h1>{title}</h1><p>{message}</p><p><a href="/">返回首页</a></p></html>'
)


def _classify(exc: BaseException | None) -> tuple[int, str, str, str, str]:
    """(status, API code, template, title, message) for the exception being handled."""
    if exc is not None and is_storage_error(exc):
        storage = exc if isinstance(exc, StorageUnavailable) else StorageUnavailable(exc)
        return 503, "storage_unavailable", "503.html", "文件存储暂时不可用", storage.message
    if exc is not None and is_database_down(exc):
        return 503, "database_unavailable", "503.html", "系统暂时不可用", DATABASE_MESSAGE
    if isinstance(exc, FileNotFoundError):
        return 404, "not_found", "404.html", "文件不存在", MISSING_FILE_MESSAGE
    return 500, "server_error", "500.html", "服务器错误", SERVER_ERROR_MESSAGE


def server_error(request, template_name=None):
    status, code, template, title, message = _classify(sys.exception())
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"code": code, "message": message},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        context = {"title": title, "message": message}
        try:
            # A missing file is the page's usual 404, with the portal around it; a 503 or
            # 500 page is rendered without the request (no user, no session: no database).
            body = loader.get_template(template).render(
                context, request=request if status == 404 else None
            )
        except Exception:  # noqa: BLE001 - the error page itself must not fail
            logger.exception("could not render %s", template)
            body = _FALLBACK.format(**context)
        response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = "10"
    return response
