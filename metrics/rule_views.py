"""指标管理: the validation rules (校验规则), a rule's edit page and its deactivation. Thin
views, writing only through metrics.services.catalogue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import services
from .catalogue_forms import RuleForm, refuse
from .catalogue_pages import confirmed, require_manager
from .models import (
    ValidationRule,
)

# ---------------------------------------------------------------------------------------
# Validation rules (校验规则)


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    require_manager(request)
    form = RuleForm()
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                rule = services.create_rule(
                    user=request.user, reason=form.cleaned_data["reason"], **form.service_fields()
                )
            except ValidationError as exc:
                refuse(form, exc)
            else:
                messages.success(request, f"已新增校验规则“{rule.name}”。")
                return redirect("catalogue_rules")
    rows = ValidationRule.objects.select_related("left", "right").order_by("-active", "id")
    return render(
        request,
        "metrics/catalogue/rules.html",
        {"rules": list(rows), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    require_manager(request)
    rule = get_object_or_404(ValidationRule.objects.select_related("left", "right"), pk=pk)
    initial = RuleForm.initial_for(rule)
    if request.method == "GET":
        form = RuleForm(initial=initial, rule=rule)
    else:
        form = RuleForm(request.POST, initial=initial, rule=rule)
        if form.is_valid():
            try:
                rule = services.update_rule(
                    rule=rule,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                    **form.service_fields(),
                )
            except ValidationError as exc:
                refuse(form, exc)
            else:
                messages.success(request, f"已保存校验规则“{rule.name}”。")
                return redirect("catalogue_rules")
    return render(
        request,
        "metrics/catalogue/rule_form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_deactivate(request, pk):
    require_manager(request)
    rule = get_object_or_404(ValidationRule, pk=pk)
    restoring = not rule.active
    verb = "启用" if restoring else "停用"
    page = {
        "title": f"{verb}校验规则“{rule.name}”",
        "consequence": (
            "启用后填报和审核时重新按该规则校验。"
            if restoring
            else "停用后填报和审核时不再按该规则校验；规则和修改历史保留，可再启用。"
        ),
        "action": reverse("catalogue_rule_deactivate", args=[rule.pk]),
        "back": reverse("catalogue_rules"),
        "reason_required": False,
    }
    act = services.activate_rule if restoring else services.deactivate_rule
    return confirmed(
        request,
        page,
        lambda reason: act(rule=rule, user=request.user, reason=reason),
        done=f"已{verb}校验规则“{rule.name}”。",
        to="catalogue_rules",
    )
