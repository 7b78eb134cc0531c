"""Computed indicators (计算指标): the formula language and its exact evaluation (the checks on
save and the graph of computed indicators are in metrics.formula_graph).

A formula is arithmetic over other indicators of the same period:

    biz_review_cases_closed / biz_review_cases_received * 100
    sum(biz_external_law_experts, biz_external_lawyers) - prev(biz_external_lawyers)

`+ - * /`, parentheses, decimal constants, indicator codes, `prev(code)` (the value in the
previous comparable period) and `sum(a, b, …)`. People write and read it by names in 【】:
``【办结行政复议案件】/【受理行政复议案件】*100`` is stored with codes (`names_to_codes`) and
shown back with names (`codes_to_names`). Full-width operators and brackets typed with a
Chinese input method mean the same. Evaluation is exact in `Decimal`; a missing input or a
division by zero is a gap (no value, with the reason), never an exception. This module is pure:
the callers bring the values (metrics.computed) and the catalogue
(metrics.services.catalogue_indicators).
"""

import decimal
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

MAX_LENGTH = 1000
# Brackets and functions nest at most this deep, and the tree of operations is at most
# MAX_DEPTH high: the parser and the evaluator recurse, and a formula of a few hundred "("
# must be refused in Chinese, not end the request with a RecursionError.
MAX_NESTING = 30
MAX_DEPTH = 200
# A constant as large as a figure may be (Figure.value has 20 digits); larger ones would only
# overflow the exact arithmetic below.
MAX_CONSTANT_DIGITS = 20
# The graph of computed indicators reading computed indicators: at most MAX_CHAIN links from
# a computed indicator down to the entered figures, and at most MAX_COMPUTED computed
# indicators in the catalogue. Checked on save (``check``); with them, and the evaluation
# below visiting each formula once per period, a page showing computed values does work
# linear in the catalogue whatever shape the formulas take (ladders, diamonds, wide sums).
MAX_CHAIN = 30
MAX_COMPUTED = 1000
# Far beyond any figure's 20 digits, so that a quotient is exact enough before rounding.
_CONTEXT = decimal.Context(prec=60, rounding=ROUND_HALF_UP)

_FULL_WIDTH = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "，": ",",
        "＋": "+",
        "－": "-",
        "—": "-",
        "×": "*",
        "＊": "*",
        "÷": "/",
        "／": "/",
        "．": ".",
        "　": " ",
    }
    | {chr(0xFF10 + d): str(d) for d in range(10)}
)

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/(),]))"
)
FUNCTIONS = ("prev", "sum")
# An indicator named in a formula: 【受理行政复议案件】 (also [..] typed without the Chinese
# input method's brackets).
_NAMED = re.compile(r"【([^【】]*)】|\[([^\[\]]*)\]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def names_to_codes(text: str, codes_by_name: Mapping[str, list[str]]) -> str:
    """The formula with each 【name】 replaced by its indicator's code; a name that is no
    indicator's, or the name of several, is refused naming it."""

    def code_of(match):
        name = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
        if not name:
            raise FormulaError("公式中有空的【】：请在【】中写指标名称。")
        found = codes_by_name.get(name, [])
        if not found:
            raise FormulaError(f"没有名为“{name}”的指标，请从列表中选择。")
        if len(found) > 1:
            raise FormulaError(f"有多个名为“{name}”的指标，请改用指标代码：{'、'.join(found)}。")
        return f" {found[0]} "

    coded = _NAMED.sub(code_of, text)
    coded = re.sub(r"\(\s+", "(", re.sub(r"\s+([),])", r"\1", coded))
    return re.sub(r" {2,}", " ", coded).strip()


def codes_to_names(text: str, names_by_code: Mapping[str, str]) -> str:
    """The stored formula as people read and edit it: each known code as 【name】."""

    def name_of(match):
        code = match.group(0)
        return f"【{names_by_code[code]}】" if code in names_by_code else code

    return _IDENTIFIER.sub(name_of, text)


class FormulaError(ValueError):
    """A formula that cannot be saved; the message is Chinese and names the problem."""


@dataclass(frozen=True)
class Ref:
    code: str
    previous: bool = False  # prev(code)

    def describe(self) -> str:
        return f"prev({self.code})" if self.previous else self.code


@dataclass(frozen=True)
class Formula:
    """A parsed formula: `tree` is nested tuples (see `_Parser`), `refs` what it reads."""

    text: str
    tree: tuple
    refs: tuple[Ref, ...] = field(default=())

    def codes(self) -> set[str]:
        """Indicator codes read in the same period (the ones a cycle can run through)."""
        return {ref.code for ref in self.refs if not ref.previous}

    def all_codes(self) -> set[str]:
        return {ref.code for ref in self.refs}


@dataclass(frozen=True)
class Outcome:
    """A computed value, or a gap: `missing` names the inputs without a value (in formula
    order), `division_by_zero` says a divisor was 0."""

    value: Decimal | None
    missing: tuple[Ref, ...] = ()
    division_by_zero: bool = False
    cycle: bool = False  # a loop between computed indicators that slipped past the checks

    @property
    def is_gap(self) -> bool:
        return self.value is None

    def reason(self, names: Mapping[str, str] | None = None, pending: Collection[str] = ()) -> str:
        """Why there is no value, in Chinese (empty when there is one). The one wording every
        face shows: of the inputs lacking, those in `pending` (entered in this period but not
        approved yet, while the value is computed from approved figures) are 待审核, the
        others 缺少 — 待审核：办结行政复议案件；缺少：受理行政复议案件."""
        if self.missing:
            names = names or {}

            def listed(refs):
                return "、".join(
                    ("上期" if ref.previous else "") + names.get(ref.code, ref.code) for ref in refs
                )

            waiting = [r for r in self.missing if not r.previous and r.code in pending]
            absent = [r for r in self.missing if r not in waiting]
            parts = []
            if waiting:
                parts.append(f"待审核：{listed(waiting)}")
            if absent:
                parts.append(f"缺少：{listed(absent)}")
            return "；".join(parts)
        if self.division_by_zero:
            return "除数为 0，无法计算"
        if self.cycle:
            return "公式循环引用，无法计算"
        return "" if self.value is not None else "数值超出范围，无法计算"


class _Parser:
    """Recursive descent over the tokens; the tree is
    ("num", Decimal) | ("ref", Ref) | ("neg", t) | (op, t, t) | ("sum", (t, …))."""

    def __init__(self, text: str):
        self.tokens = self._tokenize(text)
        self.at = 0
        self.refs: list[Ref] = []
        self.nesting = 0

    def enter(self):
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise FormulaError(f"公式的括号嵌套太深：最多 {MAX_NESTING} 层。")

    @staticmethod
    def _tokenize(text):
        tokens, pos = [], 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if match is None:
                bad = text[pos:].lstrip()[0]
                raise FormulaError(f"公式中有无法识别的字符“{bad}”（第 {pos + 1} 个字符附近）。")
            kind = match.lastgroup
            tokens.append((kind, match.group(kind), match.start(kind)))
            pos = match.end()
        return tokens

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None, None)

    def take(self, value=None):
        token = self.peek()
        if token[0] is None:
            raise FormulaError("公式不完整：结尾缺少数值、指标代码或右括号。")
        if value is not None and token[1] != value:
            raise FormulaError(f"公式第 {token[2] + 1} 个字符处应为“{value}”，而不是“{token[1]}”。")
        self.at += 1
        return token

    def parse(self):
        if not self.tokens:
            raise FormulaError("公式不能为空。")
        tree = self.expression()
        kind, value, pos = self.peek()
        if kind is not None:
            raise FormulaError(f"公式第 {pos + 1} 个字符处多出“{value}”。")
        return tree

    def expression(self):
        tree = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            tree = (op, tree, self.term())
        return tree

    def term(self):
        tree = self.factor()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            tree = (op, tree, self.factor())
        return tree

    def factor(self):
        # Signs in a loop, not by recursion: "----1" is as deep as "-1".
        negative = False
        while self.peek()[1] in ("+", "-"):
            negative ^= self.take()[1] == "-"
        inner = self.primary()
        return ("neg", inner) if negative else inner

    def primary(self):
        kind, value, pos = self.take()
        if kind == "number":
            if len(value.split(".")[0].lstrip("0")) > MAX_CONSTANT_DIGITS:
                raise FormulaError(
                    f"公式中的常数“{value[:24]}…”太大：整数部分最多 {MAX_CONSTANT_DIGITS} 位。"
                )
            return ("num", Decimal(value))
        if value == "(":
            self.enter()
            tree = self.expression()
            self.take(")")
            self.nesting -= 1
            return tree
        if kind == "name" and self.peek()[1] == "(":
            return self.call(value, pos)
        if kind == "name":
            if value in FUNCTIONS:
                raise FormulaError(f"{value} 后面应有括号，如 {value}(代码)。")
            ref = Ref(value)
            self.refs.append(ref)
            return ("ref", ref)
        raise FormulaError(f"公式第 {pos + 1} 个字符处不应出现“{value}”。")

    def call(self, name, pos):
        if name not in FUNCTIONS:
            raise FormulaError(f"未知的函数“{name}”：只能使用 prev(代码) 和 sum(代码, …)。")
        self.take("(")
        self.enter()
        if name == "prev":
            kind, code, code_pos = self.take()
            if kind != "name" or code in FUNCTIONS:
                raise FormulaError("prev( ) 的括号里应是一个指标代码。")
            self.take(")")
            self.nesting -= 1
            ref = Ref(code, previous=True)
            self.refs.append(ref)
            return ("ref", ref)
        terms = [self.expression()]
        while self.peek()[1] == ",":
            self.take(",")
            terms.append(self.expression())
        self.take(")")
        self.nesting -= 1
        return ("sum", tuple(terms))


def parse(text: str) -> Formula:
    """The parsed formula, or FormulaError with a Chinese message naming the problem."""
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"公式不能超过 {MAX_LENGTH} 个字符。")
    normalized = text.translate(_FULL_WIDTH)
    parser = _Parser(normalized)
    tree = parser.parse()
    if _height(tree) > MAX_DEPTH:
        raise FormulaError(f"公式的运算层次太多（超过 {MAX_DEPTH} 层）：多项相加请用 sum(…)。")
    return Formula(normalized, tree, tuple(dict.fromkeys(parser.refs)))


def _height(tree) -> int:
    """How many operations deep the tree is, counted without recursion."""
    height, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        height = max(height, depth)
        kind = node[0]
        if kind == "neg":
            stack.append((node[1], depth + 1))
        elif kind == "sum":
            stack.extend((term, depth + 1) for term in node[1])
        elif kind not in ("num", "ref"):
            stack.extend(((node[1], depth + 1), (node[2], depth + 1)))
    return height


# ---------------------------------------------------------------------------------------
# Evaluation


class _Gap(Exception):
    pass


def evaluate(
    formula: Formula,
    current: Mapping[str, Decimal | None],
    previous: Mapping[str, Decimal | None] | None = None,
) -> Outcome:
    """The exact value of `formula` over the period's values (`current`) and the previous
    comparable period's (`previous`), not yet rounded; a gap names every missing input."""
    previous = previous or {}
    missing = [
        ref for ref in formula.refs if (previous if ref.previous else current).get(ref.code) is None
    ]
    if missing:
        return Outcome(None, missing=tuple(missing))

    def value_of(tree):
        kind = tree[0]
        if kind == "num":
            return tree[1]
        if kind == "ref":
            ref = tree[1]
            return Decimal((previous if ref.previous else current)[ref.code])
        if kind == "neg":
            return _CONTEXT.minus(value_of(tree[1]))
        if kind == "sum":
            total = Decimal(0)
            for term in tree[1]:
                total = _CONTEXT.add(total, value_of(term))
            return total
        left, right = value_of(tree[1]), value_of(tree[2])
        if kind == "+":
            return _CONTEXT.add(left, right)
        if kind == "-":
            return _CONTEXT.subtract(left, right)
        if kind == "*":
            return _CONTEXT.multiply(left, right)
        if right == 0:
            raise _Gap
        return _CONTEXT.divide(left, right)

    try:
        return Outcome(value_of(formula.tree))
    except _Gap:
        return Outcome(None, division_by_zero=True)
    except decimal.DecimalException:  # beyond 60 digits: no figure is that large
        return Outcome(None)


def rounded(value: Decimal | None, places: int) -> Decimal | None:
    """Half-up to `places` decimals (the indicator's 小数位数)."""
    if value is None:
        return None
    try:
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_CONTEXT)
    except decimal.DecimalException:  # more digits than the exact context holds
        return None
