"""Display helpers shared by every app's admin pages.

Change lists have to fit a 1366 px screen beside the admin's navigation and filter panes:
long texts are cut short (the whole text is in the tooltip and on the edit page), times are
written compactly, and a row's cells stay on one line (or two, in two_lines).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from metrics.numbers import plain


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


def number(value, unit=""):
    """A Decimal without trailing zeros (118, 98.5), with its unit; None stays empty."""
    if value is None:
        return None
    return f"{plain(value)}{unit}" if unit == "%" else f"{plain(value)} {unit}".rstrip()


def choice_short(label):
    """A choice label without its parenthesised gloss: 计数（非负整数） → 计数."""
    return str(label).split("（")[0]


class ReadableHistoryValues(HistoricalRecordContextHelper):
    """The history page's 'changes' as people read them: 118 rather than 118.0000, 已审核
    rather than approved, 是/否 rather than True/False."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "（空）"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if field.get_internal_type() == "DecimalField":
            return plain(value)
        return value


class PlainDecimalInput(forms.NumberInput):
    """Figure values and bounds as people write them (118, 98.5), not as stored (118.0000)."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            return plain(value)
        return super().format_value(value)


class HistoryAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.DecimalField: {"widget": PlainDecimalInput}}
    # Reverting to a historical record writes the whole old row back (a figure's version, a
    # period's state) past the write services; the models that have services say False.
    revertible = True

    def revert_disabled(self, request, obj=None):
        return not self.revertible or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.revertible:
            raise PermissionDenied("该数据不能在修改历史中恢复，请在修改页面更正。")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryValues(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for record in historical_records:
            # The history list prints a missing reason as "None".
            if record.history_change_reason is None:
                record.history_change_reason = ""


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only the portal's services write (audit logs, imports): the admin shows
    them and never adds, changes or deletes one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
