from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Figure, Indicator, ReportingPeriod, Section, User, ValidationRule

admin.site.site_header = "法治政府建设工作汇报门户"
admin.site.site_title = "法治汇报门户"
admin.site.index_title = "后台管理"


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


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "section",
        "unit",
        "value_type",
        "department",
        "lower_bound",
        "upper_bound",
    ]
    list_filter = ["section", "department", "value_type"]
    list_select_related = ["section", "department"]
    search_fields = ["code", "name"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["code", "start", "end", "deadline", "state"]
    list_filter = ["state"]
    search_fields = ["code"]


@admin.register(Figure)
class FigureAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "period", "value", "status", "version", "updated_by", "updated_at"]
    list_filter = ["period", "status", "indicator__section", "indicator__department"]
    list_select_related = ["indicator", "period", "updated_by"]
    search_fields = ["indicator__code", "indicator__name", "remark"]
    readonly_fields = ["version", "updated_by", "updated_at"]
    history_list_display = ["value", "status"]


@admin.register(ValidationRule)
class ValidationRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "left", "operator", "right", "severity", "active"]
    list_filter = ["severity", "active"]
    list_select_related = ["left", "right"]
    search_fields = ["name", "left__code", "right__code"]
