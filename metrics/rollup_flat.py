"""The roll-up of one area as the roll-up API answers it — the area's total and its direct
children's — read with one grouped query over the subtree instead of every figure.

The API needs no grandchild's total: for SUM, MIN and MAX the fold of a child's subtree is
the fold of all its units' figures at once (a sum of sums, a minimum of minima; reported
and expected add up), and RECOMPUTE evaluates the formulas on those totals. So PostgreSQL
sums, counts and takes the minimum and maximum grouped by (indicator, direct child of the
area), a few thousand rows however many figures lie below, where metrics.rollup.roll_up
folds every area of the tree in Python from every figure. NONE takes a child's own units
only: the groups say whether the unit sits in the child itself. Once a period's rows are
built (metrics.totals), the groups are read from them instead: one row per child and
indicator, kept up to date by every figure write. The result is the same as roll_up's either
way (tests/metrics/test_rollup_flat.py and test_totals.py compare them on every area)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import BooleanField, Case, CharField, Count, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Substr

from . import totals as area_totals
from .areas import valid_condition
from .computed import APPROVED, BASES
from .models import Area, Figure, FigureStatus, ReportingPeriod, RollUp
from .rollup import AREA, NOTHING, UNIT, Part, RolledUp, Total, Tree, combine, recompute


def _needed(rules: dict, codes: list[str] | None) -> dict:
    """The rules asked for and every rule their formulas read, transitively."""
    if codes is None:
        return rules
    wanted, stack = set(), [c for c in codes if c in rules]
    while stack:
        code = stack.pop()
        if code in wanted:
            continue
        wanted.add(code)
        formula = rules[code].formula
        if formula is not None:
            stack.extend(ref.code for ref in formula.refs if ref.code in rules)
    return {c: r for c, r in rules.items() if c in wanted}


def _groups(*, area: Area, period: ReportingPeriod, tree: Tree, codes, basis: str):
    """(indicator code, part, direct) → (sum, min, max, reported, reported by units not due):
    `part` a child area's code or, for a unit placed in the area itself, the unit's code."""
    children = tree.child_areas.get(area.code, [])
    retired = [u.key for units in tree.units_in.values() for u in units if not u.expected]
    lengths = {len(child) for child in children}
    if len(lengths) == 1:
        # Children's codes of one length (行政区划代码 are): the child is the path's next
        # code, cut from the path rather than matched against every child's prefix.
        below = Substr("unit__area__path", len(area.path) + 1, lengths.pop())
    else:
        below = Case(
            *(
                When(unit__area__path__startswith=f"{area.path}{child}/", then=Value(child))
                for child in children
            ),
            default=Value(None),
            output_field=CharField(),
        )
    part = Case(
        When(unit__area_id=area.pk, then=F("unit__code")), default=below, output_field=CharField()
    )
    due = area_totals.due(retired=Q(unit__code__in=retired))
    rows = (
        Figure.objects.filter(period=period, unit__area__path__startswith=area.path)
        .filter(~Q(value=None), indicator__code__in=codes)
        .filter(
            Q(unit__area_id=area.pk)
            | valid_condition(start=period.start, end=period.end, prefix="unit__area__")
        )
    )
    if basis == APPROVED:
        rows = rows.filter(status=FigureStatus.APPROVED)
    rows = (
        rows.annotate(
            part=part,
            direct=Case(
                When(unit__area__parent_id=area.pk, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .exclude(part=None)
        .values("indicator__code", "part", "direct")
        .annotate(
            total=Sum("value"),
            low=Min("value"),
            high=Max("value"),
            n=Count("id"),
            undue=Count("id", filter=~due),
        )
        .order_by()
    )
    return {
        (r.indicator__code, r.part, r.direct): r
        for r in rows.values_list("indicator__code", "part", "direct", "total", "low", "high",
                                  "n", "undue", named=True)
    }  # fmt: skip


def _due(tree: Tree, root: str) -> dict:
    """(child, direct) → {unit kind: units due}: the units below each child of the root."""
    top = {}
    for code in reversed(tree.bottom_up()):  # parents before their children
        node = tree.areas[code]
        if code == root:
            continue
        top[code] = code if node.parent == root else top.get(node.parent)
    counts: dict = defaultdict(lambda: defaultdict(int))
    for code, units in tree.units_in.items():
        child = top.get(code)
        if child is None:
            continue
        for unit in units:
            if unit.expected:
                counts[(child, code == child)][unit.kind] += 1
    return counts


def _child_total(rule, rows: list, due: int) -> Total:
    """A child area's total of an entered indicator from its groups (direct and deeper)."""
    if rule.rollup == RollUp.NONE:
        rows = [r for r in rows if r.direct]
    reported = sum(r.n for r in rows)
    expected = due + sum(r.undue for r in rows)
    if not rows:
        return Total(None, 0, expected)
    if rule.rollup == RollUp.MIN:
        value = min(r.low for r in rows)
    elif rule.rollup == RollUp.MAX:
        value = max(r.high for r in rows)
    elif rule.rollup == RollUp.NONE:
        value = rows[0].total if reported == 1 else None
    else:
        value = sum((r.total for r in rows), Decimal(0))
    return Total(value, reported, expected)


def flat_rolled_up(
    *, area: Area, period: ReportingPeriod, tree: Tree, rules, codes=None, basis=APPROVED
) -> dict[str, RolledUp]:
    """What metrics.rollup.roll_up answers at `tree`'s root, read with one grouped query."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    rules = _needed({r.code: r for r in rules}, codes)
    entered = {c: r for c, r in rules.items() if r.formula is None}
    computed = {c: r for c, r in rules.items() if r.formula is not None}
    groups = area_totals.groups(
        area=area,
        period=period,
        children=tree.child_areas.get(area.code, []),
        codes=list(entered),
        basis_approved=basis == APPROVED,
    )
    if groups is None:  # the period's rows are not built (yet): the figures themselves
        groups = _groups(area=area, period=period, tree=tree, codes=list(entered), basis=basis)
    by_part: dict = defaultdict(list)
    for (code, part, _direct), row in groups.items():
        by_part[(code, part)].append(row)
    due = _due(tree, area.code)
    children = tree.child_areas.get(area.code, [])
    own_units = tree.units_in.get(area.code, [])
    child_totals = {}
    for child in children:
        totals = {
            code: _child_total(
                rule,
                by_part.get((code, child), []),
                due[(child, True)][rule.kind]
                + (0 if rule.rollup == RollUp.NONE else due[(child, False)][rule.kind]),
            )
            for code, rule in entered.items()
        }
        totals.update(recompute(computed, totals))
        child_totals[child] = totals
    result_parts, root_totals = {}, {}
    for code, rule in entered.items():
        parts = [Part(c, tree.areas[c].name, AREA, child_totals[c][code]) for c in children]
        for unit in own_units:
            rows = by_part.get((code, unit.key), [])
            value = rows[0].total if rows else None
            is_due = unit.kind == rule.kind and unit.expected
            if rows or is_due:
                reported = 1 if rows else 0
                parts.append(
                    Part(unit.key, unit.name, UNIT, Total(value, reported, max(reported, is_due)))
                )
        result_parts[code] = parts
        root_totals[code] = combine(rule.rollup, parts)
    root_totals.update(recompute(computed, root_totals))
    for code in computed:
        result_parts[code] = [
            Part(c, tree.areas[c].name, AREA, child_totals[c].get(code, NOTHING)) for c in children
        ]
    return {
        code: RolledUp(code, rule.rollup, root_totals[code], tuple(result_parts[code]))
        for code, rule in rules.items()
    }
