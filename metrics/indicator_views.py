"""指标管理: the catalogue of indicators (with the retired ones still referred to), a new
indicator, its edit page and its retirement. Thin views: they write only through
metrics.services.catalogue (which checks the permission again) and show a refused save again
with what was typed and the Chinese reason."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods

from . import formulas, indicator_names, references, selectors, services
from .catalogue_forms import IndicatorForm, refuse
from .catalogue_pages import confirm_page, confirmed, require_manager
from .models import (
    Indicator,
    ValidationRule,
)


@dataclass
class RetiredReference:
    """A retired indicator and what still refers to it (rules, formulas, templates)."""

    indicator: Indicator
    referrers: list[str]


def retired_warnings(indicators) -> list[RetiredReference]:
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
    return [RetiredReference(by_pk[pk], refs) for pk, refs in found.items() if refs]


@login_required
def catalogue(request):
    require_manager(request)
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
    require_manager(request)
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
    require_manager(request)
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


@login_required
@require_http_methods(["GET", "POST"])
def indicator_retire(request, code):
    require_manager(request)
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
        return confirmed(
            request,
            page,
            act,
            done=f"已{verb}指标“{indicator.name}”。",
            to="catalogue",
            shown={"on": raw_on if request.method == "POST" else timezone.localdate().isoformat()},
        )
    except ValueError:  # parse_date on an impossible day (2026-02-30)
        reason = request.POST.get("reason", "")
        return confirm_page(request, **page, error="停用日期格式应为 2026-12-31。", reason=reason)
