"""Whether a snapshot's figure can stand in a final document: the one decision the final
report's check (reports.selectors.gaps) and the renderer's markers (speech._figure_run) share.
Pure: reads the frozen snapshot entry only."""

from collections.abc import Mapping
from typing import Any, Literal

APPROVED = "approved"
# A rolled-up figure some of whose children have not reported an approved value (a gap);
# reports.area_figures gives it, the renderer names it (speech._STATUS_WORDS).
INCOMPLETE = "incomplete"

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


# The comparison table (@对比表) reads the report area's children from the snapshot:
#   snapshot["areas"] = [{"code": "370102", "name": "示范区",
#                         "figures": {code: {"value": "118" | None, "status": …}}}, …]
AREAS = "areas"


def child_areas(snapshot: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The report area's children in display order; empty when the snapshot carries none
    (a district's own snapshot), which a table cannot stand without."""
    areas = snapshot.get(AREAS)
    if not isinstance(areas, list):
        return []
    return [area for area in areas if isinstance(area, Mapping)]


def child_entry(area: Mapping[str, Any], code: str) -> dict[str, Any]:
    """A child's figure of `code`, read by its value and status alone (a computed figure's
    inputs are its own area's business): missing when the snapshot has none."""
    figures = area.get("figures")
    entry = figures.get(code) if isinstance(figures, Mapping) else None
    entry = entry if isinstance(entry, Mapping) else {}
    return {"value": entry.get("value"), "status": entry.get("status") or "missing"}


def child_key(code: str, area: Mapping[str, Any]) -> str:
    """The one name of a child's figure among a document's gaps: code@area code."""
    return f"{code}@{area.get('code', '')}"


NO_AREAS = {"code": AREAS, "name": "各区数据", "department": "", "status": "missing", "value": None}


def table_gaps(snapshot: Mapping[str, Any], codes: list[str]) -> list[dict]:
    """What a final document's comparison tables over `codes` (Template.table_codes) lack,
    listed as reports.selectors.gaps lists a figure (code, name, department, status, value):
    each child's figure that cannot stand (`standing`), named by the indicator and the
    child as its department; or the children themselves when the snapshot has none. The
    renderer's refusal (speech.render_text, MissingFigures) reads the same rules."""
    if not codes:
        return []
    areas = child_areas(snapshot)
    if not areas:
        return [dict(NO_AREAS)]
    names = snapshot.get("figures") or {}
    found = []
    for area in areas:
        for code in codes:
            entry = child_entry(area, code)
            if standing(entry) is not None:
                found.append(
                    {
                        "code": child_key(code, area),
                        "name": str((names.get(code) or {}).get("name") or code),
                        "department": str(area.get("name") or ""),
                        "status": entry.get("status") or "missing",
                        "value": entry.get("value"),
                    }
                )
    return found
