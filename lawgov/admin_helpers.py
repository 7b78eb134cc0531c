"""Display helpers shared by every app's admin pages.

Change lists have to fit a 1366 px screen beside the admin's navigation and filter panes:
long texts are cut short (the whole text is in the tooltip and on the edit page), times are
written compactly, and a row's cells stay on one line (or two, in two_lines).
"""

from django.contrib import admin
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator


def one_line(text):
    return format_html('<span class="nowrap">{}</span>', text)


def cut(text, length):
    """`text` cut to `length` characters, the last of them "…" (zh-hans' own "..." takes 3)."""
    return Truncator(text).chars(length, truncate="…")


def short(text, length=20):
    """`text` cut to `length` characters on one line, the whole of it as a tooltip."""
    text = str(text or "")
    return format_html('<span class="nowrap" title="{}">{}</span>', text, cut(text, length))


def when(moment):
    """A date and time as 2026-11-30 14:59, kept on one line."""
    if moment is None:
        return None
    return one_line(formats.date_format(timezone.localtime(moment), "Y-m-d H:i"))


def two_lines(first, second):
    """A list cell of a main text and, below it in grey, a secondary one."""
    return format_html('{}<br><span class="quiet nowrap">{}</span>', first, second)


def choice_short(label):
    """A choice label without its parenthesised gloss: 计数（非负整数） → 计数."""
    return str(label).split("（")[0]


class NoWrites:
    """A mixin for the admin's pages of records that only the portal's services write (audit
    logs, imports, periods): the admin shows them and never adds, changes or deletes one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    pass
