"""指标管理: the 法制办's pages for the catalogue, the speech's sections, the departments and
the history of their changes. Thin views: they read here, write only through
metrics.services.catalogue (which checks the permission again) and show a refused save again
with what was typed and the Chinese reason."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Count, Q, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods

from lawgov.versions import version_of

from . import access, formulas, indicator_names, references, selectors, services
from .catalogue_forms import DepartmentForm, IndicatorForm, RuleForm, SectionForm, refuse
from .models import (
    DeadlineExtension,
    Department,
    Indicator,
    OfficeSettings,
    ReportingPeriod,
    Section,
    User,
    ValidationRule,
)
from .periods import PeriodCode
from .services.catalogue import BASELINE_REASON


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


# ---------------------------------------------------------------------------------------
# The history of changes


KINDS = {
    "indicator": ("指标", Indicator),
    "section": ("讲话部分", Section),
    "department": ("部门", Department),
    "rule": ("校验规则", ValidationRule),
    "period": ("报告期", ReportingPeriod),
    "extension": ("部门延期", DeadlineExtension),
    "settings": ("系统设置", OfficeSettings),
}
# What the 名称或代码 filter searches in each kind's history rows.
SEARCHED = {
    "rule": ["name"],
    "period": ["code"],
    "extension": ["period__code", "department__name"],
    "settings": ["district_name"],
}
PER_PAGE = 30


def _kinds() -> dict:
    """The catalogue's own kinds, then those the apps built on metrics registered
    (metrics.references.register_history)."""
    registered = references.histories()
    return KINDS | {kind: (label, model) for kind, (label, model, _) in registered.items()}


def _searched(kind: str) -> list[str]:
    registered = references.histories()
    if kind in registered:
        return registered[kind][2]
    return SEARCHED.get(kind, ["name", "code"])


_TYPES = {"+": "新增", "~": "修改", "-": "删除"}


@dataclass
class Change:
    kind: str
    label: str
    when: object
    who: str
    what: str
    action: str
    reason: str
    fields: list  # (field label, old, new)


def _history_rows(kind, q, user_id):
    model = _kinds()[kind][1]
    rows = model.history.all()
    if q:
        matches = Q()
        for field in _searched(kind):
            matches |= Q(**{f"{field}__icontains": q})
        rows = rows.filter(matches)
    if user_id:
        rows = rows.filter(history_user_id=user_id)
    return (
        rows.order_by()
        .annotate(kind=Value(kind, output_field=CharField()))
        .values("history_id", "history_date", "kind")
    )


# Bookkeeping a person does not need to read in the history (a save's version counter).
NOT_SHOWN = {"version"}


def _shown(value, field, names, choices=None):
    """A value as a person reads it: a related object's name, a choice's label (填报中, not
    open), （空） for nothing."""
    if value is None or value == "":
        return "（空）"
    if field in names:
        return names[field].get(value, str(value))
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _described(kind, record, names) -> str:
    """What a history row is about, in words: 名称（代码）, a period's name, whose extension."""
    if kind == "period":
        return PeriodCode.parse(record.code).label
    if kind == "extension":
        department = names["department"].get(record.department_id, "")
        period = names["period"].get(record.period_id, "")
        return f"{department} · {period}"
    if kind == "settings":
        return "系统设置"
    what, code = getattr(record, "name", ""), getattr(record, "code", "")
    return f"{what}（{code}）" if code else what


def _changes_page(kinds, q, user_id, page_number):
    """One page of the merged history: one query for the page of (kind, id), one per kind for
    those rows and their objects' earlier rows (the diff's other side), two for names."""
    union = None
    for kind in kinds:
        rows = _history_rows(kind, q, user_id)
        union = rows if union is None else union.union(rows, all=True)
    union = union.order_by("-history_date", "-history_id")
    page = Paginator(union, PER_PAGE).get_page(page_number)
    wanted: dict[str, list[int]] = {}
    for row in page.object_list:
        wanted.setdefault(row["kind"], []).append(row["history_id"])
    records = {}
    previous = {}
    for kind, ids in wanted.items():
        history = _kinds()[kind][1].history
        fetched = list(history.filter(history_id__in=ids).select_related("history_user"))
        for record in fetched:
            records[(kind, record.history_id)] = record
        object_ids = {r.id for r in fetched}
        # Each object's rows up to this page, newest first: the row before each is its diff.
        chain: dict[int, list] = {}
        for older in history.filter(id__in=object_ids).order_by("history_date", "history_id"):
            chain.setdefault(older.id, []).append(older)
        for record in fetched:
            rows = chain.get(record.id, [])
            before = None
            for candidate in rows:
                if candidate.history_id == record.history_id:
                    break
                before = candidate
            previous[(kind, record.history_id)] = before
    names = {
        "section": dict(Section.history.values_list("id", "name").order_by("history_date")),
        "department": dict(Department.history.values_list("id", "name").order_by("history_date"))
        | dict(Department.objects.values_list("id", "name")),
    }
    names["left"] = names["right"] = dict(Indicator.objects.values_list("id", "name"))
    names["period"] = {p.pk: p.label for p in ReportingPeriod.objects.only("code")}
    changes = []
    for row in page.object_list:
        key = (row["kind"], row["history_id"])
        record = records.get(key)
        if record is None:
            continue
        model = _kinds()[row["kind"]][1]
        before = previous.get(key)
        fields = []
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before)
            for change in delta.changes:
                if change.field in NOT_SHOWN:
                    continue
                field = model._meta.get_field(change.field)
                choices = dict(field.flatchoices) if field.choices else None
                fields.append(
                    (
                        field.verbose_name,
                        _shown(change.old, change.field, names, choices),
                        _shown(change.new, change.field, names, choices),
                    )
                )
        changes.append(
            Change(
                kind=row["kind"],
                label=_kinds()[row["kind"]][0],
                when=record.history_date,
                who=record.history_user.display_name if record.history_user else "系统",
                what=_described(row["kind"], record, names),
                action=(
                    "原有状态"
                    if record.history_change_reason == BASELINE_REASON
                    else _TYPES.get(record.history_type, record.history_type)
                ),
                reason=record.history_change_reason or "",
                fields=fields,
            )
        )
    return page, changes


@login_required
def changes(request):
    _manager(request)
    kind = request.GET.get("kind", "")
    known = _kinds()
    kinds = [kind] if kind in known else list(known)
    q = (request.GET.get("q") or "").strip()[:100]
    raw_user = request.GET.get("user", "")
    user_id = int(raw_user) if raw_user.isdigit() and len(raw_user) < 10 else None
    page, rows = _changes_page(kinds, q, user_id, request.GET.get("page"))
    people = (
        User.objects.filter(
            Q(
                groups__permissions__codename__in=[
                    "manage_catalogue",
                    "manage_periods",
                    "manage_accounts",
                ]
            )
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("username")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "metrics/catalogue/changes.html",
        {
            "page": page,
            "changes": rows,
            "kinds": [(key, label) for key, (label, _) in known.items()],
            "kind": kind if kind in known else "",
            "q": q,
            "user_id": user_id,
            "people": list(people),
            "query": query.urlencode(),
        },
    )
