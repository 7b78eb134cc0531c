"""One text rule for every string the portal is sent or stores: no invisible control
characters and nothing XML cannot hold.

A NUL reached the ORM (PostgreSQL refuses NUL in text: a 500), and a bell (U+0007) in a
department's name was stored and then broke every workbook and document naming it (XML 1.0,
which .xlsx and .docx are, cannot hold it). So:

- ``FORBIDDEN`` is the rule: C0 controls but tab, line feed and carriage return; DEL; C1;
  lone surrogates; U+FFFE and U+FFFF. ``first_forbidden`` / ``validate_text`` apply it.
- ``ControlCharacterMiddleware`` refuses, before any view runs, a request whose path, query,
  form body (keys, values and uploaded file names) or JSON body holds one (in the path and
  query tab and line ends too: no address holds them): a Chinese plain-text page for the
  web, the API's error shape (code ``invalid``) under /api/, status 400.
- ``install_model_validators`` (LawgovConfig.ready) gives every CharField and TextField of
  every model ``validate_text``, so that a service's full_clean, a ModelForm and a
  ModelSerializer refuse it too, whatever the text came from (a sheet, a document, a command).
- ``safe_sheet_title`` and ``safe_file_name`` make any name fit an Excel sheet or a download.
"""

import json
import re

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
WEB_MESSAGE = "请求地址中含有不可见的控制字符，无法打开。请检查链接是否完整、正确。"
API_MESSAGE = "请求地址或查询参数中含有不可见的控制字符。"
BODY_WEB_MESSAGE = (
    "提交的内容中含有不可见的控制字符（{code}），无法保存。"
    "从其他系统复制的文字常带有这类字符：请删除后重新输入。"
)
BODY_API_MESSAGE = "提交的内容中含有不可见的控制字符或 XML 不允许的字符（{code}）。"
CODE = "control_character"
# A JSON body larger than this is left to the API's own size limit.
_MAX_JSON_CHECKED = 10 * 1024 * 1024


def first_forbidden(text: str) -> str | None:
    """The first character the rule forbids in `text`, as U+XXXX, or None."""
    found = FORBIDDEN.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def validate_text(value) -> None:
    """The rule as a Django validator (every model text field has it, see below)."""
    if isinstance(value, str) and (code := first_forbidden(value)):
        raise ValidationError(
            f"含有不可见的控制字符（{code}），请删除后再保存。", code=CODE, params={"code": code}
        )


def install_model_validators(models) -> None:
    """Give every CharField and TextField of `models` `validate_text`. Appended to the field's
    computed validators (not its constructor arguments), so no migration records it."""
    from django.db.models import CharField, TextField

    for model in models:
        for field in model._meta.get_fields():
            if isinstance(field, CharField | TextField) and validate_text not in field.validators:
                field.validators.append(validate_text)


def has_control_characters(request) -> bool:
    """True when the decoded path, or a key or value of the query string, holds one."""
    if CONTROL_CHARACTERS.search(request.path):
        return True
    return any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values)
        for key, values in request.GET.lists()
    )


def _strings(value):
    """Every key and string inside decoded JSON, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def shows_its_own_refusal(*fields):
    """Mark a view that refuses a control character in these form fields itself, in place
    and naming the line (the template editor and its preview: a long text, kept as typed).
    The same rule, applied there; every other field of its form is checked here."""

    def mark(view):
        view.text_checked_by_view = frozenset(fields)
        return view

    return mark


def forbidden_in_body(request, skip=frozenset()) -> str | None:
    """The first forbidden character in a form body (keys, values, file names) or a JSON
    body, as U+XXXX, or None. A body Django or the API refuses anyway is left to them;
    `skip` names form fields whose view applies the rule itself."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            texts = [
                t
                for key, values in request.POST.lists()
                for t in (key, *([] if key in skip else values))
            ]
            texts += [f.name or "" for _, files in request.FILES.lists() for f in files]
        except Exception:  # a body Django cannot parse: the view's own refusal stands
            return None
        return next((code for t in texts if (code := first_forbidden(t))), None)
    if content_type.endswith("json"):
        if int(request.META.get("CONTENT_LENGTH") or 0) > _MAX_JSON_CHECKED:
            return None
        try:
            data = json.loads(request.body or b"null")
        except Exception:  # malformed JSON: the API's parser answers 400
            return None
        return next((code for t in _strings(data) if (code := first_forbidden(t))), None)
    return None


def _refusal(request, web: str, api: str):
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"code": "invalid", "message": api},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponse(web, status=400, content_type="text/plain; charset=utf-8")


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request):
            return _refusal(request, WEB_MESSAGE, API_MESSAGE)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """The body, once the view is known (nothing reads the body before it)."""
        skip = getattr(view_func, "text_checked_by_view", frozenset())
        if code := forbidden_in_body(request, skip):
            return _refusal(
                request, BODY_WEB_MESSAGE.format(code=code), BODY_API_MESSAGE.format(code=code)
            )
        return None


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
_FILE_NAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|]')


def safe_sheet_title(title: str, *, fallback: str = "数据") -> str:
    """A title Excel accepts for a sheet: the forbidden characters (\\ / ? * [ ] :) and control
    characters as "_", no apostrophe at either end, at most 31 characters, never empty."""
    title = FORBIDDEN.sub("", CONTROL_CHARACTERS.sub("", title or ""))
    title = _SHEET_TITLE_FORBIDDEN.sub("_", title).strip().strip("'")[:31].strip()
    return title or fallback


def safe_file_name(name: str, *, fallback: str = "下载") -> str:
    """A file name every system accepts for a download: no path separators, reserved
    characters or control characters, no leading dot, at most 120 characters."""
    name = FORBIDDEN.sub("", CONTROL_CHARACTERS.sub("", name or ""))
    name = _FILE_NAME_FORBIDDEN.sub("_", name).strip().lstrip(".")
    return name[:120] or fallback
