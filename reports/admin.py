from django.contrib import admin

from .models import ReportJob, ReportTemplate, TemplateVersion


class TemplateVersionInline(admin.TabularInline):
    model = TemplateVersion
    fields = ["number", "comment", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # versions are made by editing the template in the portal


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [TemplateVersionInline]


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "comment", "created_by", "created_at"]
    list_filter = ["template"]
    list_select_related = ["template", "created_by"]
    search_fields = ["comment", "text"]
    readonly_fields = ["template", "number", "text", "comment", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a version is never changed: old reports must stay rebuildable


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "period",
        "kind",
        "status",
        "template_version",
        "requested_by",
        "requested_at",
        "pdf_size",
    ]
    list_filter = ["period", "kind", "status"]
    list_select_related = ["period", "template_version__template", "requested_by"]
    search_fields = ["error", "pdf_sha256"]
    readonly_fields = [f.name for f in ReportJob._meta.fields]

    def has_add_permission(self, request):
        return False  # jobs are requested in the portal, the API or build_report
