"""The values of the computed indicators (计算指标) in a period: one selector for every face (the
entry sheet's rules, the review page, the dashboard and its workbook, the API, the speech's
snapshot).

For a period and a basis:

- ``APPROVED``: the inputs' approved figures only, for a final report and the leader's figures;
- ``CURRENT``: the inputs as they stand (drafts too), for drafts and the checks during entry;

every computed indicator's value, rounded half up to its decimal places (metrics.formulas), its
Outcome (a gap names the missing inputs), its inputs, and the previous comparable period's
value computed from approved inputs (同比, compared as every face compares: metrics.change).
The previous period is computed first, so that ``prev(code)`` of a computed code works.

A fixed number of queries whatever the number of computed indicators (two), and work linear
in the formula graph: each formula is evaluated once per period in dependency order, and the
entered inputs behind each are built once from those of the formulas it reads
(formula_graph.entered_inputs), never by walking shared sub-formulas again; the checks on save
bound the graph's depth and size (formulas.MAX_CHAIN, formulas.MAX_COMPUTED).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from . import access
from .change import Change, indicator_change
from .formula_graph import compute_all, entered_inputs
from .formulas import Formula, FormulaError, Outcome, Ref, parse
from .models import Figure, FigureStatus, Indicator, ReportingPeriod
from .numbers import shown
from .periods import PeriodCode

APPROVED = "approved"
CURRENT = "current"
BASES = (APPROVED, CURRENT)

COMPUTED_MARK = "计算"
BAD_FORMULA = "公式无法解析，无法计算"
# What a clerk reads for a value computed from another department's figures that are not
# approved yet (visible_to): the same words on every page, sheet and API answer.
NOT_YET_AVAILABLE = "暂不可用：所用的其他部门数据尚未审核通过"


@dataclass(frozen=True)
class Input:
    """One indicator a formula reads, as it stands in the period (or the previous one)."""

    code: str
    name: str
    department: str
    value: Decimal | None = None
    status: str | None = None  # the figure's status; None: no figure
    previous: bool = False  # prev(code): the previous comparable period's approved value
    # Entered in this period but not approved yet; with the approved basis its value is left
    # out (None), and a computed value lacking it says 待审核 rather than 缺少.
    pending: bool = False

    @property
    def label(self) -> str:
        return ("上期" if self.previous else "") + self.name


@dataclass(frozen=True)
class ComputedValue:
    indicator: Indicator
    formula: Formula | None
    outcome: Outcome
    previous: Decimal | None
    basis: str
    period_code: str = ""
    inputs: tuple[Input, ...] = ()  # the formula's own references, in formula order
    # The entered inputs reached through computed ones too (same period), in formula order.
    leaves: tuple[Input, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    _by_code: Mapping[str, Input] = field(default_factory=dict, repr=False)
    # Not shown to this viewer (withheld_from): no value, the reason NOT_YET_AVAILABLE.
    withheld: bool = False

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def period_label(self) -> str:
        return PeriodCode.parse(self.period_code).label if self.period_code else ""

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def value(self) -> Decimal | None:
        return self.outcome.value

    @property
    def places(self) -> int:
        """Its decimal places: every face prints that many (95.0, not 95)."""
        return self.indicator.decimal_places

    @property
    def value_display(self) -> str:
        return shown(self.value, places=self.places)

    @property
    def previous_display(self) -> str:
        return shown(self.previous, places=self.places)

    @property
    def is_gap(self) -> bool:
        return self.outcome.is_gap or self.formula is None

    @property
    def reason(self) -> str:
        """Why there is no value, in Chinese ("" when there is one)."""
        if self.withheld:
            return NOT_YET_AVAILABLE
        if self.formula is None:
            return BAD_FORMULA
        pending = {code for code, i in self._by_code.items() if i.pending}
        return self.outcome.reason(self.names, pending=pending)

    @property
    def change(self) -> Change:
        return indicator_change(self.indicator, self.value, self.previous)

    @property
    def formula_text(self) -> str:
        return self.indicator.formula

    @property
    def input_codes(self) -> list[str]:
        return [i.code for i in self.inputs if not i.previous]

    @property
    def inputs_text(self) -> str:
        """受理行政复议案件、办结行政复议案件: what the value is computed from."""
        return "、".join(dict.fromkeys(i.label for i in self.inputs))

    @property
    def formula_words(self) -> str:
        """The formula as people read it: names for codes (办结行政复议案件 ÷ 受理行政复议案件 × 100)."""
        return formula_in_words(self.formula_text, self.names)

    @property
    def description(self) -> str:
        """计算指标，由…计算（…） — the mark every face shows, in names, never codes."""
        return f"{COMPUTED_MARK}指标，由{self.inputs_text}计算（{self.formula_words}）"

    @property
    def missing_inputs(self) -> list[Input]:
        """The inputs without a value (expanded to entered ones), with their departments."""
        return [self._input(ref) for ref in self.outcome.missing]

    @property
    def unapproved_inputs(self) -> list[Input]:
        """Entered inputs of this period with a value that is not approved yet."""
        return [
            i
            for i in self.leaves
            if i.value is not None and i.status != FigureStatus.APPROVED and not i.previous
        ]

    @property
    def approved(self) -> bool:
        """Computed from approved inputs only: it may stand in a final report."""
        return not self.is_gap and not self.unapproved_inputs

    def _input(self, ref: Ref) -> Input:
        known = self._by_code.get(ref.code)
        if known is None:
            return Input(ref.code, self.names.get(ref.code, ref.code), "", previous=ref.previous)
        if ref.previous:
            return Input(known.code, known.name, known.department, previous=True)
        return known


@dataclass(frozen=True)
class _Catalogue:
    indicators: list  # every computed Indicator
    formulas: dict  # code -> Formula (those that parse)
    places: dict
    wanted: set  # the codes the formulas read that are not computed
    names: dict
    departments: dict


def _catalogue() -> _Catalogue | None:
    """The computed indicators and the names of what their formulas read, from one query over
    the catalogue (a few dozen rows; None when nothing is computed)."""
    catalogue = list(
        Indicator.objects.select_related("section", "department__area").defer("help_text")
    )
    indicators = [i for i in catalogue if i.is_computed]
    if not indicators:
        return None
    formulas = {}
    for indicator in indicators:
        try:
            formulas[indicator.code] = parse(indicator.formula)
        except FormulaError:
            continue  # the checks on save refuse it; one that slipped in is a gap
    places = {i.code: i.decimal_places for i in indicators}
    wanted = {code for f in formulas.values() for code in f.all_codes()} - set(places)
    names = {i.code: i.name for i in catalogue}
    departments = {i.code: i.department.name for i in catalogue}
    return _Catalogue(indicators, formulas, places, wanted, names, departments)


def _figures(catalogue: _Catalogue, period_codes) -> dict[str, dict[str, tuple]]:
    """The inputs' (value, status) by period code and indicator code, each as its own
    department reports it (metrics.selectors.period_values; a township's figure of the same
    indicator is not the district's) — one query."""
    rows = Figure.objects.filter(
        indicator__code__in=catalogue.wanted, unit=F("indicator__department")
    )
    if period_codes is not None:
        rows = rows.filter(period__code__in=set(period_codes))
    figures: dict[str, dict[str, tuple]] = {}
    for period_code, code, value, status in rows.values_list(
        "period__code", "indicator__code", "value", "status"
    ):
        figures.setdefault(period_code, {})[code] = (value, status)
    return figures


_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SIGNS = str.maketrans({"*": "×", "/": "÷"})


def formula_in_words(text: str, names: Mapping[str, str]) -> str:
    """A formula with each indicator code replaced by its name (prev(code) → 上期name, sum → 合计),
    × and ÷ for * and /: what a page shows people, who read names and not codes."""
    text = re.sub(r"prev\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)", lambda m: f"上期{m[1]}", text)

    def word(match):
        code = match[0]
        if code == "sum":
            return "合计"
        return names.get(code, code)

    return _CODE.sub(word, text).translate(_SIGNS)


def _previous_codes(period_code: str) -> tuple[str, str]:
    previous = PeriodCode.parse(period_code).previous_comparable
    return str(previous), str(previous.previous_comparable)


def computed_values(
    *,
    period: ReportingPeriod,
    basis: str = APPROVED,
    department=None,
    overrides: Mapping[str, Decimal | None] | None = None,
) -> dict[str, ComputedValue]:
    """Every computed indicator of the period (of `department` when given), by code.
    `overrides` are this period's values about to be written (an import checks its rules
    over them), taken as they are whatever the basis."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, not {basis!r}")
    catalogue = _catalogue()
    if catalogue is None:
        return {}
    figures = _figures(catalogue, {period.code, *_previous_codes(period.code)})
    result = _evaluate(catalogue, period, figures, basis, overrides)
    if department is not None:
        result = {c: v for c, v in result.items() if v.indicator.department_id == department.pk}
    return result


def computed_history(*, indicator: Indicator) -> list[ComputedValue]:
    """A computed indicator's value in every period (newest first) from approved inputs, with
    the previous comparable period's, in a fixed number of queries (the dashboard's drill-down)."""
    catalogue = _catalogue()
    if catalogue is None or indicator.code not in catalogue.places:
        return []
    figures = _figures(catalogue, None)
    periods = ReportingPeriod.objects.order_by("-start", "-end")
    found = []
    for period in periods:
        value = _evaluate(catalogue, period, figures, APPROVED, None).get(indicator.code)
        if value is not None:
            found.append(value)
    return found


def _evaluate(catalogue, period, figures, basis, overrides) -> dict[str, ComputedValue]:
    """Pure: the computed values of `period` from the inputs' figures already read."""
    formulas = catalogue.formulas
    values = _PeriodValues.of(catalogue, period, figures, basis, overrides)
    leaves_by_code = entered_inputs(formulas)
    result = {}
    for indicator in catalogue.indicators:
        if indicator.is_retired_for(period):
            continue
        formula = formulas.get(indicator.code)
        own = [values.input(ref) for ref in formula.refs] if formula else []
        leaves = [values.input(ref) for ref in leaves_by_code[indicator.code]] if formula else []
        previous_outcome = values.previous_outcomes.get(indicator.code)
        result[indicator.code] = ComputedValue(
            indicator=indicator,
            formula=formula,
            outcome=values.outcomes.get(indicator.code, Outcome(None)),
            previous=previous_outcome.value if previous_outcome is not None else None,
            basis=basis,
            period_code=period.code,
            inputs=tuple(own),
            leaves=tuple(leaves),
            names=catalogue.names,
            _by_code={i.code: i for i in [*own, *leaves] if not i.previous},
        )
    return result


@dataclass
class _PeriodValues:
    """One period's inputs and outcomes, and the previous comparable period's, on a basis."""

    catalogue: "_Catalogue"
    basis: str
    this_period: dict  # code: (value, status), with the overrides
    previous_all: dict  # the previous period's approved inputs and computed values
    previous_outcomes: dict
    outcomes: dict

    @classmethod
    def of(cls, catalogue, period, figures, basis, overrides) -> "_PeriodValues":
        formulas, places, wanted = catalogue.formulas, catalogue.places, catalogue.wanted
        previous_code, before_previous = _previous_codes(period.code)

        def approved_values(period_code) -> dict[str, Decimal | None]:
            return {
                code: value
                for code, (value, status) in figures.get(period_code, {}).items()
                if status == FigureStatus.APPROVED
            }

        # The previous comparable period from approved inputs, computed first for
        # prev(computed).
        previous_values = approved_values(previous_code)
        previous_outcomes = compute_all(
            formulas, places, previous_values, approved_values(before_previous)
        )
        previous_all = previous_values | {c: o.value for c, o in previous_outcomes.items()}
        this_period = figures.get(period.code, {})
        if overrides:
            this_period = this_period | {
                code: (value, FigureStatus.APPROVED)
                for code, value in overrides.items()
                if code in wanted
            }
        if basis == APPROVED:
            current = {
                code: value
                for code, (value, status) in this_period.items()
                if status == FigureStatus.APPROVED
            }
        else:
            current = {code: value for code, (value, _) in this_period.items()}
        outcomes = compute_all(formulas, places, current, previous_all)
        return cls(catalogue, basis, this_period, previous_all, previous_outcomes, outcomes)

    def input(self, ref: Ref) -> Input:
        value, status, pending = (None, None, False)
        if ref.previous:
            value = self.previous_all.get(ref.code)
        elif ref.code in self.this_period:
            value, status = self.this_period[ref.code]
            pending = value is not None and status != FigureStatus.APPROVED
            if self.basis == APPROVED and status != FigureStatus.APPROVED:
                value = None
        elif ref.code in self.outcomes:
            value = self.outcomes[ref.code].value
        return Input(
            ref.code,
            self.catalogue.names.get(ref.code, ref.code),
            self.catalogue.departments.get(ref.code, ""),
            value,
            status,
            ref.previous,
            pending,
        )


def computed_over(
    *, period: ReportingPeriod, values: Mapping[str, Decimal | None]
) -> dict[str, Decimal | None]:
    """The computed indicators' values over `values` (this period's entered values as they
    would stand), by code."""
    computed = computed_values(period=period, basis=CURRENT, overrides=values)
    return {code: c.value for code, c in computed.items()}


def withheld_from(value: ComputedValue, *, department) -> bool:
    """The one rule for who sees a computed value: one computed from current inputs is shown
    to a department's clerk only when every entered input it reads (through other computed
    indicators too) is the department's own or approved; a draft or a submitted figure of
    another department must not show through it. (Department names are unique, and an
    Input names its department.)"""
    own = getattr(department, "name", None)
    return any(
        i.pending and not i.previous and i.department != own for i in (*value.leaves, *value.inputs)
    )


def visible_to(
    values: Mapping[str, ComputedValue], *, user=None, department=None
) -> dict[str, ComputedValue]:
    """`values` as `user` may see them: all of them for someone who sees every department's
    figures (metrics.view_all_figures: the 法制办, the leader); for anyone else, seen as the
    clerk of `department` (by default the user's), each value withheld_from that department
    reads as not yet available: no value, no input values, the reason NOT_YET_AVAILABLE."""
    from dataclasses import replace

    if user is not None and access.can_view_all_figures(user):
        return dict(values)
    if department is None and user is not None:
        department = getattr(user, "department", None)
    shown = {}
    for code, value in values.items():
        if withheld_from(value, department=department):
            value = replace(
                value,
                outcome=Outcome(None),
                inputs=tuple(replace(i, value=None) for i in value.inputs),
                leaves=tuple(replace(i, value=None) for i in value.leaves),
                _by_code={},
                withheld=True,
            )
        shown[code] = value
    return shown
