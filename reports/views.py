from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from lawgov.control_characters import safe_file_name, shows_its_own_refusal
from metrics import selectors as metrics_selectors
from metrics.models import ReportingPeriod

from . import documents, rendering, selectors, services
from .models import JobStatus, ReportJob, ReportKind, TemplateVersion

CAN_VIEW = "reports.view_report"


def _period_from(request):
    code = request.GET.get("period") or request.POST.get("period")
    if code:
        return get_object_or_404(ReportingPeriod, code=code)
    period = metrics_selectors.current_period()
    if period is None:
        raise Http404("尚未设立报告期")
    return period


def _document_from(request):
    document = documents.document_named(request.GET.get("document") or request.POST.get("document"))
    if document is None:
        raise Http404("没有这个文稿")
    return document


@login_required
@permission_required(CAN_VIEW, raise_exception=True)
def report_panel(request):
    period = _period_from(request)
    document = _document_from(request)
    context = {
        "period": period,
        "document": document,
        "documents": documents.documents(),
        "periods": ReportingPeriod.objects.all(),
        "can_request": request.user.has_perm("reports.request_report"),
        "refused": None,
        "lock": metrics_selectors.period_lock(period),
    }
    if request.method == "POST":
        if not context["can_request"]:
            raise Http404
        kind = request.POST.get("kind", ReportKind.DRAFT)
        try:
            job = services.request_report(
                period=period, kind=kind, user=request.user, template=document
            )
        except services.ReportNotReady as refused:
            context["refused"] = refused
        except services.QueueUnavailable:
            messages.error(
                request, f"任务队列暂时不可用，{document.name}未能开始生成，请稍后再试。"
            )
            return redirect(f"{request.path}?period={period.code}&document={document.slug}")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            name = "讲话稿" if document.slug == "speech" else document.name
            messages.success(
                request, f"已申请生成{period.label}{name}（{job.get_kind_display()}）。"
            )
            return redirect("reports:job", pk=job.pk)
    context["jobs"] = documents.jobs_for(period=period, document=document)
    context["archive"] = documents.archive(period=period)
    return render(request, "reports/panel.html", context, status=409 if context["refused"] else 200)


def _job_for(request, pk):
    return get_object_or_404(
        ReportJob.objects.select_related(
            "period", "template_version__template", "requested_by", "source"
        ),
        pk=pk,
    )


@login_required
@permission_required(CAN_VIEW, raise_exception=True)
def job_detail(request, pk):
    job = _job_for(request, pk)
    previous = documents.previous_successful_job(job=job)
    changes = (
        selectors.snapshot_changes(old=previous.snapshot, new=job.snapshot) if previous else None
    )
    can_review = (
        job.document.has_public_version
        and job.kind == ReportKind.FINAL
        and job.status == JobStatus.SUCCEEDED
        and request.user.has_perm("reports.review_public_version")
    )
    return render(
        request,
        "reports/job.html",
        {
            "job": job,
            "document": job.document,
            "previous": previous,
            "changes": changes,
            "can_review": can_review,
            "public_versions": job.public_versions.order_by("-requested_at"),
        },
    )


@login_required
@permission_required("reports.review_public_version", raise_exception=True)
def public_review(request, pk):
    """The reviewer marks paragraphs and figures of a final build as not for publication
    (涉密/内部), then builds the public version, which leaves them out."""
    job = _job_for(request, pk)
    if not (
        job.document.has_public_version
        and job.kind == ReportKind.FINAL
        and job.status == JobStatus.SUCCEEDED
    ):
        raise Http404("只有已生成完成的正式稿可以审定公开版")
    paragraphs = documents.review_paragraphs(job=job)
    marked_paragraphs: set[int] = set()
    marked_codes: set[str] = set()
    errors: list[str] = []
    if request.method == "POST":
        marked_paragraphs = {int(i) for i in request.POST.getlist("paragraph") if i.isdigit()}
        marked_codes = set(request.POST.getlist("figure"))
        try:
            public = services.request_public_version(
                job=job,
                user=request.user,
                paragraphs=sorted(marked_paragraphs),
                codes=sorted(marked_codes),
            )
        except services.QueueUnavailable:
            errors = ["任务队列暂时不可用，公开版未能开始生成，请稍后再试。"]
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request, f"已申请生成{job.period.label}{job.document.name}（公开版）。"
            )
            return redirect("reports:job", pk=public.pk)
    return render(
        request,
        "reports/public_review.html",
        {
            "job": job,
            "document": job.document,
            "paragraphs": paragraphs,
            "marked_paragraphs": marked_paragraphs,
            "marked_codes": marked_codes,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@permission_required("reports.request_report", raise_exception=True)
@require_POST
def job_retry(request, pk):
    job = _job_for(request, pk)
    try:
        services.retry_report_job(job=job, user=request.user)
    except services.QueueUnavailable:
        messages.error(request, "任务队列暂时不可用，请稍后再试。")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "已重新提交生成。")
    return redirect("reports:job", pk=job.pk)


@login_required
@permission_required(CAN_VIEW, raise_exception=True)
def job_status(request, pk):
    """The progress fragment the job page polls (htmx) until the job is finished."""
    job = _job_for(request, pk)
    response = render(request, "reports/_job_status.html", {"job": job})
    if job.is_finished:
        response["HX-Trigger"] = "job-finished"
    return response


@login_required
@permission_required(CAN_VIEW, raise_exception=True)
def download(request, pk, fmt):
    job = _job_for(request, pk)
    file_field = {"pdf": job.pdf, "docx": job.docx}.get(fmt)
    if not file_field:
        raise Http404("该文件不存在")
    filename = safe_file_name(
        f"{job.period.label}{job.document.file_title}（{job.get_kind_display()}）.{fmt}"
    )
    return FileResponse(file_field.open("rb"), as_attachment=True, filename=filename)


@login_required
@permission_required("reports.edit_template", raise_exception=True)
@shows_its_own_refusal("text")
def template_edit(request):
    template = _document_from(request)
    current = template.current_version
    text, errors = current.text, []
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            version = services.save_template_version(
                template=template,
                text=text,
                user=request.user,
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"模板已保存为第{version.number}版。")
            return redirect(f"{request.path}?document={template.slug}")
    return render(
        request,
        "reports/template_edit.html",
        {
            "template": template,
            "documents": documents.documents(),
            "current": current,
            "text": text,
            "errors": errors,
            "versions": template.versions.select_related("created_by"),
            "period": metrics_selectors.current_period(),
        },
        status=400 if errors else 200,
    )


@login_required
@permission_required("reports.edit_template", raise_exception=True)
@require_POST
@shows_its_own_refusal("text")
def template_preview(request):
    """Live preview of the edited text with the current period's figures."""
    text = request.POST.get("text", "")
    codes = selectors.known_codes()
    errors = rendering.validate_template(text, codes)
    html = ""
    if not errors:
        period = metrics_selectors.current_period()
        template = rendering.parse_template(text)
        snapshot = selectors.figure_snapshot(period=period, codes=selectors.placeholder_codes(text))
        document = documents.document_named(request.POST.get("document"))
        layout = document.layout if document is not None else "speech"
        html = rendering.render_html(template, snapshot, mode="draft", fragment=True, layout=layout)
    return render(request, "reports/_preview.html", {"errors": errors, "html": html})


@login_required
def preview_stylesheet(request):
    """speech.css and the browser font stacks, served from the portal itself so the preview
    needs no inline style under the Content-Security-Policy."""
    from .rendering.fonts import preview_font_css

    response = HttpResponse(
        rendering.stylesheet() + "\n" + preview_font_css(), content_type="text/css"
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@permission_required("reports.edit_template", raise_exception=True)
def template_version(request, number):
    template = _document_from(request)
    version = get_object_or_404(
        TemplateVersion.objects.select_related("created_by"), template=template, number=number
    )
    return render(
        request, "reports/template_version.html", {"template": template, "version": version}
    )
