"""A document's figures for one area (issue 24): which indicators an area's document reads
straight from the one unit that reports them, and the rolled-up entries (metrics.rollup) of the
others, with the area's children for the comparison table (@对比表).

The rule, in one place:
- the installation's own area (`whole`) reads its figures as it always did; a computed
  indicator is computed over the installation's figures (metrics.computed);
- in an area of a district or below, an entered indicator reported by at most one unit of the
  area (its reporting kind's one unit) is that unit's figure, value and status as entered;
- an indicator reported by several units of the area (a township indicator in a district),
  any indicator of an area above a district (the city), and a computed indicator of an area
  that is not the installation's own are rolled up from the approved figures below: approved
  only when every unit and area due to report has an approved figure, else a gap naming the
  children that lack one (`lacking`, read by reports.selectors.gaps).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from metrics.areas import valid_during
from metrics.change import kind_of
from metrics.models import Area, AreaLevel, Indicator, ReportingPeriod
from metrics.models.areas import LEVEL_DEPTH
from metrics.numbers import plain
from metrics.rollup import AREA, RolledUp, Total, Tree, roll_up
from metrics.rollup_selectors import APPROVED, counted_figures, rules_in_force, tree_of

from .rendering.standing import APPROVED as APPROVED_STATUS
from .rendering.standing import INCOMPLETE


def _text(value):
    return None if value is None else plain(value)


@dataclass(frozen=True)
class Plan:
    """Which of a document's indicators an area rolls up, and the one unit of each reporting
    kind the area has (for the others' department names)."""

    area: Area | None
    whole: bool
    rolled: frozenset[str]
    units: dict  # reporting kind id → (unit code, unit name) when the area has exactly one
    tree: Tree | None


def plan(
    *, area: Area | None, period: ReportingPeriod, indicators: list[Indicator], whole: bool
) -> Plan:
    """Two queries (the subtree's areas and units, metrics.rollup_selectors.tree_of); nothing
    rolled up in an installation without an area tree."""
    if area is None:
        return Plan(None, True, frozenset(), {}, None)
    tree = tree_of(area=area, period=period)
    due = [u for units in tree.units_in.values() for u in units if u.expected]
    count = Counter(u.kind for u in due)
    units = {u.kind: (u.key, u.name) for u in due if count[u.kind] == 1}
    above_district = LEVEL_DEPTH.get(area.level, 0) < LEVEL_DEPTH[AreaLevel.DISTRICT]
    rolled = frozenset(
        i.code
        for i in indicators
        if above_district
        or (i.is_computed and not whole)
        or (not i.is_computed and count[i.reporting_kind_id] > 1)
    )
    return Plan(area, whole, rolled, units, tree)


def status_of(total: Total) -> str:
    """approved: complete on the approved basis; missing: nothing approved; else incomplete."""
    if total.value is None:
        return "missing"
    return APPROVED_STATUS if total.complete else INCOMPLETE


def _reason(part) -> str:
    """Why a child holds its area's value back, in the words the refusal page shows."""
    if part.kind == AREA:
        total = part.total
        return f"{total.reported}/{total.expected} 个填报单位的数据已审核"
    return "未填报或未审核"


def _lacking(code: str, name: str, rolled: RolledUp) -> list[dict]:
    """The children (areas and units) whose approved figures the area's value still waits for,
    each named as a gap is: code@child, the indicator's name, the child as its department."""
    return [
        {
            "code": f"{code}@{part.key}",
            "name": name,
            "department": part.name,
            "status": status_of(part.total),
            "value": _text(part.total.value),
            "reason": _reason(part),
        }
        for part in rolled.children
        if not part.total.complete
    ]


def rolled_entry(indicator: Indicator, rolled: RolledUp | None, previous: RolledUp | None):
    """A rolled-up indicator in the snapshot, shaped as an entered one (value, status, name,
    unit, department: the kind of unit that reports it, previous, change), with `lacking`."""
    total = rolled.total if rolled is not None else Total(None, 0, 0)
    entry = {
        "value": _text(total.value),
        "status": status_of(total),
        "name": indicator.name,
        "unit": indicator.unit,
        "department": indicator.reporting_kind.name,
        "previous": _text(previous.total.value) if previous is not None else None,
        "change": kind_of(indicator.value_type),
        "rolled_up": True,
        "lacking": _lacking(indicator.code, indicator.name, rolled) if rolled else [],
    }
    if indicator.is_computed:
        entry["places"] = indicator.decimal_places
    return entry


def roll(*, area: Area, period: ReportingPeriod, tree: Tree, codes) -> dict[str, RolledUp]:
    """The area's roll-up of `codes` on the approved basis (two queries besides the tree)."""
    if not codes or tree is None:
        return {}
    result = roll_up(
        tree=tree,
        rules=rules_in_force(period=period),
        figures=counted_figures(area=area, period=period, basis=APPROVED),
    )
    return {code: result[code] for code in codes if code in result}


def roll_previous(*, area: Area, period: ReportingPeriod, codes) -> dict[str, RolledUp]:
    """The same for the previous comparable period (同比), when it exists."""
    if area is None or not codes:
        return {}
    previous = ReportingPeriod.objects.filter(code=period.previous_code).first()
    if previous is None:
        return {}
    return roll(area=area, period=previous, tree=tree_of(area=area, period=previous), codes=codes)


def child_areas(
    *, area: Area, period: ReportingPeriod, rolled: dict[str, RolledUp], codes: list[str]
) -> list[dict]:
    """snapshot["areas"]: the area's child areas of the period in their order (the city's
    districts), each with its rolled-up value and status of `codes` (the comparison tables'
    columns, Template.table_codes)."""
    children = valid_during(area.children.all(), start=period.start, end=period.end).order_by(
        "order", "path"
    )
    parts = {
        (code, part.key): part.total
        for code in codes
        for part in (rolled[code].children if code in rolled else ())
        if part.kind == AREA
    }
    out = []
    for code, name in children.values_list("code", "name"):
        figures = {}
        for indicator_code in codes:
            total = parts.get((indicator_code, code), Total(None, 0, 0))
            figures[indicator_code] = {
                "value": _text(total.value),
                "status": status_of(total),
            }
        out.append({"code": code, "name": name, "figures": figures})
    return out
