"""指标管理: the 法制办's pages for the catalogue, the speech's sections, the departments and
the history of their changes. Thin views: they read here, write only through
metrics.services.catalogue (which checks the permission again) and show a refused save again
with what was typed and the Chinese reason."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods

from lawgov.versions import version_of

from . import access, formulas, indicator_names, references, selectors, services
from .catalogue_forms import DepartmentForm, IndicatorForm, RuleForm, SectionForm, refuse
from .models import (
    Department,
    Indicator,
    Section,
    ValidationRule,
)


def _manager(request):
    access.require(
        access.can_manage_catalogue(request.user),
        "只有法制办（指标目录管理员）可以管理指标目录。",
    )


def _first_message(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# ---------------------------------------------------------------------------------------
# The catalogue


@dataclass
class Warning:
    indicator: Indicator
    referrers: list[str]


def retired_warnings(indicators) -> list[Warning]:
    """Each retired indicator that an active rule, a computed indicator's formula or a report
    template (metrics.references) still refers to, with what refers to it."""
    retired = [i for i in indicators if i.retired_on is not None]
    if not retired:
        return []
    by_pk = {i.pk: i for i in retired}
    found: dict[int, list[str]] = {i.pk: [] for i in retired}
    rules = ValidationRule.objects.filter(
        Q(left_id__in=by_pk) | Q(right_id__in=by_pk), active=True
    ).order_by("id")
    for rule in rules:
        for pk in {rule.left_id, rule.right_id} & set(by_pk):
            found[pk].append(f"校验规则“{rule.name}”")
    codes = {i.code: i.pk for i in retired}
    for other in indicators:
        if not other.formula or other.retired_on is not None:
            continue
        try:
            read = formulas.parse(other.formula).all_codes()
        except formulas.FormulaError:
            continue
        for code in read & set(codes):
            found[codes[code]].append(f"指标“{other.name}”（{other.code}）的计算公式")
    for indicator in retired:
        found[indicator.pk].extend(references.referrers(indicator.code))
    return [Warning(by_pk[pk], refs) for pk, refs in found.items() if refs]


@login_required
def catalogue(request):
    _manager(request)
    q = (request.GET.get("q") or "").strip()[:100]
    shown = request.GET.get("retired", "active")
    if shown not in ("active", "retired", "all"):
        shown = "active"
    by = "department" if request.GET.get("by") == "department" else "section"
    everything = list(
        Indicator.objects.select_related("section", "department").order_by(
            "section__order", "order", "code"
        )
    )
    # A formula reads with the indicators' names, as the office writes it (【…】).
    names = {i.code: i.name for i in everything}
    for indicator in everything:
        indicator.formula_named = formulas.codes_to_names(indicator.formula, names)
    indicators = everything
    if q:
        indicators = [i for i in indicators if q.lower() in i.code.lower() or q in i.name]
    if shown == "active":
        indicators = [i for i in indicators if i.retired_on is None]
    elif shown == "retired":
        indicators = [i for i in indicators if i.retired_on is not None]
    groups: dict = {}
    if by == "department":
        indicators = sorted(indicators, key=lambda i: (i.department.order, i.department.code))
        for indicator in indicators:
            groups.setdefault(indicator.department, []).append(indicator)
    else:
        for indicator in indicators:
            groups.setdefault(indicator.section, []).append(indicator)
    return render(
        request,
        "metrics/catalogue/index.html",
        {
            "groups": list(groups.items()),
            "count": len(indicators),
            "q": q,
            "shown": shown,
            "by": by,
            "warnings": retired_warnings(everything),
        },
    )


def _indicator_form_page(request, form, indicator=None, suggested=""):
    return render(
        request,
        "metrics/catalogue/indicator_form.html",
        {
            "form": form,
            "indicator": indicator,
            "suggested": suggested,
            "picker": indicator_names.picker_entries(),
        },
    )


def _suggested(form) -> str:
    name = form.data.get("name", "").strip()
    try:  # the form field's own reading: "abc" or 10**30 is no section, never a 500
        section = form.fields["section"].to_python(form.data.get("section"))
    except ValidationError:
        section = None
    if not name:
        return ""
    return services.suggest_code(name=name, section=section)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_new(request):
    _manager(request)
    if request.method == "GET":
        current = selectors.current_period()
        return _indicator_form_page(
            request,
            IndicatorForm(
                initial={"decimal_places": 0, "first_period": current.pk if current else None}
            ),
        )
    form = IndicatorForm(request.POST)
    if "suggest" in request.POST:
        # 生成建议代码: the form again, its code filled in with the suggestion.
        data = request.POST.copy()
        suggestion = _suggested(form)
        data["code"] = suggestion
        return _indicator_form_page(request, IndicatorForm(data), suggested=suggestion)
    if form.is_valid():
        try:
            indicator = services.create_indicator(
                user=request.user,
                code=form.cleaned_data["code"],
                reason=form.cleaned_data["reason"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, f"已新增指标“{indicator.name}”（{indicator.code}）。")
            return redirect("catalogue")
    return _indicator_form_page(request, form, suggested=_suggested(form))


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, code):
    _manager(request)
    indicator = get_object_or_404(Indicator.objects.select_related("department"), code=code)
    frozen = services.code_references(indicator)
    if request.method == "GET":
        form = IndicatorForm(
            initial=IndicatorForm.initial_for(indicator), code_frozen=frozen, instance=indicator
        )
        return _indicator_form_page(request, form, indicator)
    form = IndicatorForm(
        request.POST,
        initial=IndicatorForm.initial_for(indicator),
        code_frozen=frozen,
        instance=indicator,
    )
    if form.is_valid():
        code_value = None if frozen else (form.cleaned_data["code"] or indicator.code)
        try:
            indicator = services.update_indicator(
                indicator=indicator,
                user=request.user,
                code=code_value,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, f"已保存指标“{indicator.name}”（{indicator.code}）。")
            return redirect("catalogue")
    return _indicator_form_page(request, form, indicator)


def _confirm(
    request,
    *,
    title,
    consequence,
    action,
    back,
    reason_required,
    with_date=False,
    error="",
    reason="",
    on="",
):
    return render(
        request,
        "metrics/catalogue/confirm.html",
        {
            "title": title,
            "consequence": consequence,
            "action": action,
            "back": back,
            "reason_required": reason_required,
            "with_date": with_date,
            "error": error,
            "reason": reason,
            "on": on,
        },
        status=400 if error else 200,
    )


def _confirmed(request, page: dict, act, *, done: str, to: str, shown: dict | None = None):
    """The confirmation page of a retire/restore or deactivate/activate: GET shows it, POST
    calls `act(reason)` and says `done`, or shows the page again with the refusal and what was
    typed (`shown`: further fields to keep, such as the date)."""
    shown = shown or {}
    if request.method == "GET":
        return _confirm(request, **page, **shown)
    reason = request.POST.get("reason", "")
    try:
        act(reason)
    except ValidationError as exc:
        return _confirm(request, **page, **shown, error=_first_message(exc), reason=reason)
    messages.success(request, done)
    return redirect(to)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_retire(request, code):
    _manager(request)
    indicator = get_object_or_404(Indicator, code=code)
    restoring = indicator.retired_on is not None
    verb = "恢复" if restoring else "停用"
    page = {
        "title": f"{verb}指标“{indicator.name}”",
        "consequence": (
            "恢复后该指标重新出现在以后各报告期的填报中。"
            if restoring
            else "停用日期之后开始的报告期不再填报该指标；以往的数据、快照和已生成的讲话稿不变。"
        ),
        "action": reverse("catalogue_indicator_retire", args=[indicator.code]),
        "back": reverse("catalogue"),
        "reason_required": not restoring,
        "with_date": not restoring,
    }
    raw_on = request.POST.get("on", "").strip()

    def act(reason):
        if restoring:
            services.restore_indicator(indicator=indicator, user=request.user, reason=reason)
            return
        on = parse_date(raw_on) if raw_on else None
        if raw_on and on is None:
            raise ValidationError("停用日期格式应为 2026-12-31。")
        services.retire_indicator(indicator=indicator, user=request.user, reason=reason, on=on)

    try:
        return _confirmed(
            request,
            page,
            act,
            done=f"已{verb}指标“{indicator.name}”。",
            to="catalogue",
            shown={"on": raw_on if request.method == "POST" else timezone.localdate().isoformat()},
        )
    except ValueError:  # parse_date on an impossible day (2026-02-30)
        reason = request.POST.get("reason", "")
        return _confirm(request, **page, error="停用日期格式应为 2026-12-31。", reason=reason)


# ---------------------------------------------------------------------------------------
# Sections


@login_required
@require_http_methods(["GET", "POST"])
def sections(request):
    _manager(request)
    form = SectionForm()
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                form = SectionForm(request.POST)
                if form.is_valid():
                    try:
                        services.create_section(user=request.user, **form.cleaned_data)
                    except ValidationError as exc:
                        refuse(form, exc)
                    else:
                        messages.success(request, f"已新增讲话部分“{form.cleaned_data['name']}”。")
                        return redirect("catalogue_sections")
            else:
                section = get_object_or_404(Section, code=request.POST.get("section", ""))
                if action == "rename":
                    services.rename_section(
                        section=section,
                        user=request.user,
                        name=request.POST.get("name", ""),
                        expected_version=request.POST.get("version", ""),
                    )
                    messages.success(request, "已修改讲话部分名称。")
                elif action in ("up", "down"):
                    services.move_section(section=section, user=request.user, up=action == "up")
                    messages.success(request, "已调整讲话部分顺序。")
                elif action == "delete":
                    services.delete_section(section=section, user=request.user)
                    messages.success(request, f"已删除讲话部分“{section.name}”。")
                return redirect("catalogue_sections")
        except ValidationError as exc:
            error = _first_message(exc)
    rows = list(Section.objects.annotate(indicator_count=Count("indicators")).order_by("order"))
    for row in rows:
        row.version = version_of(row)
    return render(
        request,
        "metrics/catalogue/sections.html",
        {"sections": rows, "form": form, "error": error},
        status=400 if error or form.errors else 200,
    )


# ---------------------------------------------------------------------------------------
# Departments


@login_required
@require_http_methods(["GET", "POST"])
def departments(request):
    _manager(request)
    form = DepartmentForm()
    if request.method == "POST":
        form = DepartmentForm(request.POST)
        if form.is_valid():
            try:
                data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
                department = services.create_department(user=request.user, **data)
            except ValidationError as exc:
                refuse(form, exc)
            else:
                messages.success(request, f"已新增部门“{department.name}”。")
                return redirect("catalogue_departments")
    rows = Department.objects.annotate(
        indicator_count=Count("indicators", filter=Q(indicators__retired_on__isnull=True))
    ).order_by("order", "code")
    return render(
        request,
        "metrics/catalogue/departments.html",
        {"departments": list(rows), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, code):
    _manager(request)
    department = get_object_or_404(Department, code=code)
    initial = {
        "code": department.code,
        "name": department.name,
        "short_name": department.short_name,
        "order": department.order,
        "version": version_of(department),
    }
    if request.method == "GET":
        form = DepartmentForm(initial=initial, editing=True)
    else:
        form = DepartmentForm(request.POST, initial=initial, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_department(
                    department=department,
                    user=request.user,
                    name=data["name"],
                    short_name=data["short_name"],
                    order=data["order"] or 0,
                    reason=data["reason"],
                    expected_version=data["version"],
                )
            except ValidationError as exc:
                refuse(form, exc)
            else:
                messages.success(request, f"已保存部门“{data['name']}”。")
                return redirect("catalogue_departments")
    return render(
        request,
        "metrics/catalogue/department_form.html",
        {"form": form, "department": department},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_retire(request, code):
    _manager(request)
    department = get_object_or_404(Department, code=code)
    restoring = department.is_retired
    verb = "恢复" if restoring else "停用"
    page = {
        "title": f"{verb}部门“{department.name}”",
        "consequence": (
            "恢复后可再为该部门设置填报指标。"
            if restoring
            else "停用后该部门不能再负责指标；以往的数据和讲话稿不变。"
        ),
        "action": reverse("catalogue_department_retire", args=[department.code]),
        "back": reverse("catalogue_departments"),
        "reason_required": not restoring,
    }
    act = services.restore_department if restoring else services.retire_department
    return _confirmed(
        request,
        page,
        lambda reason: act(department=department, user=request.user, reason=reason),
        done=f"已{verb}部门“{department.name}”。",
        to="catalogue_departments",
    )


# ---------------------------------------------------------------------------------------
# Validation rules (校验规则)


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    _manager(request)
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
    _manager(request)
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
    _manager(request)
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
    return _confirmed(
        request,
        page,
        lambda reason: act(rule=rule, user=request.user, reason=reason),
        done=f"已{verb}校验规则“{rule.name}”。",
        to="catalogue_rules",
    )
