"""The portal's own 404 page, in Chinese, in both modes.

In production (DEBUG off) Django renders templates/404.html through `page_not_found`. With
DEBUG on (`make run`) Django would show its yellow English debug page instead; the middleware
below renders the same Chinese page for an Http404 raised by one of the portal's views (a
missing period, figure, department, indicator, evidence or report), with the portal's header
and a link back. An address that matches no URL at all still gets Django's debug page while
DEBUG is on, for the developers (it lists the URL patterns)."""

import re

from django.apps import apps
from django.conf import settings
from django.http import Http404
from django.shortcuts import render

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
