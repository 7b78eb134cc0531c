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
from metrics.models import Area, Department, Indicator, ReportingPeriod

from . import access as report_access
from . import dashboard as selectors
from . import documents as report_documents
from .dashboard import excel

EXPORT_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_dashboard_access(user) -> None:
    if not report_access.can_view_dashboard(user):
        raise PermissionDenied("您没有查看驾驶舱的权限。")


def _period(request) -> ReportingPeriod:
    try:
        period = selectors.resolve_period(code=request.GET.get("period", "").strip())
    except (ReportingPeriod.DoesNotExist, ValueError) as exc:
        raise Http404("没有这个报告期。") from exc
    if period is None:
        raise Http404("尚未设立报告期。")
    return period


def _area(request) -> Area | None:
    """The area asked for (?area=<code>), which must lie in the user's subtree; None: the
    user's own scope (metrics.access.scope_of)."""
    code = request.GET.get("area", "").strip()
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None or not metrics_access.in_scope(request.user, area):
        raise Http404("没有这个区域，或您无权查看。")
    return area


def _area_query(area: Area | None) -> str:
    """What the page's own links add to keep the area asked for."""
    return f"&area={area.code}" if area is not None else ""


def _can_remind(user) -> bool:
    """The reviewers (法制办) and the leader may remind the departments that hold things up."""
    return metrics_access.can_remind(user)


@login_required
@require_GET
def index(request):
    _require_dashboard_access(request.user)
    period = _period(request)
    area = _area(request)
    board = selectors.dashboard(
        user=request.user, period=period, area=area, rank=request.GET.get("rank", "").strip()
    )
    departments = selectors.departments_of(user=request.user, area=board.area)
    can_remind = _can_remind(request.user)
    context = {
        "board": board,
        "area_query": _area_query(area),
        "period": period,
        "periods": selectors.period_choices(),
        "indicators": selectors.indicator_choices(departments=departments),
        "default_indicator": next(iter(h.code for h in board.headlines), ""),
        "show_reports": report_access.can_see_reports(request.user),
        "jobs": selectors.report_jobs(period=period)
        if report_access.can_see_reports(request.user)
        else [],
        "deadlines": report_documents.deadlines(period=period, today=timezone.localdate())
        if report_access.can_see_reports(request.user)
        else [],
        "can_remind": can_remind,
        "remind_targets": len(_remind_targets(board)) if can_remind else 0,
        "lock": metrics_selectors.period_lock(period),
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
            area=_area(request),
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
        dept = (
            metrics_selectors.departments_visible_to(user=request.user)
            .select_related("area")
            .get(code=code)
        )
    except Department.DoesNotExist as exc:
        raise Http404("没有这个部门，或您无权查看。") from exc
    if not metrics_access.can_view_department(request.user, dept):
        raise Http404("没有这个部门，或您无权查看。")  # a unit outside the user's subtree
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
            "lock": metrics_selectors.period_lock(period),
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
    computed = selectors.computed_figures(indicator=item) if item.is_computed else None
    return render(
        request,
        "dashboard/indicator.html",
        {
            "indicator": item,
            "figures": [] if item.is_computed else selectors.indicator_figures(indicator=item),
            "computed": computed,
            "formula_words": computed[0].formula_words if computed else "",
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
    board = selectors.dashboard(
        user=request.user,
        period=period,
        area=_area(request),
        rank=request.GET.get("rank", "").strip(),
    )
    workbook = excel.workbook(board)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=EXPORT_CONTENT_TYPE)
    place = f"-{board.area.code}" if board.children is not None else ""
    filename = f"dashboard{place}-{period.code}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def remind(request):
    """催报: remind the departments that hold up the final report (metrics' reminder service)."""
    if not _can_remind(request.user):
        raise PermissionDenied("您没有催报的权限。")
    period = _period(request)
    area = _area(request)
    target = f"{reverse('dashboard:index')}?period={period.code}{_area_query(area)}"
    board = selectors.dashboard(user=request.user, period=period, area=area)
    sent, refused = [], []
    for dept in Department.objects.filter(code__in=_remind_targets(board)):
        try:
            metrics_services.send_reminder(
                department=dept,
                period=period,
                user=request.user,
                base_url=request.build_absolute_uri("/"),
            )
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
