"""The catalogue's admin pages (departments, sections, indicators), written through
metrics.services.catalogue as on the 指标管理 pages: a frozen code, a bad formula, a retired
department, a section that still has indicators are refused here as there, and every change
leaves its history row. Only those who may manage the catalogue may change it; an indicator or
department is retired (停用日期 / 停用时间), never deleted.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from lawgov.admin_helpers import NoWrites, choice_short, short, two_lines

from . import access, services
from .admin_forms import CatalogueForm, CorrectionRefused, refusal
from .admin_history import HistoryAdmin, number
from .models import Area, Department, Indicator, Section, UnitKind


def department_short(department):
    return department.short_name or department.name


TREE_FIELDS = ("area", "kind", "reporting_kind", "rollup")


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
        # Where a unit sits in the area tree and how an indicator rolls up are set by the
        # catalogue services, not typed here.
        fields += [name for name in TREE_FIELDS if hasattr(obj or self.model, name)]
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
    service_writes = (
        "metrics.services.create_department",
        "metrics.services.update_department",
        "metrics.services.retire_department",
        "metrics.services.restore_department",
    )
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
    service_writes = (
        "metrics.services.create_section",
        "metrics.services.rename_section",
        "metrics.services.reorder_sections",
        "metrics.services.delete_section",
    )

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
    service_writes = (
        "metrics.services.create_indicator",
        "metrics.services.update_indicator",
        "metrics.services.retire_indicator",
        "metrics.services.restore_indicator",
    )
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


# The area tree and the kinds of unit: shown here; written by the migration, the demo and
# (next) the area services, never typed into the admin.
@admin.register(Area)
class AreaAdmin(NoWrites, HistoryAdmin):
    list_display = ["name", "code", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


@admin.register(UnitKind)
class UnitKindAdmin(NoWrites, HistoryAdmin):
    list_display = ["name", "code", "level"]
    search_fields = ["name", "code"]
