"""The reports app's records in 修改历史 (metrics.history): document imports, report builds,
the reviews of public versions (ReportEvent) and the templates' saved versions. Registered
from ReportsConfig.ready(); metrics never imports this module.

These records are kept for good and never edited: no service changes or deletes them, and
the admin shows them read-only."""

from django.db.models import Q

from metrics.history import Row, filtered
from metrics.references import HistorySource

from .access import can_view_reports
from .models import DocumentImport, ReportEvent, ReportJob, TemplateVersion


def _who(user) -> str:
    return user.display_name if user else "系统"


def _import_keys(filters):
    return filtered(
        DocumentImport.objects.all(),
        filters,
        at="created_at",
        person=lambda user: Q(created_by_id=user.pk),
        searched=["source_name", "name", "document__name"],
    )


def _import_rows(ids):
    found = {}
    for item in DocumentImport.objects.filter(pk__in=ids).select_related(
        "created_by", "document", "period"
    ):
        target = item.document.name if item.document else item.name
        fields = [("来源文件", "（空）", item.source_name)]
        if target:
            fields.append(("文稿", "（空）", target))
        found[item.pk] = Row(
            kind="import",
            label="文档导入",
            when=item.created_at,
            who=_who(item.created_by),
            what=f"{item.source_name} · {item.period.label}",
            action="已接受导入" if item.accepted_at else "导入文档",
            fields=fields,
        )
    return found


def _build_keys(filters):
    return filtered(
        ReportJob.objects.all(),
        filters,
        at="requested_at",
        person=lambda user: Q(requested_by_id=user.pk),
        searched=["period__code", "template_version__template__name"],
    )


def _build_rows(ids):
    found = {}
    jobs = ReportJob.objects.filter(pk__in=ids).select_related(
        "requested_by", "period", "template_version__template"
    )
    for job in jobs.defer("snapshot"):
        template = job.template_version.template
        found[job.pk] = Row(
            kind="build",
            label="生成文稿",
            when=job.requested_at,
            who=_who(job.requested_by),
            what=f"{template.name}（第 {job.template_version.number} 版）· {job.period.label}",
            action=f"生成{job.get_kind_display()}",
            fields=[("状态", "（空）", job.get_status_display())],
        )
    return found


def _event_keys(filters):
    return filtered(
        ReportEvent.objects.all(),
        filters,
        at="at",
        person=lambda user: Q(actor_id=user.pk),
        searched=[
            "job__period__code",
            "job__template_version__template__name",
            "document_import__source_name",
        ],
    )


def _event_subject(event) -> str:
    """A report job's template and period, or the document an import event is about."""
    if event.job is not None:
        job = event.job
        return f"{job.template_version.template.name} · {job.period.label}"
    if event.document_import is not None:
        item = event.document_import
        return f"{item.source_name} · {item.period.label}"
    return ""


def _event_rows(ids):
    found = {}
    events = ReportEvent.objects.filter(pk__in=ids).select_related(
        "actor", "job__period", "job__template_version__template", "document_import__period"
    )
    for event in events.defer("job__snapshot"):
        detail = event.detail if isinstance(event.detail, dict) else {}
        found[event.pk] = Row(
            kind="import" if event.document_import_id else "report_event",
            label="文档导入" if event.document_import_id else "文稿审定",
            when=event.at,
            who=_who(event.actor),
            what=_event_subject(event),
            action=event.get_action_display(),
            reason=str(detail.get("reason", "")),
        )
    return found


def _version_keys(filters):
    return filtered(
        TemplateVersion.objects.all(),
        filters,
        at="created_at",
        person=lambda user: Q(created_by_id=user.pk),
        searched=["template__name", "template__slug", "comment"],
    )


def _version_rows(ids):
    found = {}
    versions = TemplateVersion.objects.filter(pk__in=ids).select_related("created_by", "template")
    for version in versions.defer("text"):
        found[version.pk] = Row(
            kind="template_version",
            label="文稿模板",
            when=version.created_at,
            who=_who(version.created_by),
            what=f"{version.template.name}（第 {version.number} 版）",
            action="保存模板",
            reason=version.comment,
        )
    return found


SOURCES = (
    HistorySource("import", "文档导入", _import_keys, _import_rows, at_field="created_at"),
    HistorySource("build", "生成文稿", _build_keys, _build_rows, at_field="requested_at"),
    HistorySource("report_event", "文稿审定", _event_keys, _event_rows, at_field="at"),
    HistorySource(
        "template_version", "文稿模板", _version_keys, _version_rows, at_field="created_at"
    ),
)
SOURCES = tuple(HistorySource(**{**s.__dict__, "visible": can_view_reports}) for s in SOURCES)
