"""The formula language of computed indicators: precedence, prev, sum, gaps and the checks
on save."""

import decimal
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.formula_graph import CatalogueEntry, check, compute_all
from metrics.formulas import (
    FormulaError,
    Ref,
    codes_to_names,
    evaluate,
    names_to_codes,
    parse,
    rounded,
)

D = Decimal


def value(text, current=None, previous=None):
    return evaluate(parse(text), current or {}, previous).value


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 - 4 - 3", D(3)),
        ("24 / 4 / 2", D(3)),
        ("-2 * 3", D(-6)),
        ("2 * -3", D(-6)),
        ("--4", D(4)),
        ("0.1 + 0.2", D("0.3")),
        ("（1＋2）×３", D(9)),
        ("12 ÷ 4", D(3)),
        ("sum(1, 2, 3)", D(6)),
        ("sum(1, 2 * 3) / 7", D(1)),
    ],
)
def test_arithmetic_follows_school_precedence_exactly(text, expected):
    assert value(text) == expected


def test_codes_prev_and_sum_read_the_periods_values():
    current = {"a": D(120), "b": D(150), "c": D(30)}
    previous = {"a": D(100)}
    assert value("a / b * 100", current) == D(80)
    assert value("a - prev(a)", current, previous) == D(20)
    assert value("sum(a, b, c)", current) == D(300)
    assert parse("a + prev(b) + sum(c, a)").codes() == {"a", "c"}
    assert parse("a + prev(b)").all_codes() == {"a", "b"}


def test_division_by_zero_and_missing_inputs_are_gaps_not_exceptions():
    zero = evaluate(parse("a / b * 100"), {"a": D(3), "b": D(0)})
    assert zero.is_gap and zero.division_by_zero
    assert zero.reason() == "除数为 0，无法计算"
    missing = evaluate(parse("a / b + prev(a)"), {"a": D(3), "b": None}, {})
    assert missing.is_gap
    assert missing.missing == (Ref("b"), Ref("a", previous=True))
    assert missing.reason({"a": "受理数", "b": "办结数"}) == "缺少：办结数、上期受理数"


def test_rounding_is_half_up_at_the_indicators_places():
    assert rounded(D("80.25"), 1) == D("80.3")
    assert rounded(D("2") / D("3") * 100, 1) == D("66.7")
    assert rounded(D("0.5"), 0) == D(1)
    assert rounded(D("-0.5"), 0) == D(-1)
    outcomes = compute_all({"r": parse("a / b * 100")}, {"r": 1}, {"a": D(1), "b": D(3)})
    assert outcomes["r"].value == D("33.3")


def test_a_computed_indicator_feeds_another_and_a_gap_names_the_root_input():
    formulas = {"total": parse("x + y"), "share": parse("x / total * 100")}
    outcomes = compute_all(formulas, {"share": 1}, {"x": D(1), "y": D(3)})
    assert outcomes["total"].value == D(4) and outcomes["share"].value == D(25)
    gap = compute_all(formulas, {}, {"x": D(1), "y": None})
    assert gap["share"].missing == (Ref("y"),)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "公式不能为空"),
        ("a +", "公式不完整"),
        ("(a + b", "结尾缺少数值、指标代码或右括号"),
        ("(a + b c", "应为“)”"),
        ("a b", "多出“b”"),
        ("a % b", "无法识别的字符“%”"),
        ("max(a, b)", "未知的函数“max”"),
        ("prev(1)", "prev( ) 的括号里应是一个指标代码"),
        ("sum", "sum 后面应有括号"),
        ("a * , b", "不应出现“,”"),
    ],
)
def test_syntax_errors_are_refused_with_a_chinese_message(text, message):
    with pytest.raises(FormulaError, match=re.escape(message)):
        parse(text)


CATALOGUE = {
    "received": CatalogueEntry("受理行政复议案件"),
    "closed": CatalogueEntry("办结行政复议案件"),
    "old": CatalogueEntry("旧指标", retired=True),
    "rate": CatalogueEntry("办结率", formula="closed / received * 100"),
    "loop_a": CatalogueEntry("甲", formula="loop_b + 1"),
    "loop_b": CatalogueEntry("乙", formula="closed"),
}


def test_the_checks_refuse_unknown_codes_retired_inputs_itself_and_cycles():
    assert check("closed / received * 100", code="rate", catalogue=CATALOGUE).codes() == {
        "closed",
        "received",
    }
    with pytest.raises(FormulaError, match="不存在的指标代码“nope”"):
        check("nope + 1", code="rate", catalogue=CATALOGUE)
    # Named by the indicators' names, as the office writes them.
    with pytest.raises(FormulaError, match="已停用的指标：旧指标。"):
        check("old + 1", code="rate", catalogue=CATALOGUE)
    with pytest.raises(FormulaError, match="不能引用指标本身（办结率）"):
        check("rate + 1", code="rate", catalogue=CATALOGUE, name="办结率")
    # loop_b's new formula would read loop_a, which reads loop_b.
    with pytest.raises(FormulaError, match="循环引用：乙 → 甲 → 乙"):
        check("loop_a * 2", code="loop_b", catalogue=CATALOGUE, name="乙")
    # prev() of itself reads another period: no cycle.
    assert check("closed - prev(loop_b)", code="loop_b", catalogue=CATALOGUE)


@given(st.text(max_size=60))
def test_the_parser_never_fails_other_than_with_a_formula_error(text):
    try:
        formula = parse(text)
    except FormulaError:
        return
    evaluate(
        formula,
        {code: D(1) for code in formula.all_codes()},
        {c: D(1) for c in formula.all_codes()},
    )


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False),
    st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False),
)
def test_evaluation_is_exact_decimal_arithmetic(a, b):
    values = {"a": a, "b": b}
    with decimal.localcontext(prec=60):  # what Python's default 28 digits would round
        assert value("a + b", values) == a + b
        assert value("a * b - b", values) == a * b - b
    if b == 0:
        assert evaluate(parse("a / b"), values).division_by_zero


@pytest.mark.parametrize(
    "text, message",
    [
        ("(" * 300 + "1" + ")" * 300, "括号嵌套太深"),
        ("sum(" * 40 + "1" + ")" * 40, "括号嵌套太深"),
        ("1" + "+1" * 300, "运算层次太多"),
        ("1" + "0" * 21, "太大：整数部分最多 20 位"),
    ],
)
def test_formulas_too_deep_or_too_large_are_refused_in_chinese(text, message):
    with pytest.raises(FormulaError, match=message):
        parse(text)


def test_many_signs_are_read_without_recursion():
    assert value("-" * 990 + "1") == D(1)
    assert value("-" * 991 + "1") == D(-1)


def test_a_value_beyond_the_exact_arithmetic_is_a_gap_not_an_exception():
    big = D("9" * 20)
    outcomes = compute_all({"r": parse("a * a * a * 99999999999999999999")}, {"r": 0}, {"a": big})
    assert outcomes["r"].is_gap
    assert outcomes["r"].reason() == "数值超出范围，无法计算"


def test_a_cycle_that_slipped_in_is_a_gap_named_as_such():
    outcomes = compute_all({"a": parse("b + 1"), "b": parse("a + 1")}, {}, {})
    assert outcomes["a"].cycle and outcomes["a"].reason() == "公式循环引用，无法计算"


def test_a_gap_names_inputs_awaiting_review_apart_from_missing_ones():
    missing = evaluate(parse("a / b + prev(a)"), {}, {})
    names = {"a": "受理数", "b": "办结数"}
    assert missing.reason(names, pending={"a"}) == "待审核：受理数；缺少：办结数、上期受理数"
    assert missing.reason(names, pending={"a", "b"}) == "待审核：受理数、办结数；缺少：上期受理数"


NAMES = {code: entry.name for code, entry in CATALOGUE.items()}
CODES = {entry.name: [code] for code, entry in CATALOGUE.items()}


def test_a_formula_written_with_names_is_stored_with_codes_and_read_back_with_names():
    written = "【办结行政复议案件】/【受理行政复议案件】*100"
    stored = names_to_codes(written, CODES)
    assert stored == "closed / received *100"
    assert check(stored, code="rate", catalogue=CATALOGUE).codes() == {"closed", "received"}
    assert codes_to_names(stored, NAMES) == "【办结行政复议案件】 / 【受理行政复议案件】 *100"
    mixed = names_to_codes("prev（【甲】）+ sum(【乙】,[受理行政复议案件])", CODES)
    assert [(r.code, r.previous) for r in parse(mixed).refs] == [
        ("loop_a", True),
        ("loop_b", False),
        ("received", False),
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("【不存在的指标】 + 1", "没有名为“不存在的指标”的指标"),
        ("【】 + 1", "空的【】"),
        ("【同名】 + 1", "有多个名为“同名”的指标，请改用指标代码：x1、x2"),
    ],
)
def test_a_name_that_is_no_single_indicator_is_refused_by_name(written, message):
    with pytest.raises(FormulaError, match=message):
        names_to_codes(written, CODES | {"同名": ["x1", "x2"]})


@given(
    st.lists(st.sampled_from(sorted(NAMES)), min_size=1, max_size=6),
    st.lists(st.sampled_from(["+", "-", "*", "/"]), min_size=5, max_size=5),
    st.booleans(),
)
def test_names_and_codes_round_trip(codes, operators, previous):
    """Whatever the formula, names → codes → names → codes gives the same stored formula,
    and the stored one parses to the same references."""
    parts = []
    for index, code in enumerate(codes):
        ref = f"【{NAMES[code]}】"
        parts.append(f"prev({ref})" if previous and index == 0 else ref)
        if index < len(codes) - 1:
            parts.append(operators[index])
    stored = names_to_codes(" ".join(parts), CODES)
    assert names_to_codes(codes_to_names(stored, NAMES), CODES) == stored
    assert {r.code for r in parse(stored).refs} == set(codes)
