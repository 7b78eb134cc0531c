"""Evaluating the cross-indicator rules and the change check against a set of values."""

import operator
from dataclasses import dataclass
from decimal import Decimal

from .change import big_change_warning, kind_of
from .models import Department, RuleSeverity, ValidationRule
from .numbers import plain

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


def evaluate(rule: ValidationRule, values: dict[str, Decimal | None]) -> RuleResult:
    left = values.get(rule.left.code)
    right = values.get(rule.right.code)
    if left is None or right is None:
        return RuleResult(rule, None, f"{rule.name}：数据未齐，暂无法校验。")
    if _OPERATORS[rule.operator](left, right):
        return RuleResult(rule, True, "")
    symbol = rule.get_operator_display()
    detail = f"{rule.left.name}（{plain(left)}）应{symbol}{rule.right.name}（{plain(right)}）"
    return RuleResult(rule, False, f"{rule.message or rule.name}：{detail}。")


def evaluate_all(rules, values) -> list[RuleResult]:
    return [evaluate(rule, values) for rule in rules]


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
    if rule.left.department_id == department.pk:
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
    for result in evaluate_all(rules, values):
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
