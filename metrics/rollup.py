"""Roll-up (汇总): how the figures of the units below an area make that area's value.

One pure rule for every face (the roll-up API, the city's dashboard, a city's documents and
the comparison table): given the area tree, the reporting units, the indicators and the
units' figures, each area's value of each indicator, with its completeness.

- SUM, MIN, MAX fold the children's values; a child that has not reported is counted as
  missing (`reported` < `expected`), never as zero — a minimum is not dragged to 0 by a
  township that is late, a sum says it is short.
- RECOMPUTE evaluates the computed indicator's formula again on the area's rolled-up inputs
  (metrics.formula_graph.compute_all): a rate is never summed nor averaged.
- NONE is reported at one level only: the area's value is its own unit's figure; nothing
  from below makes it.

An area's children are its child areas (with their rolled-up values) and the units placed
directly in it (区司法局 in a district, 市司法局 in a city).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .formula_graph import compute_all
from .formulas import Formula
from .models import RollUp

AREA = "area"
UNIT = "unit"


@dataclass(frozen=True)
class AreaNode:
    code: str
    name: str
    parent: str | None  # the parent's code; None for the root of what is rolled up


def due_in_period(retired_at, start) -> bool:
    """Whether a unit retired at `retired_at` (None: never) is still due to report a period
    starting on `start`: it reports the periods it existed in."""
    return retired_at is None or retired_at.date() >= start


@dataclass(frozen=True)
class UnitNode:
    """A reporting unit: `kind` says which indicators it reports; `expected` whether it was
    due to report in the period (its area valid then, the unit not retired before it)."""

    key: str
    name: str
    area: str
    kind: int | None
    expected: bool = True


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    rollup: str
    kind: int | None  # the kind of unit that reports it (entered indicators)
    formula: Formula | None = None  # computed indicators
    places: int = 0


@dataclass(frozen=True)
class Total:
    value: Decimal | None
    reported: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.reported >= self.expected


NOTHING = Total(None, 0, 0)


@dataclass(frozen=True)
class Part:
    """One child of an area in a roll-up: a child area's total or a unit's own figure."""

    key: str
    name: str
    kind: str  # AREA or UNIT
    total: Total


@dataclass(frozen=True)
class RolledUp:
    code: str
    rollup: str
    total: Total
    children: tuple[Part, ...] = field(default=())


def combine(rollup: str, parts: Iterable[Part]) -> Total:
    """An area's total of an entered indicator from its children's (see the module's rules)."""
    parts = list(parts)
    if rollup == RollUp.NONE:
        parts = [p for p in parts if p.kind == UNIT]
    reported = sum(p.total.reported for p in parts)
    expected = sum(p.total.expected for p in parts)
    values = [p.total.value for p in parts if p.total.value is not None]
    if not values:
        return Total(None, reported, expected)
    if rollup == RollUp.MIN:
        return Total(min(values), reported, expected)
    if rollup == RollUp.MAX:
        return Total(max(values), reported, expected)
    if rollup == RollUp.NONE:
        # One unit of the kind in the area reports it; two would make no single figure.
        return Total(values[0] if len(values) == 1 else None, reported, expected)
    return Total(sum(values, Decimal(0)), reported, expected)


def recompute(rules: Mapping[str, IndicatorRule], inputs: Mapping[str, Total]) -> dict[str, Total]:
    """The computed indicators of one area from its rolled-up entered inputs: values by the
    formulas, completeness that of the least complete input (a rate of four townships' cases
    is complete when every township reported them)."""
    formulas = {c: r.formula for c, r in rules.items() if r.formula is not None}
    if not formulas:
        return {}
    places = {c: rules[c].places for c in formulas}
    outcomes = compute_all(formulas, places, {c: t.value for c, t in inputs.items()})
    totals = {}
    for code, formula in formulas.items():
        read = [inputs.get(ref.code, NOTHING) for ref in formula.refs if not ref.previous]
        read = [t for t in read if t is not None]
        reported = min((t.reported for t in read), default=0)
        expected = max((t.expected for t in read), default=0)
        totals[code] = Total(outcomes[code].value, reported, expected)
    return totals


class Tree:
    """The areas below (and including) a root and the units in them, walked bottom-up."""

    def __init__(self, *, root: str, areas: Iterable[AreaNode], units: Iterable[UnitNode]):
        self.root = root
        self.areas = {a.code: a for a in areas}
        self.child_areas: dict[str, list[str]] = defaultdict(list)
        for area in self.areas.values():
            if area.code != root and area.parent in self.areas:
                self.child_areas[area.parent].append(area.code)
        self.units_in: dict[str, list[UnitNode]] = defaultdict(list)
        for unit in units:
            if unit.area in self.areas:
                self.units_in[unit.area].append(unit)

    def bottom_up(self) -> list[str]:
        """Every area code, children before their parent."""
        order, stack = [], [self.root]
        while stack:
            code = stack.pop()
            order.append(code)
            stack.extend(self.child_areas.get(code, ()))
        return order[::-1]


def unit_part(
    unit: UnitNode, rule: IndicatorRule, figures: Mapping[tuple[str, str], Decimal | None]
) -> Part | None:
    """A unit's own figure as a child of its area: expected when it is of the reporting
    kind and due; a figure that is there counts even from a unit no longer due."""
    has_figure = (rule.code, unit.key) in figures
    due = unit.kind == rule.kind and unit.expected
    if not (due or has_figure):
        return None
    value = figures.get((rule.code, unit.key))
    reported = 1 if value is not None else 0
    return Part(unit.key, unit.name, UNIT, Total(value, reported, max(reported, int(due))))


def roll_up(
    *,
    tree: Tree,
    rules: Iterable[IndicatorRule],
    figures: Mapping[tuple[str, str], Decimal | None],
) -> dict[str, RolledUp]:
    """Each indicator's roll-up at the tree's root, with the root's children. `figures` maps
    (indicator code, unit key) to the value that counts (the caller chooses the basis:
    approved figures, or every figure as it stands)."""
    rules = {r.code: r for r in rules}
    entered = {c: r for c, r in rules.items() if r.formula is None}
    computed = {c: r for c, r in rules.items() if r.formula is not None}
    totals: dict[str, dict[str, Total]] = {}
    root_parts: dict[str, list[Part]] = defaultdict(list)
    for area_code in tree.bottom_up():
        area_totals = {}
        for code, rule in entered.items():
            parts = _parts(
                tree, area_code, code, totals, lambda u, r=rule: unit_part(u, r, figures)
            )
            area_totals[code] = combine(rule.rollup, parts)
            if area_code == tree.root:
                root_parts[code] = parts
        area_totals.update(recompute(computed, area_totals))
        totals[area_code] = area_totals
    for code in computed:
        root_parts[code] = _parts(tree, tree.root, code, totals, lambda u: None)
    return {
        code: RolledUp(code, rule.rollup, totals[tree.root][code], tuple(root_parts[code]))
        for code, rule in rules.items()
    }


def _parts(tree: Tree, area_code: str, code: str, totals, unit_part_of) -> list[Part]:
    parts = [
        Part(child, tree.areas[child].name, AREA, totals[child][code])
        for child in tree.child_areas.get(area_code, ())
    ]
    for unit in tree.units_in.get(area_code, ()):
        part = unit_part_of(unit)
        if part is not None:
            parts.append(part)
    return parts
