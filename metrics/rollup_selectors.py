"""Reading what a roll-up needs (metrics.rollup) for one area and period: the subtree's areas
and units, the catalogue's roll-up rules and the units' figures, in four queries whatever the
size of the tree."""

from decimal import Decimal

from django.db.models import Q

from .areas import subtree, valid_during
from .computed import APPROVED, BASES, CURRENT
from .formulas import FormulaError, parse
from .models import Area, Department, Figure, FigureStatus, Indicator, ReportingPeriod
from .rollup import AreaNode, IndicatorRule, RolledUp, Tree, UnitNode, due_in_period
from .rollup_flat import flat_rolled_up

__all__ = ["APPROVED", "CURRENT", "rolled_up", "rules_in_force", "tree_of"]


def tree_of(*, area: Area, period: ReportingPeriod) -> Tree:
    """The areas below `area` that existed during the period and their units; a unit is due
    to report when it was not retired before the period started (a closed township's
    units report the periods it existed in, and its figures stay under it)."""
    below = valid_during(subtree(area), start=period.start, end=period.end) | Area.objects.filter(
        pk=area.pk
    )  # the area asked about, even when it was closed or not yet open in that period
    areas = [
        AreaNode(code, name, parent)
        for code, name, parent in below.values_list("code", "name", "parent__code")
    ]
    units = [
        UnitNode(
            code,
            name,
            area_code,
            kind_id,
            expected=due_in_period(retired, period.start),
        )
        for code, name, area_code, kind_id, retired in Department.objects.filter(
            area__path__startswith=area.path
        ).values_list("code", "name", "area__code", "kind_id", "retired_at")
    ]
    return Tree(root=area.code, areas=areas, units=units)


def rules_in_force(*, period: ReportingPeriod) -> list[IndicatorRule]:
    """Every indicator in force in the period with how it rolls up: the entered ones clerks
    report then (entered_in) and every computed one (a formula that does not parse is left
    out: the checks on save refuse it)."""
    rules = [
        IndicatorRule(code, rollup, kind_id)
        for code, rollup, kind_id in Indicator.objects.entered_in(period).values_list(
            "code", "rollup", "reporting_kind_id"
        )
    ]
    for code, rollup, formula, places in Indicator.objects.computed().values_list(
        "code", "rollup", "formula", "decimal_places"
    ):
        try:
            rules.append(IndicatorRule(code, rollup, None, parse(formula), places))
        except FormulaError:
            continue
    return rules


def counted_figures(
    *, area: Area, period: ReportingPeriod, basis: str = APPROVED
) -> dict[tuple[str, str], Decimal | None]:
    """(indicator code, unit code) → the value that counts: approved figures only (APPROVED,
    what the city and the documents read), or every figure as it stands (CURRENT, what an
    office watching its units fill in reads). A figure without a value counts as missing."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    rows = Figure.objects.filter(period=period, unit__area__path__startswith=area.path).filter(
        ~Q(value=None)
    )
    if basis == APPROVED:
        rows = rows.filter(status=FigureStatus.APPROVED)
    return {
        (code, unit): value
        for code, unit, value in rows.values_list("indicator__code", "unit__code", "value")
    }


def rolled_up(
    *,
    area: Area,
    period: ReportingPeriod,
    codes: list[str] | None = None,
    basis: str = APPROVED,
) -> dict[str, RolledUp]:
    """Each indicator's value for `area` in `period`, rolled up from the units below it, with
    the area's children and its completeness (metrics.rollup's rule; read with one grouped
    query over the subtree, metrics.rollup_flat, rather than every figure)."""
    result = flat_rolled_up(
        area=area,
        period=period,
        tree=tree_of(area=area, period=period),
        rules=rules_in_force(period=period),
        codes=codes,
        basis=basis,
    )
    if codes is not None:
        result = {code: result[code] for code in codes if code in result}
    return result
