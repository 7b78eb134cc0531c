"""A validation rule's words that both the rule model (its `expression`, on the 校验规则 page
and in the admin) and the evaluation (metrics.rules, in its messages) print: pure functions of
values, reading no model, so that neither of the two has to import the other."""

from decimal import Decimal

from .change import POINTS, kind_of
from .numbers import plain


def tolerance_text(tolerance: Decimal, value_type: str) -> str:
    """±10% for a count, ±5个百分点 for a rate: the band a last-year rule allows."""
    unit = "个百分点" if kind_of(value_type) == POINTS else "%"
    return f"±{plain(tolerance)}{unit}"
