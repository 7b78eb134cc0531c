from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

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


@admin.register(FigureComment)
class FigureCommentAdmin(admin.ModelAdmin):
    list_display = ["figure", "kind", "author", "created_at", "text"]
    list_filter = ["kind", "figure__period"]
    list_select_related = ["figure__indicator", "figure__period", "author"]
    search_fields = ["text", "figure__indicator__code"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    """Listed for oversight only; files are added and served through the portal's checks."""

    list_display = ["original_name", "figure", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["figure__indicator", "figure__period", "uploaded_by"]
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


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "period", "created_by", "created_at"]
    list_filter = ["department", "period"]
    list_select_related = ["department", "period", "created_by"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "department",
        "period",
        "date",
        "manual",
        "missing",
        "returned",
        "recipients",
        "emailed_at",
    ]
    list_filter = ["period", "manual", "department"]
    list_select_related = ["department", "period"]
