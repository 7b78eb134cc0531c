"""Evaluating the validation rules and the change check against a set of values.

A rule compares its indicator (`left`) with another indicator, a constant, or its own value in
the previous comparable period (RuleTarget). Against last year the change is metrics.change's
(the words and the number every face shows: % for a count, 百分点 for a rate) and must stay
within ±tolerance. A rule that lacks a value (another department's, or last year's) waits."""

import operator
from dataclasses import dataclass
from decimal import Decimal

from .change import Change, big_change_warning, kind_of
from .models import Department, RuleSeverity, RuleTarget, ValidationRule
from .numbers import plain
from .rule_words import tolerance_text

_OPERATORS = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True)
class RuleResult:
    rule: ValidationRule
    passed: bool | None  # None: a side has no value yet, so the rule cannot be judged
    message: str

    @property
    def is_error(self):
        return self.passed is False and self.rule.severity == RuleSeverity.ERROR

    @property
    def is_warning(self):
        return self.passed is False and self.rule.severity == RuleSeverity.WARNING

    @property
    def is_pending(self):
        return self.passed is None


def evaluate(
    rule: ValidationRule,
    values: dict[str, Decimal | None],
    previous: dict[str, Decimal | None] | None = None,
) -> RuleResult:
    left = values.get(rule.left.code)
    if rule.target == RuleTarget.LAST_YEAR:
        return _against_last_year(rule, left, (previous or {}).get(rule.left.code))
    if rule.target == RuleTarget.CONSTANT:
        right, right_name = rule.constant, ""
    else:
        right, right_name = values.get(rule.right.code), rule.right.name
    if left is None or right is None:
        return RuleResult(rule, None, f"{rule.name}：数据未齐，暂无法校验。")
    if _OPERATORS[rule.operator](left, right):
        return RuleResult(rule, True, "")
    symbol = rule.get_operator_display()
    other = f"{right_name}（{plain(right)}）" if right_name else plain(right)
    detail = f"{rule.left.name}（{plain(left)}）应{symbol}{other}"
    return RuleResult(rule, False, f"{rule.message or rule.name}：{detail}。")


def _against_last_year(rule, current: Decimal | None, before: Decimal | None) -> RuleResult:
    moved = Change(current, before, kind_of(rule.left.value_type))
    amount = moved.amount
    if current is None:
        return RuleResult(rule, None, f"{rule.name}：本期数据未填，暂无法校验。")
    if amount is None or abs(amount) <= rule.tolerance:  # no comparable base: nothing to say
        return RuleResult(rule, True, "")
    detail = (
        f"{rule.left.name}（{plain(current)}）较上年（{plain(before)}）{moved.text}，"
        f"超过{tolerance_text(rule.tolerance, rule.left.value_type)}"
    )
    return RuleResult(rule, False, f"{rule.message or rule.name}：{detail}。")


def evaluate_all(rules, values, previous=None) -> list[RuleResult]:
    return [evaluate(rule, values, previous) for rule in rules]


@dataclass(frozen=True)
class Finding:
    """A problem attached to one indicator of a department: blocks submit (error) or needs a
    written explanation (warning); `pending` is a rule that waits for another department."""

    code: str
    severity: str  # "error" | "warning" | "pending"
    message: str

    @property
    def is_error(self):
        return self.severity == "error"

    @property
    def is_warning(self):
        return self.severity == "warning"


def _owned_side(rule: ValidationRule, department: Department) -> str:
    if (
        rule.left.department_id == department.pk
        or rule.left.reporting_kind_id == department.kind_id
        or rule.right_id is None
    ):
        return rule.left.code
    return rule.right.code


def department_findings(
    *,
    department: Department,
    indicators,
    rules,
    values: dict[str, Decimal | None],
    previous: dict[str, Decimal | None],
) -> list[Finding]:
    """Rule results and change checks for a department's indicators, each keyed to the
    indicator the department owns (the left side of a rule when it owns both)."""
    findings = []
    for result in evaluate_all(rules, values, previous):
        code = _owned_side(result.rule, department)
        if result.is_error:
            findings.append(Finding(code, "error", result.message))
        elif result.is_warning:
            findings.append(Finding(code, "warning", result.message))
        elif result.is_pending and values.get(code) is not None:
            findings.append(Finding(code, "pending", result.message))
    for indicator in indicators:
        warning = big_change_warning(
            indicator.name,
            values.get(indicator.code),
            previous.get(indicator.code),
            kind_of(indicator.value_type),
        )
        if warning:
            findings.append(Finding(indicator.code, "warning", warning))
    return findings
