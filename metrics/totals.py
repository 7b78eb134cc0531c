"""Keeping each area's roll-up inputs as rows (metrics.models.AreaTotal), so that the roll-up
of a province reads its cities' rows rather than folding 135,000 figures on every request.

What a row holds is what metrics.rollup_flat's grouped query computes for one child of the
area asked about: the figures of the units placed in the area (own) and of the units of the
areas below it that existed during the period (below), summed, counted, their minimum and
maximum, on both bases. Three moments keep the rows equal to that query:

- **a figure is written** (`figures_written`, called by the services in the write's own
  transaction): the rows of the figure's indicator at the unit's area and every area above it
  are computed again from the figures — a handful of small grouped queries, so an approval at
  a township is visible at the province on the very next request;
- **the tree or who is due changes** (an area closed, a unit retired or moved, an indicator's
  reporting kind: `invalidate`): the generation moves on, every period's rows are stale at
  once and the roll-up reads the figures themselves until the worker has rebuilt them;
- **a period is (re)built** (`build_period`, the worker): every row of the period at once.

Writers and the builder of one period exclude each other with transaction-scoped locks
(lawgov.locks.hold_pair): a builder holds the period, writers share it and hold each
(period, indicator) and (period, unit) they refresh, in one order, so no update is lost and
no two writers deadlock on the rows. A writer that holds the period's or an indicator's row
FOR UPDATE before writing figures would wait on a builder that needs KEY SHARE on that row for
its inserts: such locks are FOR NO KEY UPDATE (metrics.services.imported, catalogue)."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from celery import current_app
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from lawgov.locks import hold_pair

from .areas import valid_condition, valid_during
from .models import (
    Area,
    AreaTotal,
    Department,
    Figure,
    FigureStatus,
    PeriodTotals,
    ReportingPeriod,
    RollupGeneration,
    UnitSent,
)
from .rollup import due_in_period
from .sent import sent_by_unit

BUILD_TOTALS_TASK = "metrics.tasks.build_rollup_totals"
# The advisory locks (lawgov.locks.hold_pair): (period, PERIOD_KEY) for a period as a whole,
# (period, indicator id) and (period, -unit id) for what one write refreshes.
PERIOD_KEY = 0
_FIELDS = ("sum", "min", "max", "n", "undue")


@dataclass(frozen=True)
class Fold:
    """Figures folded: their sum, minimum, maximum, how many, how many from units not due."""

    total: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    n: int = 0
    undue: int = 0

    def __add__(self, other: "Fold") -> "Fold":
        if not other.n:
            return self
        if not self.n:
            return other
        return Fold(
            self.total + other.total,
            min(self.low, other.low),
            max(self.high, other.high),
            self.n + other.n,
            self.undue + other.undue,
        )


EMPTY = Fold()


def current_generation() -> int:
    row = RollupGeneration.objects.order_by("pk").values_list("number", flat=True).first()
    return row or 1


def _generation_now():
    return Coalesce(
        Subquery(RollupGeneration.objects.order_by("pk").values("number")[:1]), Value(1)
    )


def built_generation(period: ReportingPeriod) -> int | None:
    """The current generation when the period's rows are complete for it, else None (one
    query; the rows are then read with it as a constant, which their unique index finds)."""
    return (
        PeriodTotals.objects.filter(period=period, generation=_generation_now())
        .values_list("generation", flat=True)
        .first()
    )


def is_built(period: ReportingPeriod) -> bool:
    return built_generation(period) is not None


def invalidate() -> None:
    """Inside the transaction of a change to the tree or to who is due: every period's rows
    are stale from its commit on; the worker rebuilds those that have figures."""
    if not RollupGeneration.objects.update(number=F("number") + 1):
        RollupGeneration.objects.create(pk=1, number=current_generation() + 1)  # flushed away
    # robust: a broker that is down costs only the wait for the beat's sweep, not the change.
    transaction.on_commit(queue_missing_builds, robust=True)


def queue_missing_builds() -> None:
    # By the task's name, as metrics.services.reminders queues its emails (metrics.tasks
    # calls this module): in-process where there is no broker, as in the demo and the tests.
    for period_id in periods_to_build():
        current_app.tasks[BUILD_TOTALS_TASK].delay(period_id)


def periods_to_build() -> list[int]:
    """The periods with figures whose rows are not complete for the current generation."""
    built = PeriodTotals.objects.filter(generation=_generation_now()).values("period_id")
    return list(
        ReportingPeriod.objects.filter(figures__isnull=False)
        .exclude(pk__in=built)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def due(*, retired: Q) -> Q:
    """The one rule for a figure from a unit due to report its indicator: a unit of the
    indicator's reporting kind, not among `retired` (those retired before the period: a Q on
    the figure, by unit id here, by unit code in metrics.rollup_flat)."""
    return Q(unit__kind_id=F("indicator__reporting_kind_id")) & ~retired


def _due(retired: list[int]) -> Q:
    return due(retired=Q(unit_id__in=retired))


def _retired_before(period: ReportingPeriod) -> list[int]:
    return [
        pk
        for pk, retired in Department.objects.filter(retired_at__isnull=False).values_list(
            "pk", "retired_at"
        )
        if not due_in_period(retired, period.start)
    ]


def _folds(prefix: str, where: Q, undue: Q) -> dict:
    """The aggregates of a Fold over the rows matching `where`, named `prefix`_sum …"""
    return {
        f"{prefix}_sum": Sum("value", filter=where),
        f"{prefix}_min": Min("value", filter=where),
        f"{prefix}_max": Max("value", filter=where),
        f"{prefix}_n": Count("id", filter=where),
        f"{prefix}_undue": Count("id", filter=where & undue),
    }


def _fold(row: dict, prefix: str) -> Fold:
    total, low, high, n, undue = (row[f"{prefix}_{name}"] for name in _FIELDS)
    return Fold(total, low, high, n, undue) if n else EMPTY


_APPROVED = Q(status=FigureStatus.APPROVED)


def _row(*, generation, period, area_id, indicator_id, approved, own: Fold, below: Fold):
    values = {}
    for prefix, fold in (("own", own), ("below", below)):
        values.update(
            {
                f"{prefix}_sum": fold.total,
                f"{prefix}_min": fold.low,
                f"{prefix}_max": fold.high,
                f"{prefix}_n": fold.n,
                f"{prefix}_undue": fold.undue,
            }
        )
    return AreaTotal(
        generation=generation,
        period=period,
        area_id=area_id,
        indicator_id=indicator_id,
        approved=approved,
        **values,
    )


def build_period(*, period_id: int) -> int:
    """Every row of the period from its figures, for the current generation; returns how
    many rows. One grouped query (indicator, unit's area), folded up the tree here."""
    with transaction.atomic():
        period = ReportingPeriod.objects.get(pk=period_id)
        hold_pair(period.pk, PERIOD_KEY)
        generation = current_generation()
        undue = ~_due(_retired_before(period))
        figures = Figure.objects.filter(period=period).exclude(value=None)
        own: dict = defaultdict(dict)  # area id → {(indicator id, approved): Fold}
        for row in (
            figures.values("unit__area_id", "indicator_id")
            .annotate(**_folds("c", Q(), undue), **_folds("a", _APPROVED, undue))
            .order_by()
        ):
            for approved, prefix in ((False, "c"), (True, "a")):
                fold = _fold(row, prefix)
                if fold.n:
                    own[row["unit__area_id"]][(row["indicator_id"], approved)] = fold
        below = _folded_up(own, period=period)
        rows = [
            _row(
                generation=generation,
                period=period,
                area_id=pk,
                indicator_id=indicator_id,
                approved=approved,
                own=own.get(pk, {}).get((indicator_id, approved), EMPTY),
                below=below.get(pk, {}).get((indicator_id, approved), EMPTY),
            )
            for pk in set(own) | set(below)
            for indicator_id, approved in set(own.get(pk, {})) | set(below.get(pk, {}))
        ]
        AreaTotal.objects.filter(period=period).delete()
        AreaTotal.objects.bulk_create(rows, batch_size=2000)
        UnitSent.objects.filter(period=period).delete()
        UnitSent.objects.bulk_create(
            _unit_rows(period=period, generation=generation, units=Q()), batch_size=2000
        )
        PeriodTotals.objects.update_or_create(period=period, defaults={"generation": generation})
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner takes a rebuilt table of 300,000 rows for empty
        # and reads a province's rows by a hash of all of them (65 ms instead of 1).
        with connection.cursor() as cursor:
            for model in (AreaTotal, UnitSent):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return len(rows)


def _folded_up(own: dict, *, period: ReportingPeriod) -> dict:
    """area id → {(indicator id, approved): Fold} of the figures below each area: its
    children's own (those that existed during the period) and below, deepest areas first."""
    areas = list(Area.objects.values_list("pk", "parent_id", "path"))
    valid = set(
        valid_during(Area.objects.all(), start=period.start, end=period.end).values_list(
            "pk", flat=True
        )
    )
    below: dict = defaultdict(dict)
    for pk, parent, _path in sorted(areas, key=lambda a: -len(a[2])):
        if parent is None:
            continue
        into = below[parent]
        for key, fold in below.get(pk, {}).items():
            into[key] = into.get(key, EMPTY) + fold
        if pk in valid:
            for key, fold in own.get(pk, {}).items():
                into[key] = into.get(key, EMPTY) + fold
    return below


def figures_written(figures) -> None:
    """In the transaction that wrote `figures` (value or status): the rows of their indicators
    at their units' areas and above, computed again — where the period's rows are built."""
    touched: dict = defaultdict(set)  # period id → {(indicator id, unit id)}
    for figure in figures:
        touched[figure.period_id].add((figure.indicator_id, figure.unit_id))
    if not touched:
        return
    for period_id in sorted(touched):
        hold_pair(period_id, PERIOD_KEY, shared=True)
    built = dict(
        PeriodTotals.objects.filter(
            period_id__in=touched, generation=_generation_now()
        ).values_list("period_id", "generation")
    )
    for period in ReportingPeriod.objects.filter(pk__in=built).order_by("pk"):
        _refresh(period=period, generation=built[period.pk], pairs=touched[period.pk])


def _refresh(*, period: ReportingPeriod, generation: int, pairs: set) -> None:
    indicators = sorted({indicator for indicator, _ in pairs})
    units = sorted({unit for _, unit in pairs})
    # Then each (period, indicator) and each (period, unit) — a unit's sent row counts all
    # its indicators, so two writers of different indicators of one unit wait for each
    # other too — all in one order (indicator ids above zero, unit ids below it).
    for indicator in indicators:
        hold_pair(period.pk, indicator)
    for unit in units:
        hold_pair(period.pk, -unit)
    paths = set(
        Department.objects.filter(pk__in={unit for _, unit in pairs}).values_list(
            "area__path", flat=True
        )
    )
    codes = {code for path in paths for code in path.split("/") if code}
    undue = ~_due(_retired_before(period))
    rows = [
        row
        for area_pk, path in Area.objects.filter(code__in=codes).values_list("pk", "path")
        for row in _area_rows(
            area_pk=area_pk,
            path=path,
            period=period,
            generation=generation,
            indicators=indicators,
            undue=undue,
        )
    ]
    AreaTotal.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["generation", "period", "area", "indicator", "approved"],
        update_fields=[f"{side}_{name}" for side in ("own", "below") for name in _FIELDS],
    )
    UnitSent.objects.bulk_create(
        _unit_rows(period=period, generation=generation, units=Q(unit_id__in=units), every=units),
        update_conflicts=True,
        unique_fields=["generation", "period", "unit"],
        update_fields=["sent", "last_sent_at"],
    )


def _area_rows(*, area_pk, path, period, generation, indicators, undue) -> list[AreaTotal]:
    """One area's rows of `indicators` on both bases, folded again from the figures below it
    (one grouped query)."""
    own_units = Q(unit__area_id=area_pk)
    below_units = ~own_units & valid_condition(
        start=period.start, end=period.end, prefix="unit__area__"
    )
    folds = (
        Figure.objects.filter(
            period=period, indicator_id__in=indicators, unit__area__path__startswith=path
        )
        .exclude(value=None)
        .values("indicator_id")
        .annotate(
            **_folds("co", own_units, undue),
            **_folds("ao", own_units & _APPROVED, undue),
            **_folds("cb", below_units, undue),
            **_folds("ab", below_units & _APPROVED, undue),
        )
        .order_by()
    )
    found = {row["indicator_id"]: row for row in folds}
    return [
        _row(
            generation=generation,
            period=period,
            area_id=area_pk,
            indicator_id=indicator,
            approved=approved,
            own=_fold(found[indicator], own) if indicator in found else EMPTY,
            below=_fold(found[indicator], below) if indicator in found else EMPTY,
        )
        for indicator in indicators
        for approved, own, below in ((False, "co", "cb"), (True, "ao", "ab"))
    ]


def _unit_rows(*, period, generation: int, units: Q, every=()) -> list[UnitSent]:
    """The UnitSent rows of the units matching `units` that sent anything, and a zero row
    for each of `every` that sent nothing (metrics.sent's reading of “sent”)."""
    rows = {
        unit: UnitSent(
            generation=generation, period=period, unit_id=unit, sent=sent, last_sent_at=last
        )
        for unit, _code, sent, last in sent_by_unit(period=period, units=units)
    }
    for unit in every:
        rows.setdefault(unit, UnitSent(generation=generation, period=period, unit_id=unit))
    return [rows[unit] for unit in sorted(rows)]  # upserted in one order


def unit_sent(*, area: Area, period: ReportingPeriod) -> dict | None:
    """unit code → (due figures sent, when the last was sent) for the units below `area`,
    read from the kept rows; None when the period's rows are not built."""
    generation = built_generation(period)
    if generation is None:
        return None
    return {
        code: (sent, last)
        for code, sent, last in UnitSent.objects.filter(
            generation=generation, period=period, unit__area__path__startswith=area.path
        ).values_list("unit__code", "sent", "last_sent_at")
    }


@dataclass(frozen=True)
class Group:
    """One group of metrics.rollup_flat's grouped query, as the rows give it."""

    total: Decimal | None
    low: Decimal | None
    high: Decimal | None
    n: int
    undue: int
    direct: bool  # the units placed in the child itself (a NONE indicator reads these only)


def groups(*, area: Area, period: ReportingPeriod, children: list[str], codes, basis_approved):
    """metrics.rollup_flat's groups read from the rows — (indicator code, child, direct) for
    each child area's own units (direct) and those below them — or None when the period's
    rows are not built. The units placed in `area` itself are read from their figures."""
    generation = built_generation(period)
    if generation is None:
        return None
    result = {}
    rows = AreaTotal.objects.filter(
        generation=generation,
        period=period,
        area__in=Area.objects.filter(code__in=children),
        indicator__code__in=codes,
        approved=basis_approved,
    ).values_list(
        "indicator__code", "area__code", *(f"{s}_{n}" for s in ("own", "below") for n in _FIELDS)
    )
    for code, child, *numbers in rows:
        for direct, (total, low, high, n, undue) in ((True, numbers[:5]), (False, numbers[5:])):
            if n:
                result[(code, child, direct)] = Group(total, low, high, n, undue, direct)
    own = Figure.objects.filter(period=period, unit__area=area, indicator__code__in=codes).exclude(
        value=None
    )
    if basis_approved:
        own = own.filter(_APPROVED)
    is_due = ExpressionWrapper(_due(_retired_before(period)), output_field=BooleanField())
    for code, unit, value, due in own.annotate(is_due=is_due).values_list(
        "indicator__code", "unit__code", "value", "is_due"
    ):
        result[(code, unit, False)] = Group(value, value, value, 1, 0 if due else 1, False)
    return result
