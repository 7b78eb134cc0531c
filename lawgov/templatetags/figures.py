"""Template filters that write figures the way every other face writes them
(`metrics.numbers`, `metrics.change`): `{% load figures %}` then `{{ value|figure }}`."""

from django import template

from metrics import numbers

register = template.Library()


@register.filter
def figure(value) -> str:
    """98.5000 → 98.5, 100.0000 → 100 (never 1E+2); None → empty."""
    return numbers.shown(value)
