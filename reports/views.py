from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lawgov.control_characters import safe_file_name, shows_its_own_refusal
from metrics import indicator_names
from metrics import selectors as metrics_selectors
from metrics.models import ReportingPeriod

from . import access as report_access
from . import documents, job_events, rendering, selectors, services
from .deadlines import deadlines_as_lines, deadlines_from_lines
from .models import JobStatus, ReportJob, ReportKind, TemplateVersion


def _period_from(request):
    code = request.GET.get("period") or request.POST.get("period")
    if code:
        return get_object_or_404(ReportingPeriod, code=code)
    period = metrics_selectors.current_period()
    if period is None:
        raise Http404("尚未设立报告期")
    return period


def _area_from(request, period):
    """The area whose documents the page shows: `?area=<code>` among those the user may read
    (documents.report_areas), by default their own; another code is not found (404)."""
    areas = documents.report_areas(user=request.user, period=period)
    code = request.GET.get("area") or request.POST.get("area")
    if not code:
        return (areas[0] if areas else None), areas
    area = next((a for a in areas if a.code == code), None)
    if area is None:
        raise Http404("没有这个区域")
    return area, areas


def _document_from(request):
    document = documents.document_named(request.GET.get("document") or request.POST.get("document"))
    if document is None:
        raise Http404("没有这个文稿")
    return document


@login_required
@report_access.allowed_by(report_access.can_view_reports)
def report_panel(request):
    period = _period_from(request)
    document = _document_from(request)
    area, areas = _area_from(request, period)
    context = {
        "period": period,
        "document": document,
        "area": area,
        "areas": areas if len(areas) > 1 else [],
        "area_name": documents.area_label(area),
        "documents": documents.documents(),
        "periods": ReportingPeriod.objects.all(),
        "can_request": report_access.can_request_reports(request.user),
        "refused": None,
        "lock": metrics_selectors.period_lock(period),
    }
    if request.method == "POST":
        if not context["can_request"]:
            raise Http404
        kind = request.POST.get("kind", ReportKind.DRAFT)
        try:
            job = services.request_report(
                period=period, kind=kind, user=request.user, template=document, area=area
            )
        except services.ReportNotReady as refused:
            context["refused"] = refused
        except services.QueueUnavailable:
            messages.error(
                request, f"任务队列暂时不可用，{document.name}未能开始生成，请稍后再试。"
            )
            return redirect(
                f"{request.path}?period={period.code}&document={document.slug}{_area_query(area)}"
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            name = "讲话稿" if document.slug == "speech" else document.name
            messages.success(
                request,
                f"已申请生成{period.label}{context['area_name']}{name}（{job.get_kind_display()}）。",
            )
            return redirect("reports:job", pk=job.pk)
    context["jobs"] = documents.jobs_for(period=period, document=document, area=area)
    context["archive"] = documents.archive(period=period, area=area)
    context["area_query"] = _area_query(area)
    context["can_edit_deadlines"] = report_access.can_edit_templates(request.user)
    context["deadline_lines"] = deadlines_as_lines(document.deadlines)
    context["due_dates"] = document.due_dates(period)
    return render(request, "reports/panel.html", context, status=409 if context["refused"] else 200)


def _area_query(area) -> str:
    """The page's link back to an area other than the installation's own."""
    return f"&area={area.code}" if documents.area_label(area) else ""


@login_required
@report_access.allowed_by(report_access.can_edit_templates)
@require_POST
def document_deadlines(request):
    """The report page's 时间节点 form: one deadline a line (“报送 3月1日”)."""
    document = _document_from(request)
    period = request.POST.get("period", "")
    back = f"{reverse('reports:panel')}?document={document.slug}"
    if ReportingPeriod.objects.filter(code=period[:8]).exists():
        back += f"&period={period[:8]}"
    try:
        services.update_document_deadlines(
            template=document,
            deadlines=deadlines_from_lines(request.POST.get("deadlines", "")),
            user=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ValueError as exc:
        messages.error(request, f"时间节点未保存：{exc}")
    except ValidationError as exc:
        messages.error(request, f"时间节点未保存：{'；'.join(exc.messages)}")
    else:
        messages.success(request, f"{document.name}的时间节点已保存。")
    return redirect(back)


def _job_for(request, pk):
    """The job, when it is of an area the user sees; else not found (404), as if it did not
    exist."""
    jobs = ReportJob.objects.select_related(
        "period", "template_version__template", "requested_by", "source", "area"
    )
    return get_object_or_404(documents.jobs_in_scope(jobs, user=request.user), pk=pk)


@login_required
@report_access.allowed_by(report_access.can_view_reports)
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
        and report_access.can_review_public_version(request.user)
    )
    return render(
        request,
        "reports/job.html",
        {
            "job": job,
            "document": job.document,
            "area_name": documents.area_label(job.area),
            "area_query": _area_query(job.area),
            "previous": previous,
            "changes": changes,
            "can_review": can_review,
            "public_versions": job.public_versions.order_by("-requested_at"),
        },
    )


@login_required
@report_access.allowed_by(report_access.can_review_public_version)
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
@report_access.allowed_by(report_access.can_request_reports)
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
@report_access.allowed_by(report_access.can_view_reports)
def job_status(request, pk):
    """The progress fragment of the job page. Asked with the status the page shows
    (`?seen=queued`), it answers once the job has another one — as soon as the worker has
    announced it (reports/job_events.py) — or after job_events.LONG_POLL_SECONDS with the
    same one; the fragment then asks again, until the job is finished."""
    job = _job_for(request, pk)
    seen = request.GET.get("seen")
    if not job.is_finished and seen == job.status:
        job_events.wait_for_change(
            job_id=job.pk,
            seen_status=seen,
            read_status=lambda: selectors.job_status(job_id=job.pk),
        )
        job = _job_for(request, pk)
    response = render(request, "reports/_job_status.html", {"job": job})
    if job.is_finished:
        response["HX-Trigger"] = "job-finished"
    return response


@login_required
@report_access.allowed_by(report_access.can_view_reports)
def download(request, pk, fmt):
    job = _job_for(request, pk)
    file_field = {"pdf": job.pdf, "docx": job.docx, "ofd": job.ofd}.get(fmt)
    if not file_field:
        raise Http404("该文件不存在")
    filename = safe_file_name(documents.file_name(job, fmt))
    return FileResponse(file_field.open("rb"), as_attachment=True, filename=filename)


def _version_number(raw) -> int | None:
    """The template version the page was loaded at, or None (an old page without it)."""
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


@login_required
@report_access.allowed_by(report_access.can_edit_templates)
@shows_its_own_refusal("text")
def template_edit(request):
    template = _document_from(request)
    current = template.current_version
    text, errors, carried = current.text, [], None
    if request.method == "GET" and request.GET.get("carry_over"):
        carried = selectors.carried_over(template=template, period=_period_from(request))
        text = carried.text
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            version = services.save_template_version(
                template=template,
                text=text,
                user=request.user,
                comment=request.POST.get("comment", ""),
                based_on=_version_number(request.POST.get("based_on", "")),
            )
        except ValidationError as exc:
            errors = exc.messages
            current = template.current_version  # (a stale edit: the next save is over this)
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
            "carried": carried,
            "picker": indicator_names.picker_entries(),
        },
        status=400 if errors else 200,
    )


@login_required
@report_access.allowed_by(report_access.can_edit_templates)
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
        # The installation's own area's figures, and its children's for a comparison table.
        snapshot = selectors.figure_snapshot(
            period=period, codes=template.codes(), table_codes=template.table_codes()
        )
        document = documents.document_named(request.POST.get("document"))
        layout = document.layout if document is not None else "speech"
        html = rendering.render_html(template, snapshot, mode="draft", fragment=True, layout=layout)
    return render(request, "reports/_preview.html", {"errors": errors, "html": html})


@login_required
@report_access.allowed_by(report_access.can_edit_templates)
def template_help(request):
    """模板写法: how a template is written, in Chinese, linked from the editor."""
    return render(request, "reports/template_help.html")


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
@report_access.allowed_by(report_access.can_edit_templates)
def template_version(request, number):
    template = _document_from(request)
    version = get_object_or_404(
        TemplateVersion.objects.select_related("created_by"), template=template, number=number
    )
    return render(
        request, "reports/template_version.html", {"template": template, "version": version}
    )
