"""The portal's error pages, in Chinese, never a stack trace.

When a request failed with an exception no view handled, the answer is a Chinese page (or,
under /api/, the API's JSON shape). Django calls `server_error` (handler500) while the exception is still being handled, so the
answer can name what went wrong: the database gone (503), the file store full or read-only
(503), a stored file missing (404), anything else (500). The pages are rendered without the
request's context: nothing here may need the database that has just failed.

The 404 page is Chinese in both modes. In production (DEBUG off) Django renders templates/404.html through `page_not_found`. With
DEBUG on (`make run`) Django would show its yellow English debug page instead; the middleware
below renders the same Chinese page for an Http404 raised by one of the portal's views (a
missing period, figure, department, indicator, evidence or report), with the portal's header
and a link back. An address that matches no URL at all still gets Django's debug page while
DEBUG is on, for the developers (it lists the URL patterns).
"""

import logging
import re
import sys

from django.apps import apps
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
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


_CJK = re.compile(r"[\u4e00-\u9fff]")
# get_object_or_404's words: "No ReportingPeriod matches the given query."
_NO_MATCH = re.compile(r"^No (\w+) matches the given query\.?$")


def not_found_message(exception) -> str:
    """What the 404 page says is missing: the view's own Chinese words, or the model's
    verbose name from get_object_or_404's English message, or nothing in particular."""
    text = str(exception.args[0]) if exception and getattr(exception, "args", None) else ""
    if _CJK.search(text):
        return text.rstrip("。") + "。"
    found = _NO_MATCH.match(text)
    if found:
        for model in apps.get_models():
            if model._meta.object_name == found.group(1):
                return f"没有找到该{model._meta.verbose_name}。"
    return ""


def page_not_found(request, exception=None):
    """handler404: templates/404.html with the reason in Chinese."""
    return render(request, "404.html", {"message": not_found_message(exception)}, status=404)


class PortalNotFoundMiddleware:
    """With DEBUG on, an Http404 raised by a view gets the portal's Chinese 404 page too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
