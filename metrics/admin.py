"""The admin for superusers: the reporting periods, the figures and the oversight lists (the
catalogue's pages are metrics.admin_catalogue, imported below to register them).

Where a model has write services (metrics.services), the admin does not write it past them:
every page is either read-only (no add, change or delete, whatever the superuser's rights) or
its save_model / delete_model call a service, named in the admin's `service_writes`
(tests/test_admin_writes.py walks the whole site for this).

- Through the services, where an administrator has a real need to change something. A
  figure's change form calls services.correct_figure, so that a correction bumps the version
  (a clerk's form loaded before is refused as a conflict, not silently overwriting it), names
  the corrector as 最后修改人, respects a locked period, requires a reason and tells the clerk
  in the figure's thread. A period's state is changed by the actions 锁定所选报告期 and
  重新开放报告期 (the latter asking for the reason reopen_period requires). A supporting
  document is deleted by services.remove_evidence, with a reason, which removes its file and
  says so in the figure's thread.
- Read-only, where the admin is for oversight only: periods are opened and dated on 报告期管理
  (open_period, change_deadline), rules on 校验规则, comments, notices and reminders come from
  their services; the fields the services own (a figure's status, version and 最后修改人);
  evidence is added and served through the portal's checks. Figures cannot be added or
  deleted here (clerks create them), and neither figures nor periods can be reverted from
  their history pages, which would write an old row back past the services.

Refusals (no permission, a locked period, a bad value, a stale version) come back as form
errors or messages in Chinese, never as a server error.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import formats

from lawgov.admin_helpers import (
    NoWrites,
    ReadOnlyAdmin,
    choice_short,
    one_line,
    short,
    two_lines,
    when,
)

from . import (
    access,
    admin_approvals,  # noqa: F401  (importing it registers 区域审核确认)
    admin_totals,  # noqa: F401  (and the area totals, read only)
    services,
)
from .admin_catalogue import department_short  # (importing it registers the catalogue)
from .admin_forms import CorrectionRefused, FigureCorrectionForm, refusal
from .admin_history import HistoryAdmin, number
from .evidence import DOCX, JPEG, PDF, PNG, XLSX
from .models import (
    DeadlineExtension,
    Evidence,
    Figure,
    FigureComment,
    IndicatorAlias,
    Notice,
    OfficeSettings,
    Reminder,
    ReportingPeriod,
    ValidationRule,
)
from .services._common import conflict_message

# Evidence file types by name (Word 文档) rather than MIME type.
FILE_KINDS = {kind.content_type: kind.label for kind in (PDF, PNG, JPEG, DOCX, XLSX)}


def figure_cell(figure):
    """A figure as its indicator's name over its period."""
    return two_lines(short(figure.indicator.name, 12), figure.period)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(NoWrites, HistoryAdmin):
    """Periods are opened and dated on 报告期管理 (services.open_period, change_deadline); here
    they are listed, and their state changes only through the actions, which call
    services.lock_period and services.reopen_period (with a reason)."""

    list_display = ["code", "start", "end", "deadline", "state"]
    list_filter = ["state"]
    search_fields = ["code"]
    readonly_fields = ["state"]
    actions = ["lock_selected", "reopen_selected"]
    revertible = False

    def has_lock_permission(self, request):
        return access.can_lock_periods(request.user)

    def _each(self, request, queryset, service, **kwargs):
        """Apply `service` to each selected period: the periods done, the refusals' texts."""
        done, refused = [], []
        for period in queryset:
            try:
                done.append(service(period=period, user=request.user, **kwargs))
            except (ValidationError, PermissionDenied) as exc:
                refused += [m for m in refusal(exc) if m not in refused]
        return done, refused

    def _report(self, request, verb, done, refused):
        if done:
            self.message_user(request, f"已{verb}：{'、'.join(p.label for p in done)}。")
        for text in refused:
            self.message_user(request, text, messages.ERROR)

    @admin.action(description="锁定所选报告期", permissions=["lock"])
    def lock_selected(self, request, queryset):
        done, refused = self._each(request, queryset, services.lock_period, reason="管理后台锁定")
        self._report(request, "锁定", done, refused)

    @admin.action(description="重新开放报告期", permissions=["lock"])
    def reopen_selected(self, request, queryset):
        """A confirmation page asks for the reason; the service refuses an empty one, and the
        page is shown again with its message until a period is reopened."""
        reason, refused = "", []
        if request.POST.get("post") == "yes":
            reason = request.POST.get("reason", "")
            done, refused = self._each(request, queryset, services.reopen_period, reason=reason)
            if done:
                self._report(request, "重新开放", done, refused)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "重新开放报告期",
            "opts": self.model._meta,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "reason": reason,
            "errors": refused,
        }
        return TemplateResponse(request, "admin/metrics/reportingperiod/reopen.html", context)


@admin.register(Figure)
class FigureAdmin(HistoryAdmin):
    """Figures are created by clerks; here a reviewer or an administrator corrects one through
    services.correct_figure (FigureCorrectionForm)."""

    list_display = [
        "indicator_and_department",
        "period",
        "value_and_unit",
        "status_name",
        "version",
        "editor",
        "updated",
    ]
    # By the unit that reported the figure: a township's 司法所, not the indicator's owner.
    list_filter = ["period", "status", "indicator__section", "unit"]
    list_select_related = ["indicator", "unit", "period", "updated_by"]
    search_fields = ["indicator__code", "indicator__name", "remark"]
    form = FigureCorrectionForm
    readonly_fields = [
        "indicator",
        "period",
        "status",
        "version",
        "updated_by",
        "updated_at",
        "explanation",
        "return_reason",
    ]
    revertible = False
    service_writes = ("metrics.services.correct_figure",)
    # simple_history heads these history columns with the names themselves, hence Chinese
    # names; each is the method below that formats the historical record.
    history_list_display = ["数值", "状态"]

    @admin.display(description="指标 / 填报部门", ordering="indicator__code")
    def indicator_and_department(self, obj):
        return two_lines(short(obj.indicator.name, 11), department_short(obj.unit))

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

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and access.can_review(request.user)

    def get_fieldsets(self, request, obj=None):
        editable = self.has_change_permission(request, obj)
        data = ["value" if editable else "value_and_unit", "remark", "explanation"]
        fieldsets = [
            (None, {"fields": ["indicator", "period", "status", "version", "updated_by"]}),
            ("数据", {"fields": [*data, "return_reason", "updated_at"]}),
        ]
        if editable:
            fieldsets.append(("更正", {"fields": ["reason", "loaded_version"]}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **{**kwargs, "fields": []})
        form.refused = getattr(request, "figure_correction_refused", None)
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CorrectionRefused as refused:
            # Nothing was written (the view's transaction rolled back): the same POST again,
            # its form now carrying the service's reasons on its fields.
            request.figure_correction_refused = refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            services.correct_figure(
                figure=obj,
                user=request.user,
                value=data["value"],
                remark=data["remark"],
                reason=data["reason"],
                expected_version=data["loaded_version"],
            )
        except services.FigureConflict as conflict:
            error = ValidationError(conflict_message(conflict.figure))
            raise CorrectionRefused(error, conflict.figure.version) from None
        except (ValidationError, PermissionDenied) as exc:
            error = exc if isinstance(exc, ValidationError) else ValidationError(refusal(exc))
            raise CorrectionRefused(error) from None
        obj.refresh_from_db()

    def 数值(self, record):
        return number(record.value) or "（空）"

    def 状态(self, record):
        return record.get_status_display()


@admin.register(ValidationRule)
class ValidationRuleAdmin(ReadOnlyAdmin, HistoryAdmin):
    """Rules are written on 校验规则 (services.create_rule, update_rule, …)."""

    revertible = False
    list_display = ["name", "expression", "severity_name", "active"]
    list_filter = ["severity", "active"]
    list_select_related = ["left", "right"]
    search_fields = ["name", "left__code", "right__code"]

    @admin.display(description="规则")
    def expression(self, obj):
        return obj.expression

    @admin.display(description="重要程度", ordering="severity")
    def severity_name(self, obj):
        return choice_short(obj.get_severity_display())


@admin.register(FigureComment)
class FigureCommentAdmin(ReadOnlyAdmin):
    """A figure's thread is written by the review services (add_comment, return_figure, …)."""

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
    """Listed for oversight; files are added and served through the portal's checks, and
    deleted here only by services.remove_evidence, with the reason asked for on the delete
    page (the file goes, the figure's thread says who removed it and why)."""

    list_display = ["name", "figure_name", "kind", "file_size", "uploaded_by", "uploaded"]
    list_filter = ["figure__period", "figure__unit", "content_type"]
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

    service_writes = ("metrics.services.remove_evidence",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # One at a time, on its page, which asks for the reason (delete_confirmation.html).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        try:
            services.remove_evidence(
                item=obj, user=request.user, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            raise PermissionDenied("；".join(exc.messages)) from None

    def delete_queryset(self, request, queryset):
        for item in queryset:
            self.delete_model(request, item)

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


@admin.register(IndicatorAlias)
class IndicatorAliasAdmin(ReadOnlyAdmin):
    """Aliases (别名) come from 从文档导入 (a reviewer's binding by hand); shown here with the
    indicator they name."""

    list_display = ["phrase", "indicator"]
    search_fields = ["phrase", "indicator__name", "indicator__code"]
    list_select_related = ["indicator"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Notices are sent with reminders (services.send_reminder)."""

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
class ReminderAdmin(ReadOnlyAdmin):
    """Reminders are sent by services.send_reminder and send_due_reminders."""

    list_display = [
        "department_name",
        "period",
        "day",
        "manual",
        "unsent",
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


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    """Extensions are given on 报告期管理 (metrics.services.periods.extend_deadline)."""

    list_display = ["period", "department", "deadline", "reason"]
    list_filter = ["period"]


@admin.register(OfficeSettings)
class OfficeSettingsAdmin(ReadOnlyAdmin):
    """系统设置 is edited on its page (metrics.services.office.update_office_settings)."""

    list_display = ["district_name", "reminder_days_before", "auto_lock", "auto_lock_grace_days"]
