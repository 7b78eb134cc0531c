"""Bounded work over the graph of computed indicators (issue 21, case 1): generated graphs
(ladders, diamonds, wide sums) cost evaluation steps linear in their size, and the checks on
save refuse a chain of computed indicators deeper than formulas.MAX_CHAIN in Chinese."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from metrics import computed, formula_graph, formulas, services
from metrics.models import Figure, FigureStatus, Indicator, Section, ValueType
from tests import factories
from tests.steps import steps_of


def ladder(n: int) -> dict[str, str]:
    """c_k = c_{k-1} + d_{k-1}, d_k = c_{k-1} - d_{k-1}: each rung reads both of the one below."""
    return {
        **{f"c{k}": f"c{k - 1} + d{k - 1}" for k in range(1, n + 1)},
        **{f"d{k}": f"c{k - 1} - d{k - 1}" for k in range(1, n + 1)},
    }


def diamonds(n: int) -> dict[str, str]:
    """top_k reads left_k and right_k, both reading top_{k-1}: a chain of diamonds."""
    graph = {}
    for k in range(1, n + 1):
        below = f"top{k - 1}" if k > 1 else "c0 + d0"
        graph[f"left{k}"] = f"{below} * 2"
        graph[f"right{k}"] = f"{below} + 1"
        graph[f"top{k}"] = f"left{k} + right{k}"
    return graph


def wide_sums(n: int) -> dict[str, str]:
    """n computed terms over their own entered inputs, and one sum of them all, read by n more."""
    graph = {f"w{k}": f"e{k} * 1" for k in range(n)}
    graph["total"] = "sum(" + ", ".join(f"w{k}" for k in range(n)) + ")"
    graph |= {f"share{k}": f"w{k} / total * 100" for k in range(n)}
    return graph


def entered_of(graph) -> set[str]:
    parsed = [formulas.parse(text) for text in graph.values()]
    return {code for f in parsed for code in f.all_codes()} - set(graph)


def evaluate_all(graph):
    parsed = {code: formulas.parse(text) for code, text in graph.items()}
    values = {code: Decimal(3) for code in entered_of(graph)}
    outcomes = formula_graph.compute_all(parsed, {}, values)
    leaves = formula_graph.entered_inputs(parsed)
    return outcomes, leaves


@pytest.mark.parametrize("shape", [ladder, diamonds, wide_sums])
def test_evaluation_steps_grow_linearly_with_the_graph(shape):
    small, large = shape(8), shape(16)
    small_steps = steps_of(lambda: evaluate_all(small))
    large_steps = steps_of(lambda: evaluate_all(large))
    # Twice the formulas, about twice the steps; walking shared sub-formulas again would
    # multiply them by thousands for the ladder.
    assert large_steps / small_steps < 2.6 * len(large) / len(small) / 2
    outcomes, leaves = evaluate_all(large)
    assert all(o.value is not None for o in outcomes.values())
    assert all(leaves[code] for code in large)


def test_a_ladder_names_only_its_two_entered_roots():
    outcomes, leaves = evaluate_all(ladder(20))
    assert [ref.code for ref in leaves["c20"]] == ["c0", "d0"]
    assert outcomes["d1"].value == 0 and outcomes["c2"].value == 6


def test_a_gap_at_the_foot_of_a_ladder_names_the_missing_root():
    parsed = {code: formulas.parse(text) for code, text in ladder(20).items()}
    outcomes = formula_graph.compute_all(parsed, {}, {"c0": Decimal(1)})
    assert outcomes["c20"].reason({"d0": "底数"}) == "缺少：底数"


def test_pages_showing_a_ladder_of_twenty_computed_pairs_stay_linear(period, sfj):
    """Case 1 as reported: c_n = c_{n-1}+d_{n-1}, d_n = c_{n-1}-d_{n-1} for n = 1…20."""
    section = Section.objects.get(code="biz")
    Indicator.objects.filter(formula__gt="").delete()

    def build(n, prefix):
        entered = {}
        for root in ("c0", "d0"):
            entered[root] = factories.IndicatorFactory(
                code=f"{prefix}{root}", department=sfj, section=section
            )
            Figure.objects.create(
                indicator=entered[root],
                period=period,
                value=4,
                status=FigureStatus.APPROVED,
                value_type=ValueType.COUNT,
            )
        for code, text in ladder(n).items():
            text = " ".join(f"{prefix}{word}" if word[0] in "cd" else word for word in text.split())
            factories.IndicatorFactory(
                code=f"{prefix}{code}",
                formula=text,
                decimal_places=0,
                department=sfj,
                section=section,
            )

    def steps():
        return steps_of(lambda: computed.computed_values(period=period, basis=computed.APPROVED))

    build(10, "x_")
    build(10, "y_")
    two_of_ten = steps()  # 40 computed indicators
    build(20, "z_")
    and_twenty = steps()  # 80: twice the graph, about twice the steps, however tall
    # Walking shared sub-formulas again costs three to four times more per extra pair.
    assert and_twenty / two_of_ten < 2.6
    values = computed.computed_values(period=period, basis=computed.APPROVED)
    assert values["z_c20"].value is not None
    assert [i.code for i in values["z_c20"].leaves] == ["z_c0", "z_d0"]


def test_a_chain_of_computed_indicators_deeper_than_the_limit_is_refused(reviewer, sfj):
    section = Section.objects.get(code="biz")
    factories.IndicatorFactory(code="chain0", department=sfj, section=section)
    for k in range(1, formulas.MAX_CHAIN + 1):
        services.create_indicator(
            user=reviewer,
            code=f"chain{k}",
            name=f"逐层计算{k}",
            section=section,
            department=sfj,
            unit="个",
            formula=f"chain{k - 1} + 1",
            decimal_places=0,
        )
    with pytest.raises(ValidationError) as caught:
        services.create_indicator(
            user=reviewer,
            code="chain_too_deep",
            name="太深的计算",
            section=section,
            department=sfj,
            unit="个",
            formula=f"chain{formulas.MAX_CHAIN} + 1",
            decimal_places=0,
        )
    assert caught.value.error_dict["formula"][0].code == "formula_invalid"
    assert "层层引用太深" in caught.value.error_dict["formula"][0].messages[0]
    assert not Indicator.objects.filter(code="chain_too_deep").exists()


@pytest.mark.parametrize("n", [1, 5, formulas.MAX_CHAIN - 1])
def test_chain_length_counts_the_longest_path_once_per_node(n):
    graph = {f"k{i}": ([f"k{i - 1}"] if i else []) for i in range(n + 1)}
    assert formula_graph.chain_length(graph) == n + 1
    cyclic = {"a": ["b"], "b": ["a"]}
    assert formula_graph.chain_length(cyclic) == 2
