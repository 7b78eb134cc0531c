"""Addresses holding control characters are answered 400 before any view runs.

A NUL in a path or a query (`/entry/%00/`, `/reports/?period=%00`) reached the ORM, and
PostgreSQL refuses NUL in text: a 500. No address of the portal holds a control character,
so any of them (C0, tab and line feed included; DEL; C1) in the decoded path or in a query
key or value is refused here, early in MIDDLEWARE, before sessions, users or views read the
database: a Chinese plain-text page for the web, the API's error shape (`invalid`) under
/api/.
"""

import re

from django.http import HttpResponse, JsonResponse

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
WEB_MESSAGE = "请求地址中含有不可见的控制字符，无法打开。请检查链接是否完整、正确。"
API_MESSAGE = "请求地址或查询参数中含有不可见的控制字符。"


def has_control_characters(request) -> bool:
    """True when the decoded path, or a key or value of the query string, holds one."""
    if CONTROL_CHARACTERS.search(request.path):
        return True
    return any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values)
        for key, values in request.GET.lists()
    )


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"code": "invalid", "message": API_MESSAGE},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponse(WEB_MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
