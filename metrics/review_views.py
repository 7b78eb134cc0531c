"""The legal affairs office's pages (法制办): the review queue, a department's figures to
approve or return, the period's lock, the period workbook. Thin views: they read with
selectors, write with services (which check the reviewer's permission again) and render
Chinese pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import access, review_selectors, selectors, services, sheets, tabular
from .models import Area, Department, Figure, ReportingPeriod
from .numbers import with_unit
from .progress import Progress, reviewer_may_approve
from .services._common import conflict_message


def _reviewer(request):
    access.require(access.can_review(request.user), "只有法制办审核员可以审核数据。")


def _period_and_department(request, period_code, department_code):
    """The reviewer's period and department of a URL (403 for anyone else, 404 if missing)."""
    _reviewer(request)
    period = get_object_or_404(ReportingPeriod, code=period_code)
    department = get_object_or_404(Department.objects.select_related("area"), code=department_code)
    access.require(
        access.can_view_department(request.user, department),
        f"{department.name}不在您审核的范围内。",
    )
    return period, department


@login_required
def review_queue(request, period_code):
    _reviewer(request)
    period = get_object_or_404(ReportingPeriod, code=period_code)
    office = access.scope_of(request.user)
    below = review_selectors.offices_below(office)
    return render(
        request,
        "metrics/review_queue.html",
        {
            "period": period,
            "office": office,
            "queue": review_selectors.office_queue(period=period, office=office, below=below),
            "areas": review_selectors.area_rows(period=period, office=office, below=below),
            "periods": ReportingPeriod.objects.order_by("-end"),
            "can_lock": access.can_lock_periods(request.user),
            "lock": selectors.period_lock(period),
        },
    )


@login_required
def review_department(request, period_code, department_code):
    period, department = _period_and_department(request, period_code, department_code)
    sheet = sheets.department_sheet(
        department=department, period=period, with_comments=True, viewer=request.user
    )
    return render(
        request,
        "metrics/review_department.html",
        {
            "period": period,
            "department": department,
            "sheet": sheet,
            "counts": sheet.counts,
            "rule_findings": sheet.findings,
            "lock": selectors.period_lock(period),
        },
    )


@login_required
@require_POST
def review_action(request, period_code, department_code):
    period, department = _period_and_department(request, period_code, department_code)
    action = request.POST.get("action", "")
    back = reverse("review_department", args=[period.code, department.code])
    if action == "approve_all" and request.POST.get("confirmed") != "yes":
        # Approving a whole department is done from its confirmation page only.
        return redirect("review_approve_confirm", period.code, department.code)
    try:
        if action == "approve_all":
            approved = services.approve_department(
                department=department,
                period=period,
                user=request.user,
                shown=_shown_versions(request.POST.getlist("shown")),
            )
            messages.success(request, f"已审核通过{department.name}的 {len(approved)} 项数据。")
            return redirect(back)
        figure = get_object_or_404(
            Figure.objects.select_related("indicator"),
            pk=_number(request.POST.get("figure")) or 0,
            period=period,
            unit=department,
        )
        back += f"#row-{figure.indicator.code}"
        reason = request.POST.get("reason", "")
        # The version the page showed: a figure changed since is refused, not acted on.
        seen = {"expected_version": _number(request.POST.get("version"))}
        if action == "approve":
            services.approve_figure(figure=figure, user=request.user, **seen)
            messages.success(request, f"已审核通过：{figure.indicator.name}。")
        elif action == "return":
            services.return_figure(figure=figure, user=request.user, reason=reason, **seen)
            messages.success(
                request, f"已退回：{figure.indicator.name}。填报员将在该项看到退回原因。"
            )
        elif action == "reopen":
            services.reopen_figure(figure=figure, user=request.user, reason=reason, **seen)
            messages.success(request, f"已重新开放：{figure.indicator.name}。")
        else:
            messages.error(request, "未知的操作。")
    except services.FigureConflict as conflict:
        messages.error(request, f"未操作：{conflict_message(conflict.figure)}")
    except PermissionDenied as exc:  # another office's unit: said on the page, nothing done
        messages.error(request, f"未操作：{exc}")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(back)


def _number(raw) -> int | None:
    """A form's id or version: ASCII digits, else None (never a 500 on a tampered form)."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _shown_versions(pairs: list[str]) -> dict[int, int] | None:
    """ "id:version" pairs the 全部审核通过 form carries; None when it carries none."""
    shown = {}
    for pair in pairs:
        figure_id, _, version = pair.partition(":")
        if _number(figure_id) is None or _number(version) is None:
            raise ValidationError("页面数据不完整，请刷新后再审核。")
        shown[_number(figure_id)] = _number(version)
    return shown or None


@login_required
@require_POST
def review_area(request, period_code, area_code):
    """The city's 整体审核确认 of a district for a period, or its withdrawal with a reason."""
    _reviewer(request)
    period = get_object_or_404(ReportingPeriod, code=period_code)
    area = get_object_or_404(Area, code=area_code)
    action = request.POST.get("action", "")
    try:
        if action == "approve":
            services.approve_area(area=area, period=period, user=request.user)
            messages.success(
                request,
                f"已整体审核确认{area.name}{period.label}的数据；撤回前该区数据不能再修改或退回。",
            )
        elif action == "withdraw":
            services.withdraw_area_approval(
                area=area, period=period, user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, f"已撤回对{area.name}{period.label}的审核确认。")
        else:
            messages.error(request, "未知的操作。")
    except PermissionDenied as exc:
        messages.error(request, f"未操作：{exc}")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(reverse("review_queue", args=[period.code]) + "#areas")


@login_required
@require_POST
def review_remind(request, period_code, department_code):
    period, department = _period_and_department(request, period_code, department_code)
    try:
        services.send_reminder(
            department=department,
            period=period,
            user=request.user,
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已向{department.name}发送催报通知。")
    return redirect("review_queue", period_code=period.code)


@login_required
@require_POST
def review_period(request, period_code):
    _reviewer(request)
    period = get_object_or_404(ReportingPeriod, code=period_code)
    action = request.POST.get("action")
    if action == "lock" and request.POST.get("confirmed") != "yes":
        return redirect("review_lock_confirm", period.code)
    try:
        if action == "lock":
            services.lock_period(period=period, user=request.user)
            messages.success(request, f"{period.label}已锁定，各部门不能再修改数据。")
        else:
            services.reopen_period(
                period=period, user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, f"{period.label}已重新开放填报。")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("review_queue", period_code=period.code)


@login_required
@require_GET
def review_lock_confirm(request, period_code):
    """锁定报告期, step one: what locking will do, and the form that does it."""
    _reviewer(request)
    access.require(access.can_lock_periods(request.user), "您不能锁定报告期。")
    period = get_object_or_404(ReportingPeriod, code=period_code)
    back = reverse("review_queue", args=[period.code])
    if period.is_locked:
        messages.info(request, selectors.period_lock(period).office_notice + "。")
        return redirect(back)
    departments = selectors.progress_by_department(period=period)
    total = sum((d.progress for d in departments), Progress())
    behind = [d for d in departments if not d.progress.complete]
    facts = [
        f"共 {total.expected} 项数据：已审核 {total.approved} 项，待审核 {total.submitted} 项。"
    ]
    if total.outstanding:
        facts.append(
            f"仍有 {total.outstanding} 项未报齐（{len(behind)} 个部门："
            f"{'、'.join(d.name for d in behind)}），锁定后不能再报送。"
        )
    if total.submitted:
        facts.append(f"待审核的 {total.submitted} 项锁定后不能再审核通过或退回。")
    return render(
        request,
        "metrics/confirm.html",
        {
            "title": f"锁定{period.label}报告期",
            "consequence": f"锁定后，各部门不能再修改、报送{period.label}的数据，也不能上传佐证材料；"
            "法制办审核员可以填写原因后重新开放。",
            "facts": facts,
            "action": reverse("review_period", args=[period.code]),
            "fields": {"action": "lock"},
            "confirm_label": f"确认锁定{period.label}",
            "back": back,
        },
    )


@login_required
@require_GET
def review_approve_confirm(request, period_code, department_code):
    """全部审核通过, step one: the department's figures that will be approved."""
    period, department = _period_and_department(request, period_code, department_code)
    back = reverse("review_department", args=[period.code, department.code])
    if period.is_locked:
        lock = selectors.period_lock(period)
        notice = lock.office_notice if access.can_lock_periods(request.user) else lock.notice
        messages.error(request, notice + "。")
        return redirect(back)
    sheet = sheets.department_sheet(department=department, period=period, viewer=request.user)
    waiting = [
        row
        for row in sheet.rows
        if reviewer_may_approve(status=row.status or None, period_locked=period.is_locked)
    ]
    if not waiting:
        messages.info(request, f"{department.name}没有待审核的数据。")
        return redirect(back)
    return render(
        request,
        "metrics/confirm.html",
        {
            "title": f"全部审核通过：{department.name}",
            "consequence": f"将审核通过{department.name}{period.label}的 {len(waiting)} 项待审核数据，"
            "通过后即可用于讲话稿；如需更正，可逐项重新开放。",
            "items": [
                f"{row.indicator.name}：{with_unit(row.value, row.indicator.unit)}"
                for row in waiting
            ],
            "action": reverse("review_action", args=[period.code, department.code]),
            "fields": {"action": "approve_all"},
            # What this page lists, as shown: a figure changed meanwhile refuses the approval.
            "shown": [f"{row.figure.pk}:{row.version}" for row in waiting],
            "confirm_label": f"确认审核通过 {len(waiting)} 项",
            "back": back,
        },
    )


@login_required
@require_GET
def review_export(request, period_code):
    _reviewer(request)
    period = get_object_or_404(ReportingPeriod, code=period_code)
    data = tabular.period_workbook(period, selectors.period_export_rows(period=period))
    response = HttpResponse(data, content_type=tabular.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="lawgov-{period.code}.xlsx"'
    return response


@login_required
def review_current(request):
    """/review/ → the review queue of the period people are working on."""
    _reviewer(request)
    period = selectors.current_period()
    if period is None:
        messages.error(request, "尚未设立报告期，请联系管理员。")
        return redirect("home")
    return redirect("review_queue", period_code=period.code)
