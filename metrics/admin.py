"""The admin for superusers: the catalogue, users and the oversight lists.

Where a model has write services (metrics.services), the admin does not write it past them.
Each model got one of two treatments:

- Through the services, where an administrator has a real need to change something. A
  figure's change form calls services.correct_figure, so that a correction bumps the version
  (a clerk's form loaded before is refused as a conflict, not silently overwriting it), names
  the corrector as 最后修改人, respects a locked period, requires a reason and tells the clerk
  in the figure's thread. A period's state is changed by the actions 锁定所选报告期 and
  重新开放报告期 (the latter asking for the reason reopen_period requires); creating a period
  and editing its dates stay ordinary admin edits.
- Read-only, where the admin is for oversight only: the fields the services own (a figure's
  status, version and 最后修改人, a period's state), evidence (added and served through the
  portal's checks), report template versions and jobs. Figures cannot be added or deleted
  here (clerks create them), and neither figures nor periods can be reverted from their
  history pages, which would write an old row back past the services.

- The catalogue (indicators, sections, departments) through metrics.services.catalogue, as
  the 指标管理 pages: a frozen code, a bad formula, a retired department, a section that still
  has indicators are refused here as there, and every change leaves its history row. Only
  those who may manage the catalogue may change it; an indicator or department is retired
  (停用日期 / 停用时间), never deleted.

Refusals (no permission, a locked period, a bad value, a stale version) come back as form
errors or messages in Chinese, never as a server error.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import formats

from lawgov.admin_helpers import ReadOnlyAdmin, choice_short, one_line, short, two_lines, when

from . import access, services
from .admin_forms import CatalogueForm, CorrectionRefused, FigureCorrectionForm, refusal
from .admin_history import HistoryAdmin, number
from .evidence import DOCX, JPEG, PDF, PNG, XLSX
from .models import (
    DeadlineExtension,
    Department,
    Evidence,
    Figure,
    FigureComment,
    Indicator,
    IndicatorAlias,
    Notice,
    OfficeSettings,
    Reminder,
    ReportingPeriod,
    Section,
    ValidationRule,
)
from .services._common import conflict_message

# Evidence file types by name (Word 文档) rather than MIME type.
FILE_KINDS = {kind.content_type: kind.label for kind in (PDF, PNG, JPEG, DOCX, XLSX)}


def department_short(department):
    return department.short_name or department.name


def figure_cell(figure):
    """A figure as its indicator's name over its period."""
    return two_lines(short(figure.indicator.name, 12), figure.period)


class CatalogueAdmin:
    """Writes through metrics.services.catalogue; a refusal is shown on the form again."""

    form = CatalogueForm
    change_reason = "后台管理修改"

    def _may(self, request):
        return access.can_manage_catalogue(request.user)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._may(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "code" not in fields and type(obj) is not Indicator:
            fields.append("code")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.refused = getattr(request, "catalogue_refused", None)
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CorrectionRefused as refused:
            # Nothing was written (the view's transaction rolled back): the same POST again,
            # its form now carrying the service's reasons on its fields.
            request.catalogue_refused = refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        try:
            saved = self.save_through_services(request, obj, form, change)
        except (ValidationError, PermissionDenied) as exc:
            error = exc if isinstance(exc, ValidationError) else ValidationError(refusal(exc))
            raise CorrectionRefused(error) from None
        obj.pk = saved.pk
        obj.refresh_from_db()

    def _changed(self, form, names):
        return {n: form.cleaned_data[n] for n in names if n in form.changed_data}


@admin.register(Department)
class DepartmentAdmin(CatalogueAdmin, admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "order", "retired_at"]
    search_fields = ["name", "short_name", "code"]

    def save_through_services(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            department = services.create_department(
                user=request.user,
                code=data["code"],
                name=data["name"],
                short_name=data.get("short_name", ""),
                order=data.get("order"),
                reason="后台管理新增",
            )
        else:
            department = Department.objects.get(pk=obj.pk)
            fields = self._changed(form, services.catalogue.DEPARTMENT_FIELDS)
            if fields:
                department = services.update_department(
                    department=department, user=request.user, reason=self.change_reason, **fields
                )
        if "retired_at" in form.changed_data:
            if data.get("retired_at"):
                department = services.retire_department(
                    department=department, user=request.user, reason=self.change_reason
                )
            elif department.is_retired:
                department = services.restore_department(
                    department=department, user=request.user, reason=self.change_reason
                )
        return department


@admin.register(Section)
class SectionAdmin(CatalogueAdmin, HistoryAdmin):
    list_display = ["order", "name", "code"]
    search_fields = ["name", "code"]
    revertible = False

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj) and self._may(request)

    def save_through_services(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            return services.create_section(
                user=request.user, code=data["code"], name=data["name"], order=data.get("order")
            )
        section = Section.objects.get(pk=obj.pk)
        if "name" in form.changed_data:
            section = services.rename_section(
                section=section, user=request.user, name=data["name"], reason=self.change_reason
            )
        if "order" in form.changed_data:
            codes = [c for c in Section.objects.order_by("order").values_list("code", flat=True)]
            codes.remove(section.code)
            codes.insert(max(0, min(len(codes), data["order"] - 1)), section.code)
            services.reorder_sections(user=request.user, codes=codes, reason=self.change_reason)
        return section

    def delete_model(self, request, obj):
        try:
            services.delete_section(section=obj, user=request.user, reason="后台管理删除")
        except ValidationError as exc:
            raise PermissionDenied("；".join(exc.messages)) from None

    def delete_queryset(self, request, queryset):
        for section in queryset:
            self.delete_model(request, section)


@admin.register(Indicator)
class IndicatorAdmin(CatalogueAdmin, HistoryAdmin):
    revertible = False
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

    def save_through_services(self, request, obj, form, change):
        data = form.cleaned_data
        fields = services.catalogue.INDICATOR_FIELDS
        if not change:
            indicator = services.create_indicator(
                user=request.user,
                code=data.get("code", ""),
                reason="后台管理新增",
                **{n: data[n] for n in fields if n in data},
            )
        else:
            indicator = Indicator.objects.get(pk=obj.pk)
            changed = self._changed(form, fields)
            code = data["code"] if "code" in form.changed_data else None
            if changed or code is not None:
                indicator = services.update_indicator(
                    indicator=indicator,
                    user=request.user,
                    code=code,
                    reason=self.change_reason,
                    **changed,
                )
        if "retired_on" in form.changed_data:
            if data.get("retired_on"):
                if indicator.retired_on is None:
                    indicator = services.retire_indicator(
                        indicator=indicator,
                        user=request.user,
                        reason=self.change_reason,
                        on=data["retired_on"],
                    )
            elif indicator.retired_on is not None:
                indicator = services.restore_indicator(
                    indicator=indicator, user=request.user, reason=self.change_reason
                )
        return indicator

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
    """Periods are created and their dates edited here; the state changes only through the
    actions, which call services.lock_period and services.reopen_period (with a reason)."""

    list_display = ["code", "start", "end", "deadline", "state"]
    list_filter = ["state"]
    search_fields = ["code"]
    readonly_fields = ["state"]
    actions = ["lock_selected", "reopen_selected"]
    revertible = False

    def has_lock_permission(self, request):
        return request.user.has_perm("metrics.lock_period")

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
    list_filter = ["period", "status", "indicator__section", "indicator__department"]
    list_select_related = ["indicator__department", "period", "updated_by"]
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
class ValidationRuleAdmin(HistoryAdmin):
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


@admin.register(IndicatorAlias)
class IndicatorAliasAdmin(ReadOnlyAdmin):
    """Aliases (别名) come from 从文档导入 (a reviewer's binding by hand); shown here with the
    indicator they name."""

    list_display = ["phrase", "indicator"]
    search_fields = ["phrase", "indicator__name", "indicator__code"]
    list_select_related = ["indicator"]


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
