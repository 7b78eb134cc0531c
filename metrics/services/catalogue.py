"""The legal affairs office (法制办) keeps the catalogue itself: indicators, the speech's
sections and the departments, in the portal, in Chinese.

Every function: keyword-only arguments, the acting `user` required (TypeError without), the
manage_catalogue permission checked here (PermissionDenied in Chinese), one transaction, a
history row naming the user and the reason, `full_clean()` so that bad input is a
ValidationError with Chinese messages by field. A refusal the API tells apart carries a stable
error code (`ValidationError(..., code="code_frozen")`, see REFUSAL_CODES).
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from lawgov.locks import hold, refused_if_taken
from lawgov.versions import require_current

from .. import access, formulas, indicator_names, references
from ..models import (
    Department,
    Figure,
    FigureStatus,
    Indicator,
    PeriodState,
    Section,
    ValidationRule,
)
from ..periods import PeriodCode
from ..texts import REASON, clean_text
from ._common import record

# Stable codes of the refusals (the API answers with them; anything else is "invalid").
CODE_FROZEN = "code_frozen"
FORMULA_INVALID = "formula_invalid"
SECTION_NOT_EMPTY = "section_not_empty"
DEPARTMENT_RETIRED = "department_retired"
DEPARTMENT_IN_USE = "department_in_use"
FIGURES_AWAITING_REVIEW = "figures_awaiting_review"
INDICATOR_IN_USE = "indicator_in_use"
ALREADY = "already"
REASON_REQUIRED = "reason_required"
REFUSAL_CODES = (
    CODE_FROZEN,
    FORMULA_INVALID,
    SECTION_NOT_EMPTY,
    DEPARTMENT_RETIRED,
    DEPARTMENT_IN_USE,
    FIGURES_AWAITING_REVIEW,
    INDICATOR_IN_USE,
    ALREADY,
    REASON_REQUIRED,
)

# What an indicator's form edits (the code apart: it is fixed once referred to).
INDICATOR_FIELDS = (
    "name",
    "section",
    "unit",
    "value_type",
    "department",
    "lower_bound",
    "upper_bound",
    "help_text",
    "order",
    "formula",
    "decimal_places",
    "headline_order",
    "first_period",
)
DEPARTMENT_FIELDS = ("name", "short_name", "order")

# Held by whatever changes or checks which indicator codes exist (lawgov.locks.hold).
INDICATOR_CODES_LOCK = "indicator-codes"

_NOT_ALLOWED = "只有法制办（指标目录管理员）可以修改指标目录、讲话部分和部门。"


def _manager(user):
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    access.require(access.can_manage_catalogue(user), _NOT_ALLOWED)


def _reason(raw, default: str = "") -> str:
    return clean_text(raw, kind=REASON) or default


def _required_reason(raw, what: str) -> str:
    reason = clean_text(raw, kind=REASON)
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(f"请填写{what}的原因。", code=REASON_REQUIRED)}
        )
    return reason


BASELINE_REASON = "修改前的状态（此前未记录历史）"


def _baseline(obj) -> None:
    """Rows loaded by a migration have no history yet: record their state as it is before
    the first change, so that the change shows as old → new."""
    history = type(obj).history
    if not history.filter(id=obj.pk).exists():
        history.bulk_history_create([obj], default_change_reason=BASELINE_REASON)


def _refuse(field, message, code):
    raise ValidationError({field: ValidationError(message, code=code)})


# ---------------------------------------------------------------------------------------
# Codes


def _initials(name: str) -> str:
    """拼音首字母 of the Chinese characters, letters and digits kept, lower case."""
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        letters = [ch for ch in name if ch.isascii()]
    else:
        letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    text = "".join(letters).lower()
    return re.sub(r"[^a-z0-9]", "", text)


def suggest_code(*, name: str, section: Section | None, exclude_pk=None) -> str:
    """The section's code and the name's pinyin initials (行政复议案件数 in biz: biz_xzfyajs),
    made unique with a suffix (_2, _3, …)."""
    max_length = Indicator._meta.get_field("code").max_length
    prefix = section.code if section is not None else "ind"
    base = f"{prefix}_{_initials(name) or 'zb'}"[: max_length - 4]
    taken = set(
        Indicator.objects.filter(code__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("code", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def suggest_department_code(*, name: str, exclude_pk=None) -> str:
    """The name's pinyin initials, without the district's 区 in front (区司法局: sfj, as the
    catalogue's own), made unique with a suffix (_2, _3, …)."""
    max_length = Department._meta.get_field("code").max_length
    stem = (name or "").strip()
    if stem.startswith("区") and len(stem) > 1:
        stem = stem[1:]
    base = (_initials(stem) or "bm")[: max_length - 4]
    if base[0].isdigit():
        base = f"bm{base}"[: max_length - 4]
    taken = set(
        Department.objects.filter(code__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("code", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def code_references(indicator: Indicator) -> list[str]:
    """What refers to the indicator's code, in Chinese: its figures, validation rules, other
    indicators' formulas and (through metrics.references) report template versions."""
    code = indicator.code
    found = []
    if indicator.pk is not None:
        figures = Figure.objects.filter(indicator=indicator).count()
        if figures:
            found.append(f"{figures} 条填报数据")
        rules = ValidationRule.objects.filter(Q(left=indicator) | Q(right=indicator)).order_by("id")
        found.extend(f"校验规则“{rule.name}”" for rule in rules)
    found.extend(f"指标“{other.name}”（{other.code}）的计算公式" for other in formula_users(code))
    found.extend(references.referrers(code))
    return found


def formula_users(code: str, *, exclude_pk=None) -> list[Indicator]:
    """The computed indicators whose formula reads `code`."""
    users = []
    candidates = Indicator.objects.exclude(formula="").filter(formula__contains=code)
    for other in candidates.exclude(pk=exclude_pk).order_by("code"):
        try:
            if code in formulas.parse(other.formula).all_codes():
                users.append(other)
        except formulas.FormulaError:
            continue
    return users


# ---------------------------------------------------------------------------------------
# Indicators


def shown_indicator(indicator: Indicator) -> dict:
    """An indicator's current values as a refused editor is shown them (lawgov.versions)."""
    return {
        "名称": indicator.name,
        "代码": indicator.code,
        "单位": indicator.unit,
        "填报说明": indicator.help_text,
        "计算公式": indicator.formula,
    }


def _lock_catalogue() -> None:
    """Serialise the writes that decide what the formulas may read (setting, changing or
    restoring a formula, retiring what one reads): each checks the whole catalogue for
    cycles and retired inputs, so two such writes at once could each pass against the
    other's old state and together save a cycle. Every indicator row is locked, in one
    order, before anything is read; FOR NO KEY UPDATE, so that figures (whose rows point
    at their indicator) are still saved meanwhile. Taken first in each service, before the
    indicator's own row, so two of them never deadlock."""
    list(Indicator.objects.select_for_update(no_key=True).order_by("pk").values_list("pk"))


def _catalogue(exclude_pk=None) -> dict:
    return {
        code: formulas.CatalogueEntry(name=name, formula=formula, retired=retired_on is not None)
        for code, name, formula, retired_on in Indicator.objects.exclude(pk=exclude_pk).values_list(
            "code", "name", "formula", "retired_on"
        )
    }


def _check_indicator(indicator: Indicator, *, before: Indicator | None) -> None:
    """The rules beyond the model's fields, each by field in Chinese. A formula written with
    names (【受理行政复议案件】) is stored with codes."""
    errors = {}
    indicator.formula = (indicator.formula or "").strip()
    if any(mark in indicator.formula for mark in "【[]】"):
        try:
            indicator.formula = formulas.names_to_codes(
                indicator.formula, indicator_names.codes_by_name()
            )
        except formulas.FormulaError as exc:
            raise ValidationError(
                {"formula": [ValidationError(str(exc), code=FORMULA_INVALID)]}
            ) from None
    department = indicator.department if indicator.department_id else None
    department_changed = before is None or before.department_id != indicator.department_id
    if department is not None and department.is_retired and department_changed:
        errors["department"] = [
            ValidationError(f"“{department.name}”已停用，不能负责指标。", code=DEPARTMENT_RETIRED)
        ]
    if indicator.formula:
        if indicator.lower_bound is not None or indicator.upper_bound is not None:
            errors["lower_bound"] = [ValidationError("计算指标不设上下限。")]
        if indicator.decimal_places is None or not 0 <= indicator.decimal_places <= 4:
            errors["decimal_places"] = [ValidationError("小数位数应为 0–4。")]
        if indicator.code:
            try:
                formulas.check(
                    indicator.formula,
                    code=indicator.code,
                    catalogue=_catalogue(exclude_pk=indicator.pk),
                    name=indicator.name,
                )
            except formulas.FormulaError as exc:
                errors["formula"] = [ValidationError(str(exc), code=FORMULA_INVALID)]
    elif indicator.decimal_places:
        errors["decimal_places"] = [ValidationError("只有计算指标设小数位数。")]
    if before is not None and indicator.pk is not None:
        has_figures = Figure.objects.filter(indicator_id=indicator.pk).exists()
        if has_figures and before.value_type != indicator.value_type:
            errors["value_type"] = [ValidationError("该指标已有填报数据，不能更改数值类型。")]
        if has_figures and bool(before.formula) != bool(indicator.formula):
            errors["formula"] = [
                ValidationError("该指标已有填报数据，不能在填报指标与计算指标之间转换。")
            ]
    if errors:
        raise ValidationError(errors)


# What a code of the catalogue may be: what a template placeholder ({grass_slxfsx}) and a
# formula (metrics.formulas) can name. A SlugField alone also lets through hyphens and a
# leading digit (grass-xf, 2026_xf): saved, but never usable in the speech.
CODE_FORMAT = re.compile(r"[a-z][a-z0-9_]*\Z")


def code_format_problem(code: str, *, kind: str) -> str | None:
    """Why `code` cannot be the code of a new `kind` (部门, 指标, 讲话部分), in Chinese, or None:
    the one rule the catalogue's pages, its API and the onboarding sheet's preview apply."""
    if code and not CODE_FORMAT.match(code):
        return (
            f"{kind}代码“{code}”不合格式：只能用小写英文字母、数字和下划线，并以字母开头"
            "（如 xfj、grass_slxfsx），模板和计算公式才能引用它。"
        )
    return None


def _own_words(obj, errors: dict, *, new_code: bool) -> None:
    """The code's format (when it is new) and the catalogue's own Chinese in place of
    Django's generic words for a bad or taken value (输入由字母，数字，下划线或连字符号组成的
    有效“字段”。/ 具有 代码 的 部门 已存在。)."""
    kind = obj._meta.verbose_name
    code = getattr(obj, "code", "") or ""
    bad_code = ValidationError(
        code_format_problem(code, kind=kind) or "",
        code="invalid",
    )
    for field in list(errors):
        if field not in ("code", "name"):
            continue
        ours = []
        for error in errors[field]:
            if error.code == "unique":
                value = getattr(obj, field)
                if field == "code":
                    other = type(obj).objects.filter(code=value).exclude(pk=obj.pk).first()
                    taken = f"（{kind}“{other.name}”）" if other is not None else ""
                    message = f"{kind}代码“{value}”已存在{taken}，请换一个。"
                else:
                    message = f"名称为“{value}”的{kind}已存在。"
                ours.append(ValidationError(message, code="unique"))
            elif field == "code" and error.code in ("invalid", "invalid_code"):
                # The slug rule and the indicator code rule (metrics.models) name the same
                # mistake: said once, in the catalogue's words.
                if not any(e.code == "invalid" for e in ours):
                    ours.append(bad_code)
            else:
                ours.append(error)
        errors[field] = ours
    if new_code and code and not CODE_FORMAT.match(code):
        if not any(e.code == "invalid" for e in errors.get("code", [])):
            errors.setdefault("code", []).insert(0, bad_code)


def _full_clean(obj, extra=None, *, new_code=False):
    """full_clean and the extra check together, so every field's problem is named at once.
    `new_code`: the code is being chosen now (a new object, a changed indicator code), so it
    must have the catalogue's format."""
    errors = {}
    try:
        obj.full_clean()
    except ValidationError as exc:
        errors.update(exc.error_dict)
    _own_words(obj, errors, new_code=new_code)
    if extra is not None:
        try:
            extra()
        except ValidationError as exc:
            for field, errs in exc.error_dict.items():
                errors.setdefault(field, []).extend(errs)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_indicator(*, user, code: str = "", reason: str = "", **fields) -> Indicator:
    """A new indicator; without a code, the suggested one (suggest_code)."""
    _manager(user)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    _lock_catalogue()
    indicator = Indicator(**fields)
    if indicator.decimal_places is None:
        indicator.decimal_places = 0
    code = (code or "").strip()
    indicator.code = code or suggest_code(
        name=indicator.name or "", section=indicator.section if indicator.section_id else None
    )
    if indicator.order in (None, 0) and indicator.section_id:
        top = Indicator.objects.filter(section_id=indicator.section_id).aggregate(m=Max("order"))
        indicator.order = (top["m"] or 0) + 1
    _full_clean(indicator, lambda: _check_indicator(indicator, before=None), new_code=True)
    record(indicator, user=user, reason=_reason(reason, "新增指标"))
    indicator.save()
    return indicator


@transaction.atomic
def update_indicator(
    *,
    indicator: Indicator,
    user,
    reason: str = "",
    code: str | None = None,
    expected_version: str | None = None,
    **fields,
) -> Indicator:
    """Change the fields given. The code only while nothing refers to it; the owning
    department only while none of its figures in an open period awaits review (drafts and
    returned figures move with the indicator)."""
    _manager(user)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    # A code change and a template save one after the other (reports takes the same lock
    # before it checks a template's codes), so no template is left naming a code gone.
    hold(INDICATOR_CODES_LOCK)
    _lock_catalogue()
    before = Indicator.objects.select_for_update().get(pk=indicator.pk)
    require_current(before, expected_version, what="该指标", shown=shown_indicator(before))
    _baseline(before)
    indicator = Indicator.objects.select_related("section", "department").get(pk=before.pk)
    for name, value in fields.items():
        setattr(indicator, name, value)
    if code is not None and code.strip() != before.code:
        refs = code_references(before)
        if refs:
            _refuse(
                "code",
                "指标代码已被引用，不能再修改：" + "；".join(refs) + "。",
                CODE_FROZEN,
            )
        indicator.code = code.strip()
    _full_clean(
        indicator,
        lambda: _check_indicator(indicator, before=before),
        new_code=indicator.code != before.code,
    )
    if indicator.first_period_id and indicator.first_period_id != before.first_period_id:
        earlier = (
            Figure.objects.filter(indicator=before, period__start__lt=indicator.first_period.start)
            .values_list("period__code", flat=True)
            .distinct()
        )
        if earlier:
            labels = "、".join(sorted(PeriodCode.parse(c).label for c in earlier))
            _refuse(
                "first_period",
                f"该指标在{labels}已有数据，起始报告期不能晚于这些报告期。",
                INDICATOR_IN_USE,
            )
    moved = []
    if before.department_id != indicator.department_id:
        open_figures = Figure.objects.filter(indicator=before, period__state=PeriodState.OPEN)
        waiting = open_figures.filter(status=FigureStatus.SUBMITTED).select_related("period")
        waiting = list(waiting)
        if waiting:
            periods = "、".join(sorted({f.period.label for f in waiting}))
            _refuse(
                "department",
                f"该指标在{periods}有已报送、待审核的数据，审核员会看到它在未报送它的部门之下："
                f"请先审核或退回后再更换填报部门。",
                FIGURES_AWAITING_REVIEW,
            )
        moved = list(open_figures.filter(status__in=[FigureStatus.DRAFT, FigureStatus.RETURNED]))
    text = _reason(reason, "修改指标")
    record(indicator, user=user, reason=text)
    indicator.save()
    if moved:
        # A figure belongs to its indicator's department: the unsubmitted ones now appear
        # under the new department; each gets a history row saying so (its past ones stay).
        from simple_history.utils import bulk_update_with_history

        note = f"指标改由{indicator.department.name}填报：{text}"
        for figure in moved:
            record(figure, user=user, reason=note)
        bulk_update_with_history(
            moved, Figure, ["status"], default_user=user, default_change_reason=note
        )
    return indicator


@transaction.atomic
def retire_indicator(
    *, indicator: Indicator, user, reason: str, on: datetime.date | None = None
) -> Indicator:
    """Retire from `on` (today by default): not entered in periods starting after that day;
    past figures, snapshots and reports stay as they were."""
    _manager(user)
    text = _required_reason(reason, "停用指标")
    _lock_catalogue()
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _baseline(indicator)
    if indicator.retired_on is not None:
        _refuse("retired_on", f"该指标已于{indicator.retired_on:%Y-%m-%d}停用。", ALREADY)
    readers = [other for other in formula_users(indicator.code) if other.retired_on is None]
    if readers:
        names = "、".join(f"“{other.name}”（{other.code}）" for other in readers)
        _refuse(
            "retired_on",
            f"计算指标{names}的公式引用该指标，请先修改或停用这些计算指标。",
            INDICATOR_IN_USE,
        )
    indicator.retired_on = on or timezone.localdate()
    _full_clean(indicator)
    record(indicator, user=user, reason=f"停用：{text}")
    indicator.save()
    return indicator


@transaction.atomic
def restore_indicator(*, indicator: Indicator, user, reason: str = "") -> Indicator:
    _manager(user)
    _lock_catalogue()
    indicator = (
        Indicator.objects.select_for_update().select_related("department").get(pk=indicator.pk)
    )
    _baseline(indicator)
    if indicator.retired_on is None:
        _refuse("retired_on", "该指标未停用。", ALREADY)
    if indicator.department.is_retired:
        _refuse(
            "department",
            f"填报部门“{indicator.department.name}”已停用：请先恢复该部门或更换填报部门。",
            DEPARTMENT_RETIRED,
        )
    if indicator.formula:
        try:
            formulas.check(
                indicator.formula,
                code=indicator.code,
                catalogue=_catalogue(indicator.pk),
                name=indicator.name,
            )
        except formulas.FormulaError as exc:
            _refuse("formula", str(exc), FORMULA_INVALID)
    indicator.retired_on = None
    record(indicator, user=user, reason=f"恢复：{_reason(reason, '恢复指标')}")
    indicator.save()
    return indicator


# ---------------------------------------------------------------------------------------
# Sections


@transaction.atomic
def create_section(*, user, code: str, name: str, order: int | None = None, reason: str = ""):
    _manager(user)
    hold("sections")  # the code and the next order are read after any create racing this
    if order is None:
        order = (Section.objects.aggregate(m=Max("order"))["m"] or 0) + 1
    section = Section(code=(code or "").strip(), name=(name or "").strip(), order=order)
    _full_clean(section, new_code=True)
    record(section, user=user, reason=_reason(reason, "新增讲话部分"))
    with refused_if_taken(field="code"):
        section.save()
    return section


@transaction.atomic
def rename_section(
    *, section: Section, user, name: str, reason: str = "", expected_version: str | None = None
) -> Section:
    _manager(user)
    section = Section.objects.select_for_update().get(pk=section.pk)
    require_current(section, expected_version, what="该讲话部分", shown={"名称": section.name})
    _baseline(section)
    section.name = (name or "").strip()
    _full_clean(section)
    record(section, user=user, reason=_reason(reason, "修改讲话部分名称"))
    section.save()
    return section


@transaction.atomic
def reorder_sections(*, user, codes: list[str], reason: str = "") -> list[Section]:
    """Put the sections in the order of `codes` (every section, each once) as 1, 2, 3 …:
    first out of the way of the unique order, then into place, in one transaction."""
    _manager(user)
    sections = {s.code: s for s in _locked_sections()}
    codes = list(codes)
    if sorted(codes) != sorted(sections) or len(set(codes)) != len(codes):
        raise ValidationError({"codes": "请按顺序列出全部讲话部分，每个一次。"})
    return _put_in_order(sections, codes, user=user, reason=reason)


def _locked_sections() -> list[Section]:
    """Every section, locked, in the order as it is once the locks are held (PostgreSQL may
    return rows that changed while it waited in the order it read before: sorted again).
    After the sections' own lock, which a create racing a reorder holds as well."""
    hold("sections")
    locked = Section.objects.select_for_update().order_by("order")
    return sorted(locked, key=lambda section: section.order)


def _put_in_order(sections: dict, codes: list[str], *, user, reason: str) -> list[Section]:
    top = max([s.order for s in sections.values()] + [len(codes)])
    # Out of the way without history rows (the final positions get them).
    for offset, code in enumerate(codes, start=1):
        Section.objects.filter(pk=sections[code].pk).update(order=top + offset)
    text = _reason(reason, "调整讲话部分顺序")
    ordered = []
    for position, code in enumerate(codes, start=1):
        section = sections[code]
        changed = section.order != position
        if changed:
            _baseline(section)
        section.order = position
        if changed:
            record(section, user=user, reason=text)
            section.save()
        else:
            Section.objects.filter(pk=section.pk).update(order=position)
        ordered.append(section)
    return ordered


@transaction.atomic
def move_section(*, section: Section, user, up: bool, reason: str = "") -> list[Section]:
    """One place up or down (what the page's arrows do), from the order as it is once the
    sections are locked: two quick clicks (or two reviewers) move it twice, never undo each
    other with an order read before the other's move."""
    _manager(user)
    sections = _locked_sections()
    codes = [s.code for s in sections]
    i = next((n for n, s in enumerate(sections) if s.pk == section.pk), None)
    if i is None:
        raise ValidationError("该讲话部分已被删除。")
    j = i - 1 if up else i + 1
    if 0 <= j < len(codes):
        codes[i], codes[j] = codes[j], codes[i]
    return _put_in_order({s.code: s for s in sections}, codes, user=user, reason=reason)


@transaction.atomic
def delete_section(*, section: Section, user, reason: str = "") -> None:
    _manager(user)
    section = Section.objects.select_for_update().get(pk=section.pk)
    _baseline(section)
    count = Indicator.objects.filter(section=section).count()
    if count:
        _refuse(
            "section",
            f"讲话部分“{section.name}”还有 {count} 项指标，只能清空后删除。",
            SECTION_NOT_EMPTY,
        )
    record(section, user=user, reason=_reason(reason, "删除讲话部分"))
    section.delete()


# ---------------------------------------------------------------------------------------
# Departments


@transaction.atomic
def create_department(
    *, user, code: str, name: str, short_name: str = "", order: int | None = None, reason=""
) -> Department:
    _manager(user)
    hold("departments")  # the code, the name and the next order, after any racing write
    if order is None:
        order = (Department.objects.aggregate(m=Max("order"))["m"] or 0) + 1
    code = (code or "").strip() or suggest_department_code(name=name)
    department = Department(
        code=code,
        name=(name or "").strip(),
        short_name=(short_name or "").strip(),
        order=order,
    )
    _full_clean(department, new_code=True)
    record(department, user=user, reason=_reason(reason, "新增部门"))
    with refused_if_taken(field="code"):
        department.save()
    return department


@transaction.atomic
def update_department(
    *,
    department: Department,
    user,
    reason: str = "",
    expected_version: str | None = None,
    **fields,
) -> Department:
    """Name, short name, order (the code stays: imports and accounts name it); refused when
    the department changed since `expected_version` was read (lawgov.versions)."""
    _manager(user)
    unknown = set(fields) - set(DEPARTMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown department fields: {sorted(unknown)}")
    hold("departments")  # a new name is checked after any racing create or rename
    department = Department.objects.select_for_update().get(pk=department.pk)
    require_current(
        department,
        expected_version,
        what="该部门",
        shown={"名称": department.name, "简称": department.short_name, "排序": department.order},
    )
    _baseline(department)
    for name, value in fields.items():
        setattr(department, name, value.strip() if isinstance(value, str) else value)
    _full_clean(department)
    record(department, user=user, reason=_reason(reason, "修改部门"))
    with refused_if_taken(field="name"):
        department.save()
    return department


@transaction.atomic
def retire_department(*, department: Department, user, reason: str) -> Department:
    _manager(user)
    text = _required_reason(reason, "停用部门")
    department = Department.objects.select_for_update().get(pk=department.pk)
    _baseline(department)
    if department.is_retired:
        _refuse("department", f"“{department.name}”已停用。", ALREADY)
    owned = list(
        Indicator.objects.filter(department=department, retired_on__isnull=True).order_by(
            "section__order", "order", "code"
        )
    )
    if owned:
        names = "、".join(f"“{i.name}”（{i.code}）" for i in owned[:10])
        more = f"等 {len(owned)} 项" if len(owned) > 10 else ""
        _refuse(
            "department",
            f"“{department.name}”仍负责指标{names}{more}：请先停用这些指标或更换填报部门。",
            DEPARTMENT_IN_USE,
        )
    department.retired_at = timezone.now()
    record(department, user=user, reason=f"停用：{text}")
    department.save()
    return department


@transaction.atomic
def restore_department(*, department: Department, user, reason: str = "") -> Department:
    _manager(user)
    department = Department.objects.select_for_update().get(pk=department.pk)
    _baseline(department)
    if not department.is_retired:
        _refuse("department", f"“{department.name}”未停用。", ALREADY)
    department.retired_at = None
    record(department, user=user, reason=f"恢复：{_reason(reason, '恢复部门')}")
    department.save()
    return department
