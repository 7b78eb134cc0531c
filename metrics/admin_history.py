"""The catalogue's and the figures' admin pages: values as people write them (118, 98.5, not
118.0000) in lists, forms and the history page."""

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .numbers import plain, with_unit


def number(value, unit=""):
    """A Decimal without trailing zeros (118, 98.5), with its unit; None stays empty."""
    return None if value is None else with_unit(value, unit)


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
