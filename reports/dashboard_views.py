"""The leader's dashboard (驾驶舱): thin views over `reports.dashboard`."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from metrics import access as metrics_access
from metrics import selectors as metrics_selectors
from metrics import services as metrics_services
from metrics.models import Department, Indicator, ReportingPeriod

from . import dashboard as selectors

EXPORT_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_dashboard_access(user) -> None:
    if not (user.has_perm("metrics.view_all_figures") or user.department_id):
        raise PermissionDenied("您没有查看驾驶舱的权限。")


def _period(request) -> ReportingPeriod:
    try:
        period = selectors.resolve_period(code=request.GET.get("period", "").strip())
    except (ReportingPeriod.DoesNotExist, ValueError) as exc:
        raise Http404("没有这个报告期。") from exc
    if period is None:
        raise Http404("尚未设立报告期。")
    return period


def _can_remind(user) -> bool:
    """The reviewers (法制办) and the leader may remind the departments that hold things up."""
    return metrics_access.can_remind(user)


def _can_see_reports(user) -> bool:
    return user.has_perm("metrics.view_all_figures") or user.has_perm("reports.view_report")


@login_required
@require_GET
def index(request):
    _require_dashboard_access(request.user)
    period = _period(request)
    board = selectors.dashboard(user=request.user, period=period)
    departments = metrics_selectors.departments_visible_to(user=request.user)
    can_remind = _can_remind(request.user)
    show_remind = request.user.has_perm("metrics.view_all_figures")
    context = {
        "board": board,
        "period": period,
        "periods": selectors.period_choices(),
        "indicators": selectors.indicator_choices(departments=departments),
        "default_indicator": next(iter(h.code for h in board.headlines), ""),
        "show_reports": _can_see_reports(request.user),
        "jobs": selectors.report_jobs(period=period) if _can_see_reports(request.user) else [],
        "can_remind": can_remind,
        "remind_targets": len(_remind_targets(board)) if show_remind else 0,
    }
    return render(request, "dashboard/index.html", context)


@login_required
@require_GET
def data(request):
    _require_dashboard_access(request.user)
    period = _period(request)
    try:
        payload = selectors.chart_data(
            user=request.user,
            period=period,
            indicator_code=request.GET.get("indicator", "").strip() or None,
        )
    except Indicator.DoesNotExist as exc:
        raise Http404("没有这个指标。") from exc
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def department(request, code):
    _require_dashboard_access(request.user)
    period = _period(request)
    try:
        dept = metrics_selectors.departments_visible_to(user=request.user).get(code=code)
    except Department.DoesNotExist as exc:
        raise Http404("没有这个部门，或您无权查看。") from exc
    rows = selectors.department_figures(department=dept, period=period)
    summary = selectors.department_rows(
        period=period, departments=Department.objects.filter(pk=dept.pk)
    )[0]
    return render(
        request,
        "dashboard/department.html",
        {
            "department": dept,
            "period": period,
            "periods": selectors.period_choices(),
            "rows": rows,
            "summary": summary,
        },
    )


@login_required
@require_GET
def indicator(request, code):
    _require_dashboard_access(request.user)
    departments = metrics_selectors.departments_visible_to(user=request.user)
    try:
        item = selectors.visible_indicator(code=code, departments=departments)
    except Indicator.DoesNotExist as exc:
        raise Http404("没有这个指标，或您无权查看。") from exc
    return render(
        request,
        "dashboard/indicator.html",
        {
            "indicator": item,
            "figures": selectors.indicator_figures(indicator=item),
            "history": selectors.indicator_history(indicator=item),
            "history_limit": selectors.HISTORY_LIMIT,
            "back_period": request.GET.get("period", ""),
        },
    )


@login_required
@require_GET
def export(request):
    """The dashboard's tables as an Excel workbook."""
    _require_dashboard_access(request.user)
    period = _period(request)
    board = selectors.dashboard(user=request.user, period=period)
    workbook = _workbook(board)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=EXPORT_CONTENT_TYPE)
    filename = f"dashboard-{period.code}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def remind(request):
    """催报: remind the departments that hold up the final report (metrics' reminder service)."""
    if not _can_remind(request.user):
        raise PermissionDenied("您没有催报的权限。")
    period = _period(request)
    target = f"{reverse('dashboard:index')}?period={period.code}"
    board = selectors.dashboard(user=request.user, period=period)
    sent, refused = [], []
    for dept in Department.objects.filter(code__in=_remind_targets(board)):
        try:
            metrics_services.send_reminder(department=dept, period=period, user=request.user)
        except ValidationError as exc:
            refused.extend(exc.messages)
        else:
            sent.append(dept.name)
    if sent:
        messages.success(request, f"已向{len(sent)}个部门发送催报提醒：{'、'.join(sent)}。")
    for message in refused:
        messages.warning(request, message)
    if not sent and not refused:
        messages.info(request, "没有需要催报的部门。")
    return redirect(target)


def _remind_targets(board) -> list[str]:
    """Departments that have not sent on all their figures (awaiting review is not theirs)."""
    return [r.code for r in board.readiness.blockers if not r.complete]


def _workbook(board):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="B3131B")

    def sheet(title, headers, rows, widths):
        ws = workbook.create_sheet(title)
        ws.append(headers)
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            ws.append(list(row))
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
        ws.freeze_panes = "A2"
        return ws

    def local(moment):
        return timezone.localtime(moment).replace(tzinfo=None) if moment else None

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet(
        "部门填报进度",
        ["部门", "应填", "已填", "已报送", "已审核", "已退回", "未填", "时效", "最近更新"],
        [
            (
                r.name,
                r.expected,
                r.filled,
                r.submitted,
                r.approved,
                r.returned,
                r.missing,
                r.timeliness,
                local(r.last_activity),
            )
            for r in board.rows
        ],
        [22, 8, 8, 8, 8, 8, 8, 12, 20],
    )
    for cell in workbook["部门填报进度"]["I"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    sheet(
        "讲话稿就绪度",
        ["讲话部分", "已审核", "占位数", "就绪率(%)"],
        [(s.name, s.ready, s.total, s.percent) for s in board.sections]
        + [("合计", board.readiness.approved, board.readiness.total, board.readiness.percent)],
        [24, 10, 10, 12],
    )
    sheet(
        "核心数据同比",
        ["指标", "单位", "本期", "状态", "上期", "同比(%)", "说明"],
        [
            (h.name, h.unit, h.value, h.status_label, h.previous, h.change, h.change_text)
            for h in board.headlines
        ],
        [30, 8, 14, 10, 14, 10, 18],
    )
    sheet(
        "异常提示",
        ["类型", "部门", "指标/规则", "说明"],
        [
            ("同比变动超过50%", c.department, c.name, f"{c.change_text}（上期{c.previous}）")
            for c in board.big_changes
        ]
        + [("多次退回", r.department, r.name, f"退回{r.times}次") for r in board.repeated_returns]
        + [
            (
                f"校验{f.severity_label}",
                "",
                f.name,
                f.message + (f" 说明：{f.explanation}" if f.explanation else ""),
            )
            for f in board.rule_failures
        ],
        [16, 20, 34, 60],
    )
    sheet(
        "阻碍正式稿",
        ["部门", "未审核合计", "未填", "待审核", "草稿/退回"],
        [
            (r.name, r.unapproved, r.missing, r.submitted, r.in_progress)
            for r in board.readiness.blockers
        ],
        [22, 12, 8, 8, 10],
    )
    return workbook
