"""Thin views: they read with selectors, write with services and render Chinese pages."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from lawgov.control_characters import safe_file_name

from . import access, evidence, forms, review_selectors, selectors, services, sheets, tabular
from .models import Department, Evidence, Figure, Indicator, ReportingPeriod
from .numbers import plain
from .progress import clerk_closed_reason, clerk_may_edit, not_entered


@login_required
def home(request):
    """Each user lands on their own page: the leader on the dashboard, a clerk on their
    department, a reviewer on the queue, anyone else on every department's progress."""
    role = access.home_of(request.user)
    if role == "dashboard":
        return redirect("dashboard:index")
    period = selectors.current_period()
    context = {
        "role": role,
        "period": period,
        "lock": selectors.period_lock(period),
        # Another period still open for entry (last year's, while next year's entry was
        # opened early): reachable from the home page, not only by typing its address.
        "also_open": selectors.open_periods().exclude(pk=period.pk) if period else [],
    }
    if period is not None:
        if role == "clerk":
            department = request.user.department
            sheet = sheets.department_sheet(department=department, period=period)
            context["sheet"] = sheet
            context["counts"] = sheet.counts
            context["left"] = [r for r in sheet.rows if r.editable]
            context["notices"] = selectors.notices_for(department=department)
            context["deadline"] = sheet.deadline
        elif role == "reviewer":
            context["queue"] = review_selectors.office_queue(
                period=period, office=access.scope_of(request.user)
            )
        else:
            context["departments"] = selectors.progress_by_department(period=period)
    return render(request, "metrics/home.html", context)


# ---------------------------------------------------------------------------------------
# Entry (clerk)


def _clerk_department(request) -> Department:
    """The unit the clerk enters figures for (metrics.access.entering_unit)."""
    department = access.entering_unit(request.user)
    access.require(department is not None, "只有部门填报员可以填报数据。")
    return department


def _messages_of(exc: ValidationError) -> tuple[dict, list]:
    """Field errors by indicator code, and the general ones."""
    if hasattr(exc, "error_dict"):
        by_code = {
            code: list(ValidationError(errs).messages) for code, errs in exc.error_dict.items()
        }
        general = by_code.pop(NON_FIELD_ERRORS, [])
        return by_code, general
    return {}, list(exc.messages)


def _decorate(sheet, *, typed=None, errors=None, saved=()):
    """Put what the form shows on each row: the typed text of a row whose save was refused,
    else the stored values; the errors next to each field. A refused row is marked unsaved,
    so that the page warns before leaving it."""
    typed, errors = typed or {}, errors or {}
    for row in sheet.rows:
        code = row.indicator.code
        entry = typed.get(code)
        figure = row.figure
        if entry is not None:
            row.form_value = entry.value
            row.form_remark = entry.remark
            row.form_explanation = (
                entry.explanation
                if entry.explanation is not None
                else (figure.explanation if figure else "")
            )
        else:
            row.form_value = plain(figure.value) if figure and figure.value is not None else ""
            row.form_remark = figure.remark if figure else ""
            row.form_explanation = figure.explanation if figure else ""
        row.field_errors = errors.get(code, [])
        row.unsaved = entry is not None and bool(row.field_errors)
        # 上报说明 answers a warning; an error (not a number, out of range) cannot be explained away.
        row.show_explanation = bool(row.warnings or row.form_explanation)
        row.just_saved = code in saved
    return sheet


def _refused_summary(result: services.DraftResult) -> str:
    return (
        f"已保存 {len(result.written)} 项；{len(result.errors)} 项未保存，请按提示修改标红的项目。"
    )


def _posted_entries(request, *, department, period) -> list:
    """The rows the entry form posted. A computed (or retired) indicator has no field: a POST
    naming one changes nothing, and the page says why (metrics.progress.not_entered, the rule
    the services apply)."""
    indicators = list(Indicator.objects.filter(access.reported_by(department)))
    entries = forms.entries_from_post(request.POST, [i.code for i in indicators])
    refusals = {i.code: not_entered(i, period) for i in indicators}
    for entry_ in entries:
        if refusals.get(entry_.code):
            messages.warning(request, f"未保存：{refusals[entry_.code][1]}")
    return [e for e in entries if not refusals.get(e.code)]


@login_required
def entry(request, period_code):
    period = get_object_or_404(ReportingPeriod, code=period_code)
    department = _clerk_department(request)
    typed, errors, general, written = {}, {}, [], ()
    if request.method == "POST":
        action = request.POST.get("action", "save")
        entries = _posted_entries(request, department=department, period=period)
        try:
            result = services.save_draft(
                department=department, period=period, entries=entries, user=request.user
            )
        except ValidationError as exc:  # the request as a whole: nothing was saved
            typed = {e.code: e for e in entries}
            errors, general = _messages_of(exc)
            general.insert(0, "未保存：请按提示修改标红的项目后再保存。")
        else:
            if result.errors:
                # The valid rows are saved; the refused ones come back as typed.
                typed = {e.code: e for e in entries if e.code in result.errors}
                errors, written = result.errors, result.written
                general = [_refused_summary(result)]
                if action in ("submit", "force"):
                    general.append("未报送：请先修改未保存的项目并保存，再报送。")
            elif action not in ("submit", "force"):
                messages.success(request, "草稿已保存。")
                return redirect("entry", period_code=period.code)
            else:
                try:
                    submitted = services.submit_figures(
                        department=department,
                        period=period,
                        user=request.user,
                        force=action == "force",
                    )
                except ValidationError as exc:
                    errors, general = _messages_of(exc)
                    general.insert(0, "草稿已保存，但未能报送：请按提示处理后再报送。")
                else:
                    messages.success(request, f"已报送 {len(submitted)} 项数据，请等待审核。")
                    return redirect("entry", period_code=period.code)
    sheet = sheets.department_sheet(department=department, period=period)
    _decorate(sheet, typed=typed, errors=errors, saved=written)
    return render(
        request,
        "metrics/entry.html",
        {
            "period": period,
            "department": department,
            "sheet": sheet,
            "counts": sheet.counts,
            "general_errors": general,
            "has_warnings": any(r.warnings for r in sheet.rows if r.editable),
            "upload_form": forms.SheetUploadForm(),
            "lock": selectors.period_lock(period),
            "deadline": sheet.deadline,
        },
    )


@login_required
@require_POST
def entry_row(request, period_code, indicator_code):
    """htmx: save one row and answer with the row re-rendered."""
    period = get_object_or_404(ReportingPeriod, code=period_code)
    indicator = get_object_or_404(
        Indicator.objects.select_related("department"), code=indicator_code
    )
    department = access.entering_unit(request.user) or indicator.department
    access.require(
        access.can_enter_indicator(request.user, indicator, department),
        f"您不能填报{department.name}的“{indicator.name}”数据。",
    )
    refusal = not_entered(indicator, period)
    if refusal is not None:  # no such row on the sheet: nothing to save or re-render
        return HttpResponse(refusal[1], status=400, content_type="text/plain; charset=utf-8")
    entries = forms.entries_from_post(request.POST, [indicator.code])
    typed, errors, saved = {e.code: e for e in entries}, {}, ()
    try:
        result = services.save_draft(
            department=department, period=period, entries=entries, user=request.user
        )
    except ValidationError as exc:
        errors, general = _messages_of(exc)
        if general:
            errors.setdefault(indicator.code, []).extend(general)
    else:
        errors = result.errors
        if not errors:
            typed, saved = {}, (indicator.code,)
    sheet = sheets.department_sheet(department=department, period=period)
    _decorate(sheet, typed=typed, errors=errors, saved=saved)
    response = render(
        request,
        "metrics/_entry_row.html",
        {"row": sheet.row(indicator.code), "period": period},
    )
    # The page's header counts (已填 / 待填) follow the saved row (entry.js reads the event).
    counts = sheet.counts
    response["HX-Trigger"] = json.dumps(
        {"entry-counts": {"filled": counts.filled, "empty": counts.empty}}
    )
    return response


@login_required
@require_GET
def entry_sheet(request, period_code):
    period = get_object_or_404(ReportingPeriod, code=period_code)
    department = _clerk_department(request)
    sheet = sheets.department_sheet(department=department, period=period)
    response = HttpResponse(
        tabular.department_workbook(sheet), content_type=tabular.XLSX_CONTENT_TYPE
    )
    filename = safe_file_name(f"{department.code}-{period.code}.xlsx")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def entry_upload(request, period_code):
    period = get_object_or_404(ReportingPeriod, code=period_code)
    department = _clerk_department(request)
    form = forms.SheetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的 Excel 文件。")
        return redirect("entry", period_code=period.code)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > tabular_limit():
            raise ValidationError(["文件过大：填报表不能超过 5 MB。"])
        rows = tabular.read_department_workbook(upload.read(), department=department, period=period)
        saved = services.import_figures(
            period=period,
            rows=rows,
            user=request.user,
            department=department,
            skip_empty=True,
            source=f"Excel 导入：{upload.name[:80]}",
        )
    except ValidationError as exc:
        messages.error(request, "导入失败，未导入任何数据：")
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已从 Excel 导入 {len(saved)} 项数据（草稿），请核对后报送。")
    return redirect("entry", period_code=period.code)


def tabular_limit() -> int:
    return 5 * 1024 * 1024


# ---------------------------------------------------------------------------------------
# One figure: evidence, comments, history


def _figure_context(request, period_code, indicator_code):
    """The period, the indicator and the unit whose figure the page is about: `?unit=` (a
    reviewer's link from a unit's sheet), else the clerk's own unit when it reports the
    indicator, else the indicator's own department."""
    period = get_object_or_404(ReportingPeriod, code=period_code)
    indicator = get_object_or_404(
        Indicator.objects.select_related("department", "section"), code=indicator_code
    )
    unit_code = request.GET.get("unit") or request.POST.get("unit")
    own = access.entering_unit(request.user)
    if unit_code:
        unit = get_object_or_404(Department.objects.select_related("area"), code=unit_code)
    elif own is not None and access.reports(own, indicator):
        unit = own
    else:
        unit = indicator.department
    access.require(
        access.can_view_department(request.user, unit) and access.reports(unit, indicator),
        f"您不能查看{unit.name}的数据。",
    )
    indicator.shown_unit = unit  # the figure page's unit (its links carry it)
    return period, indicator


def _figure_url(period, indicator) -> str:
    """The figure page of the unit shown (`?unit=` when it is not the indicator's own)."""
    url = reverse("figure_detail", args=[period.code, indicator.code])
    unit = indicator.shown_unit
    return url if unit.pk == indicator.department_id else f"{url}?unit={unit.code}"


@login_required
def figure_detail(request, period_code, indicator_code):
    period, indicator = _figure_context(request, period_code, indicator_code)
    return _figure_page(request, period, indicator)


def _figure_page(request, period, indicator, *, comment_form=None, status=200):
    unit = indicator.shown_unit
    figure = (
        Figure.objects.filter(period=period, indicator=indicator, unit=unit)
        .select_related("updated_by")
        .first()
    )
    previous = selectors.previous_values(period=period, department=unit).get(indicator.code)
    can_enter = access.can_enter_indicator(request.user, indicator, unit)
    can_review = access.can_review(request.user)
    state = figure.status if figure else None
    editable = can_enter and clerk_may_edit(status=state, period_locked=period.closed_for_entry)
    context = {
        "period": period,
        "indicator": indicator,
        "figure": figure,
        "previous": previous,
        "evidence": list(figure.evidence.select_related("uploaded_by")) if figure else [],
        "comments": list(figure.comments.select_related("author")) if figure else [],
        "history": selectors.figure_history(figure=figure) if figure else [],
        "can_upload": editable,
        "accepted_extensions": evidence.ACCEPTED_EXTENSIONS,
        "accepted_label": evidence.ACCEPTED_LABEL,
        "upload_closed": (
            clerk_closed_reason(status=state, period_locked=period.closed_for_entry)
            if can_enter
            else ""
        ),
        "lock": selectors.period_lock(period),
        "can_comment": figure is not None and (can_enter or can_review),
        "can_review": can_review,
        "evidence_form": forms.EvidenceForm(),
        "comment_form": comment_form or forms.CommentForm(),
        "back": (
            reverse("review_department", args=[period.code, unit.code])
            if can_review
            else reverse("entry", args=[period.code])
        ),
    }
    return render(request, "metrics/figure.html", context, status=status)


@login_required
@require_POST
def evidence_upload(request, period_code, indicator_code):
    period, indicator = _figure_context(request, period_code, indicator_code)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件。")
    else:
        try:
            item = services.add_evidence(
                indicator=indicator,
                period=period,
                upload=form.cleaned_data["file"],
                user=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, f"上传失败：{message}")
        else:
            messages.success(request, f"已上传佐证材料“{item.original_name}”。")
    return redirect("figure_detail", period_code=period.code, indicator_code=indicator.code)


def _evidence_item(request, evidence_id) -> Evidence:
    item = get_object_or_404(
        Evidence.objects.select_related(
            "figure__unit__area", "figure__indicator", "figure__period"
        ),
        pk=evidence_id,
    )
    access.require(
        access.can_view_department(request.user, item.figure.unit),
        "您无权查看该佐证材料。",
    )
    return item


@login_required
@require_GET
def evidence_download(request, evidence_id):
    item = _evidence_item(request, evidence_id)
    inline = item.content_type in ("application/pdf", "image/png", "image/jpeg")
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise PermissionDenied("文件不存在或已被删除。") from None
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def evidence_delete(request, evidence_id):
    """GET: what deleting will do (the file, the figure), with the form; POST: delete."""
    item = _evidence_item(request, evidence_id)
    figure = item.figure
    back = reverse("figure_detail", args=[figure.period.code, figure.indicator.code])
    if request.method != "POST":
        access.require(
            access.can_enter_figures(request.user, figure.unit),
            "您不能删除该佐证材料。",
        )
        closed = clerk_closed_reason(
            status=figure.status, period_locked=figure.period.closed_for_entry
        )
        if closed:
            messages.error(request, closed)
            return redirect(back + "#evidence")
        return render(
            request,
            "metrics/confirm.html",
            {
                "title": f"删除佐证材料“{item.original_name}”",
                "consequence": f"将删除{figure.indicator.name}（{figure.period.label}）的佐证材料"
                f"“{item.original_name}”（{filesizeformat(item.size)}），删除后不能恢复。",
                "action": reverse("evidence_delete", args=[item.pk]),
                "fields": {},
                "confirm_label": "确认删除",
                "back": back + "#evidence",
            },
        )
    try:
        services.delete_evidence(item=item, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已删除佐证材料“{item.original_name}”。")
    return redirect(
        "figure_detail", period_code=figure.period.code, indicator_code=figure.indicator.code
    )


@login_required
@require_POST
def figure_comment(request, period_code, indicator_code):
    period, indicator = _figure_context(request, period_code, indicator_code)
    figure = get_object_or_404(
        Figure, period=period, indicator=indicator, unit=indicator.shown_unit
    )
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(figure=figure, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            messages.success(request, "意见已发表。")
            return redirect(_figure_url(period, indicator) + "#comments")
    # Refused: the page again, with what was typed and why, next to the field.
    return _figure_page(request, period, indicator, comment_form=form, status=400)


@login_required
def entry_current(request):
    """/entry/ → the form of the period people are working on (a stable link for the nav)."""
    period = selectors.current_period()
    if period is None:
        messages.error(request, "尚未设立报告期，请联系管理员。")
        return redirect("home")
    return redirect("entry", period_code=period.code)
