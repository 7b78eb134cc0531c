"""报告期管理 and 系统设置: the office's calendar and its own settings. Thin views: they read
through the selectors, write only through metrics.services (which check the permission again)
and show a refused save again with what was typed and the Chinese reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import access, selectors, services
from .catalogue_forms import refuse
from .models import DeadlineExtension, ReportingPeriod
from .office import office_settings
from .period_forms import (
    DeadlineForm,
    ExtensionForm,
    OfficeSettingsForm,
    OpenPeriodForm,
    ReasonForm,
)


def _manager(request):
    access.require(access.can_manage_periods(request.user), "只有法制办可以管理报告期和截止日期。")


@login_required
@require_http_methods(["GET", "POST"])
def periods(request):
    """The periods, newest first, with their state and deadline; 开设报告期 below."""
    _manager(request)
    form = OpenPeriodForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = services.open_period(user=request.user, **data)
            except ValidationError as exc:
                refuse(form, exc)
            else:
                state = "已开放填报" if period.is_open_for_entry else "尚未开放填报"
                messages.success(request, f"已开设{period.label}（{state}）。")
                return redirect("period_detail", code=period.code)
        status = 400
    rows = ReportingPeriod.objects.annotate(n_extensions=Count("extensions")).order_by(
        "-start", "-end"
    )
    return render(
        request,
        "metrics/periods/index.html",
        {"periods": rows, "form": form, "current": selectors.current_period()},
        status=status,
    )


def _detail(request, period, *, deadline_form=None, extension_form=None, status=200):
    extensions = period.extensions.select_related("department").order_by("department__order")
    return render(
        request,
        "metrics/periods/detail.html",
        {
            "period": period,
            "extensions": extensions,
            "deadline_form": deadline_form or DeadlineForm(initial={"deadline": period.deadline}),
            "extension_form": extension_form or ExtensionForm(),
            "can_lock": access.can_lock_periods(request.user),
            "lock": selectors.period_lock(period),
        },
        status=status,
    )


@login_required
def period_detail(request, code):
    _manager(request)
    return _detail(request, get_object_or_404(ReportingPeriod, code=code))


@login_required
@require_POST
def period_deadline(request, code):
    _manager(request)
    period = get_object_or_404(ReportingPeriod, code=code)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        try:
            services.change_deadline(period=period, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, "已修改报送截止日期。")
            return redirect("period_detail", code=period.code)
    return _detail(request, period, deadline_form=form, status=400)


@login_required
@require_POST
def period_extend(request, code):
    _manager(request)
    period = get_object_or_404(ReportingPeriod, code=code)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            extension = services.extend_deadline(
                period=period, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(
                request,
                f"{extension.department.name}的截止日期已延长至{extension.deadline:%Y年%-m月%-d日}。",
            )
            return redirect("period_detail", code=period.code)
    return _detail(request, period, extension_form=form, status=400)


def _act(request, period, action, done: str):
    """A one-button step with an optional reason: done, or the refusal as a message."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
        return redirect("period_detail", code=period.code)
    reason = form.cleaned_data["reason"]
    try:
        action(reason)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("period_detail", code=period.code)


@login_required
@require_POST
def period_withdraw_extension(request, code, pk):
    _manager(request)
    period = get_object_or_404(ReportingPeriod, code=code)
    extension = get_object_or_404(DeadlineExtension, pk=pk, period=period)
    return _act(
        request,
        period,
        lambda reason: services.withdraw_extension(
            extension=extension, user=request.user, reason=reason
        ),
        f"已取消{extension.department.name}的延期。",
    )


# The one-button steps of a period: the service, and what is said when it is done.
STEPS = {
    "open_entry": (
        lambda period, user, reason: services.open_entry_for(
            period=period, user=user, reason=reason
        ),
        "{label}已开放填报，各部门填报员现在可以填写。",
    ),
    "lock": (
        lambda period, user, reason: services.lock_period(
            period=period, user=user, reason=reason or "审核员锁定"
        ),
        "{label}已锁定。",
    ),
    "reopen": (
        lambda period, user, reason: services.reopen_period(
            period=period, user=user, reason=reason
        ),
        "{label}已重新开放。",
    ),
}


@login_required
@require_POST
def period_step(request, code, step):
    _manager(request)
    period = get_object_or_404(ReportingPeriod, code=code)
    service, done = STEPS[step]
    return _act(
        request,
        period,
        lambda reason: service(period, request.user, reason),
        done.format(label=period.label),
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_settings_page(request):
    access.require(
        access.can_manage_office_settings(request.user),
        "只有账号管理员（法制办）可以修改系统设置。",
    )
    current = office_settings()
    initial = {
        "district_name": current.district_name,
        "reminder_days_before": current.reminder_days_before,
        "auto_lock": current.auto_lock,
        "auto_lock_grace_days": current.auto_lock_grace_days,
        "version": current.version,
    }
    form = OfficeSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.update_office_settings(user=request.user, **data)
            except ValidationError as exc:
                refuse(form, exc)
            else:
                messages.success(request, "系统设置已保存，下次生成的文稿即按新设置。")
                return redirect("office_settings")
        status = 400
    return render(
        request,
        "metrics/periods/settings.html",
        {"form": form, "current": current},
        status=status,
    )
