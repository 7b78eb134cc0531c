"""Reading the 下级区域 section of an area's dashboard (reports.dashboard.areas): the roll-ups
of the period on both bases and of the previous comparable period (metrics.rollup), the
indicators' names, the units' deadlines and when their figures were sent. A fixed number of
queries whatever the number of children, units and figures."""

import datetime
from collections import Counter, defaultdict

from django.db.models import F, Q
from django.utils import timezone

from metrics.access import scope_of
from metrics.areas import ancestors, valid_during
from metrics.change import kind_of
from metrics.deadlines import effective_deadline
from metrics.models import (
    Area,
    AreaLevel,
    DeadlineExtension,
    Indicator,
    ReportingPeriod,
)
from metrics.rollup import Tree
from metrics.rollup_flat import flat_rolled_up
from metrics.rollup_selectors import (
    APPROVED,
    CURRENT,
    rolled_up,
    rules_in_force,
    tree_of,
)
from metrics.sent import sent_by_unit
from metrics.totals import unit_sent

from .areas import (
    AreaBoard,
    Column,
    Crumb,
    Timeliness,
    child_of,
    child_rows,
    classify,
    ranking,
    tally,
    total_row,
)

CHILDREN_LABELS = {
    AreaLevel.PROVINCE: "各市",
    AreaLevel.CITY: "各区（县）",
    AreaLevel.DISTRICT: "各乡镇（街道）",
}


def crumbs(*, area: Area, user) -> list[Crumb]:
    """The areas above `area` that the user may open (inside their scope), from the top."""
    codes = ancestors(area)[:-1]
    if not codes:
        return []
    scope = scope_of(user)
    return [
        Crumb(code, name)
        for code, name in Area.objects.filter(code__in=codes, path__startswith=scope.path)
        .order_by("path")
        .values_list("code", "name")
    ]


def has_children(*, area: Area, period: ReportingPeriod) -> bool:
    """Whether `area` had child areas during the period (one query)."""
    below = Area.objects.filter(parent=area)
    return valid_during(below, start=period.start, end=period.end).exists()


def area_board(
    *,
    area: Area,
    period: ReportingPeriod,
    previous: ReportingPeriod | None,
    today: datetime.date,
    rank_code: str | None = None,
) -> AreaBoard | None:
    """The children of `area` side by side in `period`, or None when it has none."""
    tree = tree_of(area=area, period=period)
    children = [(code, tree.areas[code].name) for code in tree.child_areas.get(area.code, ())]
    if not children:
        return None
    rules = rules_in_force(period=period)
    current = _roll(tree, rules, area=area, period=period, basis=CURRENT)
    approved = _roll(tree, rules, area=area, period=period, basis=APPROVED)
    # The indicators some unit below the area is due to report (the catalogue is shared with
    # areas whose units report others).
    due = [code for code, result in current.items() if result.total.expected > 0]
    choices = _columns(due)
    columns = [c for c, headline in choices if headline]
    entered = [r.code for r in rules if r.formula is None]
    before = (
        rolled_up(area=area, period=previous, codes=[c.code for c in columns])
        if previous is not None
        else {}
    )
    on_time, area_on_time = _timeliness(
        tree=tree, rules=rules, area=area, period=period, today=today
    )
    ranked = next((c for c, _ in choices if c.code == rank_code), columns[0] if columns else None)
    if ranked is None and choices:
        ranked = choices[0][0]
    common = {"entered": entered, "columns": columns, "current": current, "approved": approved}
    return AreaBoard(
        code=area.code,
        name=area.name,
        children_label=CHILDREN_LABELS.get(area.level, "下级区域"),
        columns=tuple(columns),
        children=tuple(
            child_rows(children=children, previous=before, timeliness=on_time, **common)
        ),
        total=total_row(
            code=area.code, name=area.name, previous=before, timeliness=area_on_time, **common
        ),
        ranking_column=ranked,
        ranking=ranking(children=children, column=ranked, approved=approved) if ranked else (),
        rank_choices=tuple(c for c, _ in choices),
        own_units=bool(tree.units_in.get(area.code)),
    )


def _roll(tree: Tree, rules, *, area: Area, period: ReportingPeriod, basis: str):
    """metrics.rollup_selectors.rolled_up on a tree and rules already read: one grouped query
    over the subtree (metrics.rollup_flat), the same result as roll_up over every figure."""
    return flat_rolled_up(area=area, period=period, tree=tree, rules=rules, basis=basis)


def _columns(codes: list[str]) -> list[tuple[Column, bool]]:
    """Every indicator in force as a column, with whether it is a headline one: the headline
    ones in their order first, then the catalogue's order."""
    rows = (
        Indicator.objects.filter(code__in=codes)
        .order_by(F("headline_order").asc(nulls_last=True), "section__order", "order", "code")
        .values("code", "name", "unit", "value_type", "formula", "decimal_places", "headline_order")
    )
    return [
        (
            Column(
                code=r["code"],
                name=r["name"],
                unit=r["unit"],
                kind=kind_of(r["value_type"]),
                places=r["decimal_places"] if r["formula"] else None,
            ),
            r["headline_order"] is not None,
        )
        for r in rows
    ]


def _timeliness(*, tree: Tree, rules, area: Area, period: ReportingPeriod, today):
    """Each child's units by timeliness (areas.classify), and the whole area's."""
    due = Counter(r.kind for r in rules if r.formula is None)
    by_unit = unit_sent(area=area, period=period)  # the kept rows (metrics.totals)
    if by_unit is None:  # not built: the figures themselves, the same reading (metrics.sent)
        by_unit = {
            code: (count, moment)
            for _, code, count, moment in sent_by_unit(
                period=period, units=Q(unit__area__path__startswith=area.path)
            )
        }
    sent = {code: count for code, (count, _) in by_unit.items()}
    last = {
        code: timezone.localdate(moment)
        for code, (_, moment) in by_unit.items()
        if moment is not None
    }
    extended = dict(
        DeadlineExtension.objects.filter(period=period).values_list("department__code", "deadline")
    )
    parents = {code: node.parent for code, node in tree.areas.items()}
    by_child: dict[str | None, list] = defaultdict(list)
    for area_code, units in tree.units_in.items():
        child = child_of(parents, tree.root, area_code)
        for unit in units:
            by_child[child].append(
                classify(
                    expected=due.get(unit.kind, 0) if unit.expected else 0,
                    sent=sent.get(unit.key, 0),
                    last_sent=last.get(unit.key),
                    deadline=effective_deadline(period.deadline, extended.get(unit.key)),
                    today=today,
                )
            )
    per_child = {code: tally(items) for code, items in by_child.items() if code is not None}
    everything = [c for items in by_child.values() for c in items]
    return per_child, tally(everything) if everything else Timeliness()
