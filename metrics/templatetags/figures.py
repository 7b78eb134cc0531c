"""Template filters that write figures the way every other face writes them
(`metrics.numbers`, `metrics.change`): `{% load figures %}` then `{{ value|figure }}`."""

from django import template

from .. import numbers, progress

register = template.Library()


@register.filter
def figure(value) -> str:
    """98.5000 → 98.5, 100.0000 → 100 (never 1E+2); None → empty."""
    return numbers.shown(value)


@register.filter
def with_unit(value, unit="") -> str:
    """98.5% / 118件, as `metrics.numbers.with_unit` writes them; None → empty."""
    return numbers.with_unit(value, unit, empty="")


def _state(item) -> str:
    """The metrics.progress state of a Figure, of a snapshot's gap ({"status", "value"}), or of
    no figure (None)."""
    if item is None or item == "":
        return progress.State.EMPTY
    if isinstance(item, dict):
        status, value = item.get("status"), item.get("value")
    else:
        status, value = item.status, item.value
    if status not in progress.STATE_LABELS:  # "missing": the snapshot has no figure
        status = None
    return progress.state_of(status, value)


@register.filter
def state_label(item) -> str:
    """未填 / 草稿 / 已退回 / 已报送 / 已审核, as every other face says it."""
    return progress.STATE_LABELS[_state(item)]


@register.filter
def state(item) -> str:
    """The state's code, for the page's colours (empty, draft, returned, submitted, approved)."""
    return _state(item)
