"""Evaluating the cross-indicator rules against a set of values."""

import operator
from dataclasses import dataclass
from decimal import Decimal

from .models import RuleSeverity, ValidationRule
from .validation import plain

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
