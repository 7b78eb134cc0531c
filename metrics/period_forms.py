"""The forms of 报告期管理 and 系统设置: shape only; the services decide the rest and their
refusals are put back on the form with what was typed (metrics.catalogue_forms.refuse)."""

from django import forms

from .models import Department
from .texts import REASON


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates (2028-01-15)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _reason(label="原因", required=False):
    return forms.CharField(
        label=label, required=required, max_length=REASON.limit, help_text="记入修改历史"
    )


class OpenPeriodForm(forms.Form):
    code = forms.CharField(
        label="报告期",
        max_length=8,
        help_text="年度如 2027，半年如 2027S1，季度如 2027Q3；起止日期按代码自动确定",
    )
    deadline = forms.DateField(label="报送截止日期", widget=DateInput)
    open_entry = forms.BooleanField(
        label="立即开放填报",
        required=False,
        help_text="不勾选：先开设，待开放填报后各部门才能填写；开始日期之前不作为默认报告期",
    )
    reason = _reason()


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label="报送截止日期", widget=DateInput)
    reason = _reason("修改原因", required=True)


class ExtensionForm(forms.Form):
    # Beside the period's own deadline form on the same page: its fields get ids of their own.
    prefix = "extension"

    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.filter(retired_at__isnull=True).order_by("order", "code"),
    )
    deadline = forms.DateField(label="延长至", widget=DateInput)
    reason = _reason("延期原因", required=True)


class ReasonForm(forms.Form):
    reason = _reason()


class OfficeSettingsForm(forms.Form):
    district_name = forms.CharField(
        label="区县名称", max_length=40, help_text="文稿中的{district}，如“示范”（不含“区”字）"
    )
    reminder_days_before = forms.IntegerField(
        label="截止前几天催报",
        min_value=0,
        max_value=60,
        help_text="截止日期前该天自动催报，逾期后每天催报",
    )
    auto_lock = forms.BooleanField(label="逾期自动锁定报告期", required=False)
    auto_lock_grace_days = forms.IntegerField(
        label="自动锁定宽限天数",
        min_value=0,
        max_value=60,
        help_text="最后截止日期（含部门延期）后再宽限的天数",
    )
    reason = _reason("修改原因")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
