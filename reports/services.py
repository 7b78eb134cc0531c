"""Write operations for reports: template versions, report jobs and document imports."""

import logging
from datetime import timedelta

from celery import current_app
from celery.exceptions import Retry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lawgov.domain_errors import DomainError
from lawgov.faults import StorageUnavailable, is_storage_error
from metrics import access as figures_access
from metrics.models import Area, ReportingPeriod

from . import access as report_access
from . import documents, job_events, job_files, rendering, selectors
from .models import (
    JobStatus,
    ReportEvent,
    ReportJob,
    ReportKind,
    ReportTemplate,
)

# The templates' own writes live in template_services; named here too, as callers know them.
from .template_services import save_template_version, update_document_deadlines  # noqa: F401

logger = logging.getLogger(__name__)


class ReportNotReady(DomainError):
    """A final report was asked for while some of its figures are missing or unapproved."""

    status_code = 409
    default_code = "report_not_ready"

    def __init__(self, gaps: list[dict]):
        self.gaps = gaps
        super().__init__(f"{len(gaps)} figures missing or unapproved")

    def api_message(self) -> str:
        return f"尚有 {len(self.gaps)} 项数据未填写或未审核，不能生成正式稿。"

    def api_extra(self) -> dict:
        keys = ("code", "name", "department", "status", "value")
        return {"gaps": [{k: gap[k] for k in keys} for gap in self.gaps]}

    @property
    def by_department(self):
        return selectors.gaps_by_department(self.gaps)


class QueueUnavailable(DomainError):
    """The task queue could not take the job."""

    status_code = 503
    default_code = "queue_unavailable"
    default_detail = "任务队列暂时不可用，请稍后再试。"


# The task that builds a job (reports.tasks), queued by its name: the task module calls these
# services, so they reach it through the Celery app and never import it.
BUILD_REPORT = "reports.tasks.build_report"

# Why a job failed when the database went away for longer than the task's retries.
DATABASE_UNAVAILABLE = "数据库暂时不可用，生成失败，请重试。"
QUEUE_UNAVAILABLE = "任务队列暂时不可用，请稍后重试。"
TOO_MANY_DELIVERIES = (
    "多次开始生成均未完成（生成进程被中断或超时），已停止自动重试；请检查模板后重试。"
)


def build_timed_out_message() -> str:
    seconds = settings.REPORT_BUILD_SOFT_TIME_LIMIT_SECONDS
    return f"生成超时：超过 {seconds} 秒仍未完成，已停止（模板中可能有过长的标题或内容）。"


def stuck(*, now=None):
    """The one rule for a job that will not finish by itself: running past the build's hard
    time limit (plus a grace for the worker to report), or queued past
    REPORT_JOB_TIMEOUT_SECONDS. The sweep fails such jobs; a new identical request is never
    handed one back. Returns (running, queued) querysets with each one's reason."""
    now = now or timezone.now()
    queued_limit = timedelta(seconds=settings.REPORT_JOB_TIMEOUT_SECONDS)
    running_limit = timedelta(seconds=settings.REPORT_BUILD_TIME_LIMIT_SECONDS + 15)
    minutes = max(1, settings.REPORT_JOB_TIMEOUT_SECONDS // 60)
    running = ReportJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=now - running_limit)
    queued = ReportJob.objects.filter(status=JobStatus.QUEUED, queued_at__lt=now - queued_limit)
    return (
        (running, "生成超时：生成进程已中断或超时，请重试。"),
        (queued, f"排队超时：超过{minutes}分钟仍未开始（后台任务进程可能未运行），请重试。"),
    )


def _enqueue(job_id: int, *, new_job: bool) -> None:
    """Runs once the request has committed. If the broker cannot take the job, a new job is
    removed again (nothing half-made stays behind) and a retried one goes back to failed."""
    try:
        current_app.tasks[BUILD_REPORT].delay(job_id)
    except Retry:
        # Only where tasks run in-process (no broker): the task met a passing database error
        # and asked to run again later, which nothing here would do. The job was queued
        # fine; it fails with the reason so that it can be retried from its page.
        mark_failed(job_id=job_id, message=DATABASE_UNAVAILABLE)
    except Exception as exc:  # kombu raises OperationalError and friends when the broker is down
        logger.error("report job %s could not be queued: %s", job_id, exc)
        # A new job nobody has seen is removed; one with an audit record (a public version's
        # 审定) keeps it and is failed: either way no job stays 排队 to be handed back.
        removed = False
        if new_job and not ReportEvent.objects.filter(job_id=job_id).exists():
            removed, _ = ReportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).delete()
        if not removed:
            mark_failed(job_id=job_id, message=QUEUE_UNAVAILABLE)
        raise QueueUnavailable(str(exc)) from exc


def _frozen(
    *, period: ReportingPeriod, kind: str, template: ReportTemplate | None, area: Area | None
):
    """The template version and the figures it needs for `area`, as a new job would freeze
    them; a final report refuses while any of its figures, or any child area's figure in its
    comparison tables, is missing or unapproved."""
    if kind not in (ReportKind.DRAFT, ReportKind.FINAL):
        # A public version is made from a final build (request_public_version), not asked for.
        raise ValidationError(f"未知的讲话稿类型“{kind}”。")
    template = template or documents.default_document()
    version = template.current_version
    parsed = rendering.parse_template(version.text)
    snapshot = selectors.figure_snapshot(
        period=period, codes=parsed.codes(), area=area, table_codes=parsed.table_codes()
    )
    if kind == ReportKind.FINAL:
        gaps = selectors.document_gaps(snapshot, parsed.table_codes())
        if gaps:
            raise ReportNotReady(gaps)
    return version, snapshot


@transaction.atomic
def create_report_job(
    *,
    period: ReportingPeriod,
    kind: str,
    user,
    template: ReportTemplate | None = None,
    area: Area | None = None,
) -> ReportJob:
    """Freeze the figures the template needs for `area` (the installation's own by default)
    into a new job. A final report refuses to start while any of its figures is missing or
    unapproved."""
    report_access.require(report_access.can_request_reports(user), "您没有申请生成讲话稿的权限。")
    area = report_access.report_area(user=user, area=area)
    version, snapshot = _frozen(period=period, kind=kind, template=template, area=area)
    return ReportJob.objects.create(
        period=period,
        kind=kind,
        area=area,
        template_version=version,
        requested_by=user,
        snapshot=snapshot,
    )


def _same_job_in_progress(
    *, period, kind, area, version, snapshot, source=None, exclusions=None
) -> ReportJob | None:
    """A job queued or running for the same period, kind, area, template version and figures
    (and, for a public version, the same final build and exclusions): it will produce exactly
    what a new one would."""
    candidates = ReportJob.objects.filter(
        period=period,
        kind=kind,
        area=area,
        template_version=version,
        source=source,
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
    ).order_by("requested_at", "pk")
    for stuck_jobs, _ in stuck():  # (a stuck job is never handed back)
        candidates = candidates.exclude(pk__in=stuck_jobs.values("pk"))
    # Few jobs are ever in progress at once; JSON equality is compared here, not in SQL, so
    # that key order and number formatting mean the same on every database.
    return next(
        (
            job
            for job in candidates
            if job.snapshot == snapshot and (job.exclusions or {}) == (exclusions or {})
        ),
        None,
    )


@transaction.atomic
def request_report(
    *,
    period: ReportingPeriod,
    kind: str,
    user,
    template: ReportTemplate | None = None,
    area: Area | None = None,
) -> ReportJob:
    """A person asks for a document of `area` (the installation's own by default; one the
    user sees, `report_area`): the job is stored, then queued for a worker once the
    transaction has committed. The same request again while such a job is queued or running
    (same period, kind, area, template version and figures) returns that job instead of a
    second one; `job.reused` says which happened."""
    report_access.require(report_access.can_request_reports(user), "您没有申请生成讲话稿的权限。")
    area = report_access.report_area(user=user, area=area)
    # One request per period at a time, so that two identical ones cannot both miss each
    # other (NO KEY UPDATE: figures being written for the period are not held up).
    ReportingPeriod.objects.select_for_update(no_key=True).filter(pk=period.pk).first()
    version, snapshot = _frozen(period=period, kind=kind, template=template, area=area)
    existing = _same_job_in_progress(
        period=period, kind=kind, area=area, version=version, snapshot=snapshot
    )
    if existing is not None:
        existing.reused = True
        return existing
    job = ReportJob.objects.create(
        period=period,
        kind=kind,
        area=area,
        template_version=version,
        requested_by=user,
        snapshot=snapshot,
    )
    job.reused = False
    transaction.on_commit(lambda: _enqueue(job.pk, new_job=True), robust=False)
    return job


@transaction.atomic
def request_public_version(
    *, job: ReportJob, user, paragraphs: list[int] = (), codes: list[str] = ()
) -> ReportJob:
    """The reviewer has marked what of a final build is not for publication (涉密/内部):
    whole paragraphs (by their index in the document) and figures (by indicator code; the
    sentence holding one is left out). A public version is stored from the final build's
    template version and frozen figures with those exclusions, recorded in the audit trail,
    and queued once the transaction has committed. The same marks again while such a build
    is in progress return that job (`job.reused`)."""
    report_access.require(report_access.can_review_public_version(user), "您没有审定公开版的权限。")
    source = _public_source(job)
    report_access.require(figures_access.in_scope(user, source.area), "您无权审定该区域的文稿。")
    exclusions = _exclusions(source, paragraphs=paragraphs, codes=codes)
    existing = _same_job_in_progress(
        period=source.period,
        kind=ReportKind.PUBLIC,
        area=source.area,
        version=source.template_version,
        snapshot=source.snapshot,
        source=source,
        exclusions=exclusions,
    )
    if existing is not None:
        existing.reused = True
        return existing
    public = ReportJob.objects.create(
        period=source.period,
        kind=ReportKind.PUBLIC,
        area=source.area,
        template_version=source.template_version,
        requested_by=user,
        snapshot=source.snapshot,
        source=source,
        exclusions=exclusions,
    )
    ReportEvent.objects.create(
        action=ReportEvent.Action.PUBLIC_REQUESTED,
        job=public,
        actor=user,
        detail={"source": source.pk, **exclusions},
    )
    public.reused = False
    transaction.on_commit(lambda: _enqueue(public.pk, new_job=True), robust=False)
    return public


def _public_source(job: ReportJob) -> ReportJob:
    """The final build a public version is made from, locked: only a succeeded final build of
    a document that has a public version."""
    source = (
        ReportJob.objects.select_for_update(of=("self",))
        .select_related("template_version__template", "period", "area")
        .get(pk=job.pk)
    )
    document = source.template_version.template
    if not document.has_public_version:
        raise ValidationError(f"“{document.name}”没有公开版。")
    if source.kind != ReportKind.FINAL or source.status != JobStatus.SUCCEEDED:
        raise ValidationError("公开版只能从已生成完成的正式稿审定。")
    return source


def _exclusions(source: ReportJob, *, paragraphs, codes) -> dict:
    """The reviewer's marks, checked against the final build's own text and figures: paragraph
    indexes within the document and indicator codes among its frozen figures."""
    speech = rendering.render_text(source.template_version.text, source.snapshot, "draft")
    count = len(speech.paragraphs)
    try:
        marked = sorted({int(i) for i in paragraphs})
    except (TypeError, ValueError):
        raise ValidationError("段落编号不正确。") from None
    if any(not 0 <= i < count for i in marked):
        raise ValidationError("所选段落不在该文稿中。")
    known = set((source.snapshot.get("figures") or {}).keys())
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ValidationError(f"该文稿不含指标“{'、'.join(unknown)}”。")
    return {"paragraphs": marked, "codes": sorted(set(codes))}


@transaction.atomic
def retry_report_job(*, job: ReportJob, user) -> ReportJob:
    """Queue a failed job again, from the same frozen snapshot; the job names who retried it
    and when (the last retry; the requester stays who asked first)."""
    report_access.require(report_access.can_request_reports(user), "您没有申请生成讲话稿的权限。")
    job = ReportJob.objects.select_for_update(of=("self",)).select_related("area").get(pk=job.pk)
    report_access.require(figures_access.in_scope(user, job.area), "您无权重试该区域的文稿。")
    if job.status != JobStatus.FAILED:
        raise ValidationError("只有失败的讲话稿任务可以重试。")
    job.status = JobStatus.QUEUED
    job.error = ""
    job.attempts = 0  # (deliveries are counted anew: REPORT_BUILD_MAX_DELIVERIES)
    job.finished_at = None
    job.queued_at = timezone.now()
    job.retried_by = user
    job.retried_at = job.queued_at
    job.save(
        update_fields=[
            *("status", "error", "attempts", "finished_at"),
            *("queued_at", "retried_by", "retried_at"),
        ]
    )
    transaction.on_commit(lambda: _enqueue(job.pk, new_job=False), robust=False)
    return job


def fail_stuck_jobs(*, now=None) -> int:
    """Mark the stuck jobs (`stuck`) failed, with the reason, so that people can retry them."""
    now = now or timezone.now()
    count = 0
    for queryset, reason in stuck(now=now):
        # The pages of these jobs are told (a job that became stuck between the two
        # queries is read by its page within job_events.RECHECK_SECONDS anyway).
        stuck_ids = list(queryset.values_list("pk", flat=True))
        count += queryset.update(status=JobStatus.FAILED, error=reason, finished_at=now)
        for job_id in stuck_ids:
            job_events.announce(job_id)
    return count


def run_report_job(*, job_id: int) -> ReportJob:
    """Build a job's PDF, DOCX and OFD from its frozen snapshot. Safe to call again: a finished
    job is left as it is, and a rebuilt one overwrites its own files rather than adding new
    ones."""
    job, building = _start(job_id)
    if not building:
        return job
    try:
        files = _render(job)
    except rendering.MissingFigures as exc:
        return job_files.fail(job, f"缺少已审核的数据：{exc}")
    except OSError as exc:  # the font cache, say, on a full disk
        if not is_storage_error(exc):
            raise
        return job_files.storage_failure(job, StorageUnavailable(exc))
    return job_files.save(job, files)


def _start(job_id: int) -> tuple[ReportJob, bool]:
    """Mark the job running, one delivery more, in a transaction of its own; False (with the
    job as it now is) when it is not to be built."""
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(of=("self",))
            .select_related("template_version__template", "period")
            .get(pk=job_id)
        )
        # A finished job, or one failed since this message was queued (a redelivery after a
        # restart), is left as it is: only a retry (retry_report_job) queues it again.
        if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return job, False
        if job.attempts >= settings.REPORT_BUILD_MAX_DELIVERIES:
            return job_files.fail(job, TOO_MANY_DELIVERIES), False
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.error = ""
        job.save(update_fields=["status", "attempts", "started_at", "error"])
        job_events.announce(job.pk)
    return job, True


def _render(job: ReportJob) -> dict[str, bytes]:
    """The job's documents by file field (pdf, docx, ofd), outside any transaction."""
    template = rendering.parse_template(job.template_version.text)
    mode = "draft" if job.kind == ReportKind.DRAFT else "final"
    layout = job.template_version.template.layout
    exclusions = job.exclusions if job.kind == ReportKind.PUBLIC else None
    # The OFD is written from the same layout as the PDF (reports/rendering/ofd).
    pdf, ofd = rendering.render_pdf_and_ofd(
        template,
        job.snapshot,
        mode=mode,
        layout=layout,
        exclusions=exclusions,
        font_dir=settings.REPORT_FONT_DIR,
        font_cache_dir=settings.REPORT_FONT_CACHE_DIR,
    )
    docx = rendering.render_docx(
        template, job.snapshot, mode=mode, layout=layout, exclusions=exclusions
    )
    return {"pdf": pdf, "docx": docx, "ofd": ofd}


def mark_failed(*, job_id: int, message: str) -> None:
    if (
        ReportJob.objects.filter(pk=job_id)
        .exclude(status=JobStatus.SUCCEEDED)
        .update(status=JobStatus.FAILED, error=message, finished_at=timezone.now())
    ):
        job_events.announce(job_id)
