from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from lawgov.admin_helpers import choice_short, number, one_line, short, two_lines, when

from .evidence import DOCX, JPEG, PDF, PNG, XLSX
from .models import (
    Department,
    Evidence,
    Figure,
    FigureComment,
    Indicator,
    Notice,
    Reminder,
    ReportingPeriod,
    Section,
    User,
    ValidationRule,
)
from .validation import plain

admin.site.site_header = "法治政府建设工作汇报门户"
admin.site.site_title = "法治汇报门户"
admin.site.index_title = "后台管理"

# Evidence file types by name (Word 文档) rather than MIME type.
FILE_KINDS = {kind.content_type: kind.label for kind in (PDF, PNG, JPEG, DOCX, XLSX)}


def department_short(department):
    return department.short_name or department.name


def figure_cell(figure):
    """A figure as its indicator's name over its period."""
    return two_lines(short(figure.indicator.name, 12), figure.period)


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

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryValues(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for record in historical_records:
            # The history list prints a missing reason as "None".
            if record.history_change_reason is None:
                record.history_change_reason = ""


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "order"]
    search_fields = ["name", "short_name", "code"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = [
        "username",
        "last_name",
        "first_name",
        "department",
        "is_active",
        "is_superuser",
    ]
    list_filter = ["groups", "department", "is_active", "is_superuser"]
    list_select_related = ["department"]
    fieldsets = UserAdmin.fieldsets + (("所属部门", {"fields": ["department"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("所属部门", {"fields": ["department"]}),)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "code"]
    search_fields = ["name", "code"]


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdmin):
    list_display = [
        "name_and_code",
        "section",
        "department_name",
        "value_type_name",
        "unit",
        "lower",
        "upper",
    ]
    list_filter = ["section", "department", "value_type"]
    list_select_related = ["section", "department"]
    search_fields = ["code", "name"]

    @admin.display(description="指标 / 代码", ordering="code")
    def name_and_code(self, obj):
        return two_lines(short(obj.name, 16), obj.code)

    @admin.display(description="填报部门", ordering="department__order")
    def department_name(self, obj):
        return department_short(obj.department)

    @admin.display(description="数值类型", ordering="value_type")
    def value_type_name(self, obj):
        return choice_short(obj.get_value_type_display())

    @admin.display(description="下限", ordering="lower_bound")
    def lower(self, obj):
        return number(obj.lower_bound)

    @admin.display(description="上限", ordering="upper_bound")
    def upper(self, obj):
        return number(obj.upper_bound)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(HistoryAdmin):
    list_display = ["code", "start", "end", "deadline", "state"]
    list_filter = ["state"]
    search_fields = ["code"]


@admin.register(Figure)
class FigureAdmin(HistoryAdmin):
    list_display = [
        "indicator_and_department",
        "period",
        "value_and_unit",
        "status_name",
        "version",
        "editor",
        "updated",
    ]
    list_filter = ["period", "status", "indicator__section", "indicator__department"]
    list_select_related = ["indicator__department", "period", "updated_by"]
    search_fields = ["indicator__code", "indicator__name", "remark"]
    readonly_fields = ["version", "updated_by", "updated_at"]
    # simple_history heads these history columns with the names themselves, hence Chinese
    # names; each is the method below that formats the historical record.
    history_list_display = ["数值", "状态"]

    @admin.display(description="指标 / 填报部门", ordering="indicator__code")
    def indicator_and_department(self, obj):
        indicator = obj.indicator
        return two_lines(short(indicator.name, 11), department_short(indicator.department))

    @admin.display(description="数值", ordering="value")
    def value_and_unit(self, obj):
        if obj.value is None:
            return None
        return one_line(number(obj.value, obj.indicator.unit))

    @admin.display(description="状态", ordering="status")
    def status_name(self, obj):
        return one_line(obj.get_status_display())

    @admin.display(description="修改人", ordering="updated_by")
    def editor(self, obj):
        return obj.updated_by

    @admin.display(description="修改时间", ordering="updated_at")
    def updated(self, obj):
        return when(obj.updated_at)

    def 数值(self, record):
        return number(record.value) or "（空）"

    def 状态(self, record):
        return record.get_status_display()


@admin.register(ValidationRule)
class ValidationRuleAdmin(HistoryAdmin):
    list_display = ["name", "expression", "severity_name", "active"]
    list_filter = ["severity", "active"]
    list_select_related = ["left", "right"]
    search_fields = ["name", "left__code", "right__code"]

    @admin.display(description="规则")
    def expression(self, obj):
        return format_html(
            '<span title="{} {} {}">{} {} {}</span>',
            obj.left.code,
            obj.operator,
            obj.right.code,
            obj.left.name,
            obj.get_operator_display(),
            obj.right.name,
        )

    @admin.display(description="重要程度", ordering="severity")
    def severity_name(self, obj):
        return choice_short(obj.get_severity_display())


@admin.register(FigureComment)
class FigureCommentAdmin(admin.ModelAdmin):
    list_display = ["summary", "figure_name", "kind_name", "author", "created"]
    list_filter = ["kind", "figure__period"]
    list_select_related = ["figure__indicator", "figure__period", "author"]
    search_fields = ["text", "figure__indicator__code"]

    @admin.display(description="内容")
    def summary(self, obj):
        return short(obj.text, 14)

    @admin.display(description="填报数据", ordering="figure")
    def figure_name(self, obj):
        return figure_cell(obj.figure)

    @admin.display(description="类型", ordering="kind")
    def kind_name(self, obj):
        return one_line(obj.get_kind_display())

    @admin.display(description="时间", ordering="created_at")
    def created(self, obj):
        return when(obj.created_at)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    """Listed for oversight only; files are added and served through the portal's checks."""

    list_display = ["name", "figure_name", "kind", "file_size", "uploaded_by", "uploaded"]
    list_filter = ["figure__period", "figure__indicator__department", "content_type"]
    list_select_related = ["figure__indicator", "figure__period", "uploaded_by"]
    search_fields = [
        "original_name",
        "figure__indicator__code",
        "figure__indicator__name",
        "sha256",
    ]
    readonly_fields = [
        "figure",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="原文件名", ordering="original_name")
    def name(self, obj):
        return short(obj.original_name, 24)

    @admin.display(description="填报数据", ordering="figure")
    def figure_name(self, obj):
        return figure_cell(obj.figure)

    @admin.display(description="文件类型", ordering="content_type")
    def kind(self, obj):
        return FILE_KINDS.get(obj.content_type, obj.content_type)

    @admin.display(description="大小", ordering="size")
    def file_size(self, obj):
        return filesizeformat(obj.size)

    @admin.display(description="上传时间", ordering="uploaded_at")
    def uploaded(self, obj):
        return when(obj.uploaded_at)


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["heading", "department", "period", "created_by", "created"]
    list_filter = ["department", "period"]
    search_fields = ["title", "body", "department__name"]
    list_select_related = ["department", "period", "created_by"]

    @admin.display(description="标题", ordering="title")
    def heading(self, obj):
        return short(obj.title, 20)

    @admin.display(description="时间", ordering="created_at")
    def created(self, obj):
        return when(obj.created_at)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "department_name",
        "period",
        "day",
        "manual",
        "missing",
        "returned",
        "recipients",
        "emailed",
    ]
    list_filter = ["period", "manual", "department"]
    list_select_related = ["department", "period"]
    search_fields = ["department__name", "department__short_name"]

    @admin.display(description="部门", ordering="department__order")
    def department_name(self, obj):
        return department_short(obj.department)

    @admin.display(description="日期", ordering="date")
    def day(self, obj):
        return formats.date_format(obj.date, "Y-m-d")

    @admin.display(description="邮件发送时间", ordering="emailed_at")
    def emailed(self, obj):
        return when(obj.emailed_at)
