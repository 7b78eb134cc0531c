"""The legal affairs office (法制办) keeps the catalogue itself: indicators, the speech's
sections and the departments, in the portal, in Chinese. This module holds what every
catalogue write shares (the refusal codes, the permission, the reasons, the codes and their
format, the Chinese validation); the writes are in catalogue_indicators,
catalogue_organisation and catalogue_rules.

Every function: keyword-only arguments, the acting `user` required (TypeError without), the
manage_catalogue permission checked here (PermissionDenied in Chinese), one transaction, a
history row naming the user and the reason, `full_clean()` so that bad input is a
ValidationError with Chinese messages by field. A refusal the API tells apart carries a stable
error code (`ValidationError(..., code="code_frozen")`, see REFUSAL_CODES).
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from .. import access, formulas, references
from ..models import (
    Department,
    Figure,
    Indicator,
    Section,
    ValidationRule,
)
from ..texts import REASON, clean_text

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
    return _unused_code(Indicator, base, exclude_pk=exclude_pk)


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
    return _unused_code(Department, base, exclude_pk=exclude_pk)


def _unused_code(model, base: str, *, exclude_pk=None) -> str:
    """`base`, or `base_2`, `base_3` … the first one no other row of `model` has."""
    taken = set(
        model.objects.filter(code__startswith=base)
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


def _full_clean(obj, extra=None, *, new_code=False, exclude=None):
    """full_clean and the extra check together, so every field's problem is named at once.
    `new_code`: the code is being chosen now (a new object, a changed indicator code), so it
    must have the catalogue's format. `exclude`: fields set only after the check passes."""
    errors = {}
    try:
        obj.full_clean(exclude=exclude)
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
