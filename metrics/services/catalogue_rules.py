"""The validation rules (校验规则: an indicator against another, a constant or last year) the 法制办 keeps on the 指标管理 pages, as the other
catalogue services: keyword-only arguments, the acting `user` required, the manage_catalogue
permission checked here, one transaction, a history row naming the user and the reason, and
Chinese messages by field for bad input. A rule is deactivated (停用), never deleted: its
history stays, and the checks during entry and review read the active ones only."""

from django.core.exceptions import ValidationError
from django.db import transaction

from lawgov.versions import require_current

from ..models import Indicator, RuleSeverity, RuleTarget, ValidationRule
from ._common import record
from .catalogue import ALREADY, _baseline, _manager, _reason, _refuse

RULE_FIELDS = (
    "name",
    "left",
    "target",
    "operator",
    "right",
    "constant",
    "tolerance",
    "severity",
    "message",
)
# What each kind of comparison uses; the others are cleared, so a rule switched from one
# kind to another keeps nothing of the old one.
_TARGET_FIELDS = {
    RuleTarget.INDICATOR: ("right",),
    RuleTarget.CONSTANT: ("constant",),
    RuleTarget.LAST_YEAR: ("tolerance",),
}


def _indicator(value, field: str) -> Indicator | None:
    if value is None or isinstance(value, Indicator):
        return value
    found = Indicator.objects.filter(code=value).first()
    if found is None:
        _refuse(field, f"没有代码为“{value}”的指标。", "invalid")
    return found


def _fill(rule: ValidationRule, fields: dict) -> None:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name in ("left", "right"):
            setattr(rule, name, _indicator(value, name))
        elif name in ("name", "message"):
            setattr(rule, name, (value or "").strip())
        else:
            setattr(rule, name, value)
    if rule.target in _TARGET_FIELDS:
        for unused in {"right", "constant", "tolerance"} - set(_TARGET_FIELDS[rule.target]):
            setattr(rule, unused, None)
        if rule.target == RuleTarget.LAST_YEAR and not rule.operator:
            rule.operator = "<="  # |change| ≤ tolerance; the operator is not asked for


def _full_clean(rule: ValidationRule, *, before: ValidationRule | None) -> None:
    """The fields' checks and the rule's own, every problem named at once, in Chinese (the
    database's constraints are said here in words, not as Django's constraint message)."""
    errors = {}
    try:
        rule.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update({f: list(e) for f, e in exc.error_dict.items()})
    for field, messages in _problems(rule, before=before).items():
        errors.setdefault(field, []).extend(ValidationError(m) for m in messages)
    if errors:
        raise ValidationError(errors)


def _problems(rule: ValidationRule, *, before: ValidationRule | None) -> dict[str, list[str]]:
    """What the kind of comparison needs is there (another indicator, not the same one; a
    constant; a tolerance of at least 0); a retired indicator is not newly put in a rule."""
    errors: dict[str, list[str]] = {}
    if rule.target == RuleTarget.INDICATOR:
        if rule.left_id and rule.left_id == rule.right_id:
            errors["right"] = ["比较的两项指标不能是同一个指标。"]
        elif rule.right_id is None:
            errors["right"] = ["请选择要比较的另一项指标。"]
    elif rule.target == RuleTarget.CONSTANT and rule.constant is None:
        errors["constant"] = ["请填写要比较的固定数值。"]
    elif rule.target == RuleTarget.LAST_YEAR and (rule.tolerance is None or rule.tolerance < 0):
        errors["tolerance"] = ["请填写与上年相比允许的变动幅度（不小于 0）。"]
    for side in ("left", "right"):
        chosen = getattr(rule, f"{side}_id")
        if not chosen or (before is not None and getattr(before, f"{side}_id") == chosen):
            continue
        indicator = getattr(rule, side)
        if indicator.retired_on is not None:
            errors.setdefault(side, []).append(f"指标“{indicator.name}”已停用，不能用于规则。")
    return errors


@transaction.atomic
def create_rule(*, user, reason: str = "", **fields) -> ValidationRule:
    _manager(user)
    rule = ValidationRule(severity=RuleSeverity.ERROR)
    _fill(rule, fields)
    _full_clean(rule, before=None)
    record(rule, user=user, reason=_reason(reason, "新增校验规则"))
    rule.save()
    return rule


@transaction.atomic
def update_rule(
    *, rule: ValidationRule, user, reason: str = "", expected_version: str | None = None, **fields
) -> ValidationRule:
    _manager(user)
    rule = ValidationRule.objects.select_for_update().get(pk=rule.pk)
    require_current(
        rule,
        expected_version,
        what="该校验规则",
        shown={"规则名称": rule.name, "提示": rule.message},
    )
    before = ValidationRule.objects.get(pk=rule.pk)
    _baseline(rule)
    _fill(rule, fields)
    _full_clean(rule, before=before)
    record(rule, user=user, reason=_reason(reason, "修改校验规则"))
    rule.save()
    return rule


@transaction.atomic
def deactivate_rule(*, rule: ValidationRule, user, reason: str = "") -> ValidationRule:
    _manager(user)
    rule = ValidationRule.objects.select_for_update().get(pk=rule.pk)
    _baseline(rule)
    if not rule.active:
        _refuse("active", f"规则“{rule.name}”已停用。", ALREADY)
    rule.active = False
    record(rule, user=user, reason=f"停用：{_reason(reason, '停用校验规则')}")
    rule.save()
    return rule


@transaction.atomic
def activate_rule(*, rule: ValidationRule, user, reason: str = "") -> ValidationRule:
    _manager(user)
    rule = ValidationRule.objects.select_for_update().get(pk=rule.pk)
    _baseline(rule)
    if rule.active:
        _refuse("active", f"规则“{rule.name}”已启用。", ALREADY)
    for side in rule.sides:
        if side.retired_on is not None:
            _refuse("active", f"指标“{side.name}”已停用，规则不能再启用。", ALREADY)
    rule.active = True
    record(rule, user=user, reason=f"启用：{_reason(reason, '启用校验规则')}")
    rule.save()
    return rule
