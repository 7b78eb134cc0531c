"""The graph of computed indicators (计算指标): the checks a formula passes on save (its names,
no cycle, the chain's length and the catalogue's size within formulas.MAX_CHAIN and
formulas.MAX_COMPUTED), the order to evaluate them in, the entered figures each one reads and
every computed value of a period. Pure, like metrics.formulas, whose language it uses."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .formulas import (
    MAX_CHAIN,
    MAX_COMPUTED,
    Formula,
    FormulaError,
    Outcome,
    Ref,
    evaluate,
    parse,
    rounded,
)


@dataclass(frozen=True)
class CatalogueEntry:
    """What the checks need to know of an indicator."""

    name: str
    formula: str = ""
    retired: bool = False


def check(
    text: str, *, code: str, catalogue: Mapping[str, CatalogueEntry], name: str = ""
) -> Formula:
    """Parse the formula of indicator `code` (called `name`) and refuse an unknown code, a
    retired input, the indicator itself, a cycle through other computed indicators, a chain
    of computed indicators longer than MAX_CHAIN or more than MAX_COMPUTED computed
    indicators, each named in Chinese by the indicators' names. Linear in the catalogue:
    each formula is parsed once."""
    formula = parse(text)
    for ref in formula.refs:
        if ref.code == code and not ref.previous:
            raise FormulaError(f"公式不能引用指标本身（{name or code}）。")
        entry = catalogue.get(ref.code)
        if entry is None and ref.code != code:
            raise FormulaError(f"公式引用了不存在的指标代码“{ref.code}”。")
        if entry is not None and entry.retired:
            raise FormulaError(f"公式引用了已停用的指标：{entry.name}。")
    graph = _graph(code, formula, catalogue)
    if len(graph) > MAX_COMPUTED:
        raise FormulaError(f"计算指标太多：最多 {MAX_COMPUTED} 个。")
    cycle = _cycle_through(code, graph)
    if cycle:

        def named(step):
            entry = catalogue.get(step)
            return (name or step) if step == code else (entry.name if entry else step)

        raise FormulaError("公式形成循环引用：" + " → ".join(named(s) for s in cycle) + "。")
    if chain_length(graph) > MAX_CHAIN:
        raise FormulaError(
            f"计算指标层层引用太深：由计算指标再计算最多 {MAX_CHAIN} 层，请直接引用填报指标。"
        )
    return formula


def _graph(code, formula, catalogue) -> dict[str, list[str]]:
    """Every computed indicator (with `code` as `formula` makes it) → the computed indicators
    it reads in the same period."""
    texts = {c: e.formula for c, e in catalogue.items() if e.formula and c != code}
    graph = {}
    for other, text in texts.items():
        try:
            graph[other] = sorted(parse(text).codes())
        except FormulaError:
            graph[other] = []
    graph[code] = sorted(formula.codes())
    return {c: [d for d in reads if d in graph] for c, reads in graph.items()}


def _cycle_through(code, graph) -> list[str] | None:
    """The path code → … → code through same-period references, if there is one."""
    stack = [(code, [code])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for nxt in graph.get(node, ()):
            if nxt == code:
                return path + [code]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def chain_length(graph: Mapping[str, list[str]]) -> int:
    """The most computed indicators one above the other (1: reads entered figures only), each
    node visited once and without recursion; a link back into a cycle ends the chain."""
    length: dict[str, int] = {}
    visiting: set[str] = set()
    for start in graph:
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                visiting.discard(node)
                length[node] = 1 + max((length.get(d, 0) for d in graph[node]), default=0)
                continue
            if node in length or node in visiting:
                continue
            visiting.add(node)
            stack.append((node, True))
            stack.extend((d, False) for d in graph[node] if d not in length)
    return max(length.values(), default=0)


def evaluation_order(formulas: Mapping[str, Formula]) -> list[str]:
    """Computed codes so that each comes after the computed codes it reads (the checks on save
    keep the catalogue free of cycles; a cycle that slipped in is left out)."""
    order, state = [], {}

    def visit(code):
        if state.get(code) == "done":
            return True
        if state.get(code) == "visiting":
            return False
        state[code] = "visiting"
        ok = all(visit(dep) for dep in sorted(formulas[code].codes()) if dep in formulas)
        state[code] = "done" if ok else "cycle"
        if ok:
            order.append(code)
        return ok

    for code in sorted(formulas):
        visit(code)
    return order


def entered_inputs(formulas: Mapping[str, Formula]) -> dict[str, tuple[Ref, ...]]:
    """For each computed code, the entered inputs it reads, through computed ones too (same
    period), in formula order. Each formula's list is built once from its inputs' lists
    (dependency order), so shared sub-formulas are not walked again: linear in the graph."""
    found: dict[str, tuple[Ref, ...]] = {}
    order = evaluation_order(formulas)
    for code in [*order, *(c for c in formulas if c not in set(order))]:
        refs: list[Ref] = []
        for ref in formulas[code].refs:
            if ref.code not in formulas:
                refs.append(ref)
            elif not ref.previous:
                refs.extend(found.get(ref.code, ()))  # () for a cycle that slipped in
        found[code] = tuple(dict.fromkeys(refs))
    return found


def compute_all(
    formulas: Mapping[str, Formula],
    places: Mapping[str, int],
    current: Mapping[str, Decimal | None],
    previous: Mapping[str, Decimal | None] | None = None,
) -> dict[str, Outcome]:
    """Every computed indicator's rounded outcome for one period, computed indicators feeding
    others in dependency order. `previous` should already hold the previous period's computed
    values (compute_all over that period first) for `prev()` of a computed code."""
    values = dict(current)
    outcomes = {}
    for code in evaluation_order(formulas):
        outcome = evaluate(formulas[code], values, previous)
        if outcome.missing:
            # A computed input that is a gap: name what it lacks rather than itself.
            expanded = []
            for ref in outcome.missing:
                inner = outcomes.get(ref.code) if not ref.previous else None
                expanded.extend(inner.missing if inner is not None and inner.missing else [ref])
            outcome = Outcome(None, missing=tuple(dict.fromkeys(expanded)))
        if outcome.value is not None:
            outcome = Outcome(rounded(outcome.value, places.get(code, 0)))
        outcomes[code] = outcome
        values[code] = outcome.value
    for code in formulas:
        outcomes.setdefault(code, Outcome(None, cycle=True))
    return outcomes
