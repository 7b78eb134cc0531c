"""The reports' admin pages, read-only: documents and their versions are written on the
portal's report pages (reports.services.save_template_version, update_document_deadlines),
jobs are requested and run by the services (their PDFs kept for good: a ReportEvent holds its
job), imports are made on 从文档导入 (reports.services.start_import …)."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from lawgov.admin_helpers import ReadOnlyAdmin, cut, one_line, short, when

from .models import DocumentImport, ReportEvent, ReportJob, ReportTemplate, TemplateVersion


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
class ReportTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "layout", "has_public_version", "created"]
    search_fields = ["name", "slug"]
    inlines = [TemplateVersionInline]

    @admin.display(description="创建时间", ordering="created_at")
    def created(self, obj):
        return when(obj.created_at)


@admin.register(TemplateVersion)
class TemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ["template", "number", "note", "created_by", "created"]
    list_filter = ["template"]
    list_select_related = ["template", "created_by"]
    search_fields = ["comment", "text"]
    # A version is never changed nor deleted: old reports must stay rebuildable.
    readonly_fields = ["template", "number", "text", "comment", "created_by", "created_at"]

    @admin.display(description="修改说明", ordering="comment")
    def note(self, obj):
        return short(obj.comment, 30)

    @admin.display(description="保存时间", ordering="created_at")
    def created(self, obj):
        return when(obj.created_at)


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "period",
        "kind_name",
        "status_name",
        "template",
        "requested_by",
        "requested",
        "pdf_file_size",
    ]
    list_filter = ["period", "kind", "status"]
    list_select_related = ["period", "template_version__template", "requested_by"]
    search_fields = ["error", "pdf_sha256"]
    # Everything is read-only; the id is shown as 编号 rather than Django's "ID".
    readonly_fields = ["number", *(f.name for f in ReportJob._meta.fields if f.name != "id")]
    # Jobs are requested in the portal, the API or build_report, and never deleted here.

    @admin.display(description="编号", ordering="id")
    def number(self, obj):
        return obj.pk

    @admin.display(description="类型", ordering="kind")
    def kind_name(self, obj):
        return one_line(obj.get_kind_display())

    @admin.display(description="状态", ordering="status")
    def status_name(self, obj):
        return one_line(obj.get_status_display())

    @admin.display(description="模板版本", ordering="template_version")
    def template(self, obj):
        version = obj.template_version
        return format_html(
            '<span class="nowrap" title="{}">{}第{}版</span>',
            version,
            cut(version.template.name, 5),
            version.number,
        )

    @admin.display(description="申请时间", ordering="requested_at")
    def requested(self, obj):
        return when(obj.requested_at)

    @admin.display(description="PDF 大小", ordering="pdf_size")
    def pdf_file_size(self, obj):
        return filesizeformat(obj.pdf_size) if obj.pdf_size is not None else None


@admin.register(DocumentImport)
class DocumentImportAdmin(ReadOnlyAdmin):
    list_display = [
        "source_name",
        "period",
        "name",
        "document",
        "created_by",
        "created_at",
        "accepted_at",
    ]
    list_filter = ["period"]
    search_fields = ["source_name", "name"]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ["action", "job", "actor", "at"]
