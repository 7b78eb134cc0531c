"""Whether a snapshot's figure can stand in a final document: the one decision the final
report's check (reports.selectors.gaps) and the renderer's markers (speech._figure_run) share.
Pure: reads the frozen snapshot entry only."""

from collections.abc import Mapping
from typing import Any, Literal

APPROVED = "approved"

Standing = Literal["missing", "unapproved", "computed"] | None


def is_blank(value: Any) -> bool:
    """No value: nothing, an empty text, or the template's own `*` left in its place."""
    return value is None or str(value).strip() in ("", "*")


def standing(entry: Mapping[str, Any]) -> Standing:
    """None when the figure can be printed in a final document; else why not: "missing"
    (not filled), "unapproved" (filled, not approved) or "computed" (a computed indicator
    whose inputs are not all there and approved, or that cannot be computed)."""
    status = entry.get("status")
    if entry.get("computed"):
        return None if status == APPROVED else "computed"
    if is_blank(entry.get("value")):
        return "missing"
    if status != APPROVED:
        return "unapproved"
    return None
