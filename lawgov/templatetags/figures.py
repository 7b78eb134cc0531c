"""Template filters that write figures the way every other face writes them
(`metrics.numbers`, `metrics.change`): `{% load figures %}` then `{{ value|figure }}`."""

from django import template

from metrics import numbers, progress

register = template.Library()


@register.filter
def figure(value) -> str:
    """98.5000 → 98.5, 100.0000 → 100 (never 1E+2); None → empty."""
    return numbers.shown(value)


@register.filter
def form_words(name) -> str:
    """A placeholder's form in words: wan → 万余, duo → 多, yoy → 同比, plain (or none) → 原数."""
    from reports.rendering.filters import FORM_WORDS

    return FORM_WORDS.get(name or "plain", name)


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
