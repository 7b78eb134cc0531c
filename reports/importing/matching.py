"""Which indicator a figure of the document is: the words around the number against the names.

The rule is deliberately simple and exact (Fractions, no floats, no randomness), so the same
document always gives the same proposal and a reviewer can follow why:

- the words before the number, within its clause and after any earlier figure of that clause
  (“、法治文化展示牌145个”), stripped of fillers (共, 累计, 全区, 达到 …);
- when they are too few to tell (“，办结55起” after “共受理行政复议案件58起”), the clause
  before joins them, since Chinese leaves out the shared object;
- the words after the number, up to the next figure, count four fifths as much: the speech
  also writes “14个乡镇（街道）均组建了…”.

The similarity is the Dice coefficient of the character bigrams (2·|common| / (|a| + |b|)).
A figure is proposed for an indicator of the same unit when it reaches MATCH_THRESHOLD; the
best pairs are taken first, each indicator once per document unless the same number repeats.
A figure whose best indicator went to another number takes its next best only when that one
has words of the figure's own that the best lacks (`_tells_apart`).

When the period the text reports on already has figures (`known`: the approved values, the
computed ones included), an indicator whose value prints as the document's number comes
before one whose value does not: “外聘法律顾问31人，其中法学专家9人” names the total first, whose
words are those of 外聘法律顾问中的法学专家 too; only the values tell them apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from .finder import CLAUSE_ENDS, Found

MATCH_THRESHOLD = Fraction(3, 10)
AFTER_WEIGHT = Fraction(4, 5)
# Fewer bigrams than this before a number and the clause before is read too.
_FEW_BIGRAMS = 3
_SENTENCE_ENDS = frozenset("。；;！!？?\n")
_LOOK_BACK = 60
LEADING_FILLERS = (
    "截至目前",
    "今年以来",
    "全年共",
    "全区共",
    "全区",
    "全年",
    "全市",
    "其中",
    "共计",
    "共有",
    "累计",
    "总计",
    "合计",
    "现已",
    "先后",
    "目前",
    "已经",
    "共",
    "已",
)
TRAILING_FILLERS = (
    "达到",
    "超过",
    "累计",
    "总计",
    "合计",
    "共计",
    "达",
    "为",
    "约",
    "近",
    "逾",
    "共",
)
# Everything up to the last closing 》 or 号）: the document a sentence cites, not the figure.
_CITATION = re.compile(r"\A.*(?:》|号[）)])")
_NOT_WORD = re.compile(r"[\W\d_]+")
_EDGE_PUNCTUATION = "、，,。；;：:（）()“”\"' \u3000"


@dataclass(frozen=True)
class Context:
    """The words a figure is known by: before and after the number, trimmed."""

    before: str
    after: str
    # `before` with the clause ahead of it, when `before` alone is too short to tell.
    wide_before: str


def trim(words: str) -> str:
    """Drop what names no indicator: a document cited ahead of the words (依据《…》（…〔2023〕12号）),
    the punctuation at the edges and the fillers."""
    words = _CITATION.sub("", words)
    words = words.strip(_EDGE_PUNCTUATION)
    changed = True
    while changed and words:
        changed = False
        for filler in LEADING_FILLERS:
            if words.startswith(filler):
                words, changed = words[len(filler) :].lstrip(_EDGE_PUNCTUATION), True
                break
        for filler in TRAILING_FILLERS:
            if words.endswith(filler):
                words, changed = words[: -len(filler)].rstrip(_EDGE_PUNCTUATION), True
                break
    return words


@lru_cache(maxsize=8192)  # each context is compared with every indicator of its unit
def bigrams(words: str) -> frozenset[str]:
    letters = _NOT_WORD.sub("", words)
    if len(letters) == 1:
        return frozenset({letters})
    return frozenset(letters[i : i + 2] for i in range(len(letters) - 1))


@lru_cache(maxsize=1024)
def name_bigrams(name: str) -> frozenset[str]:
    """An indicator name's bigrams, fillers trimmed; the catalogue's are asked for again and
    again."""
    return bigrams(trim(name))


def contexts(text: str, figures: list[Found]) -> list[Context]:
    """The context of each figure of one paragraph's text (figures in order)."""
    out = []
    for i, found in enumerate(figures):
        clause_end = found.clause_start + len(found.clause)
        left = found.clause_start
        if i and figures[i - 1].measure_end > left:
            left = figures[i - 1].measure_end
        right = clause_end
        if i + 1 < len(figures) and figures[i + 1].start < right:
            right = figures[i + 1].start
        before = trim(text[left : found.start])
        after = trim(text[found.measure_end : right])
        wide = before
        if len(bigrams(before)) < _FEW_BIGRAMS:
            wide = trim(text[_previous_clause_start(text, found.clause_start) : found.start])
        out.append(Context(before, after, wide))
    return out


def _previous_clause_start(text: str, clause_start: int) -> int:
    """Where the clause before this one starts, within its sentence; this one's start when a
    sentence ends before it."""
    if clause_start == 0 or text[clause_start - 1] in _SENTENCE_ENDS:
        return clause_start
    at = clause_start - 1
    floor = max(0, clause_start - _LOOK_BACK)
    while at > floor and text[at - 1] not in CLAUSE_ENDS:
        at -= 1
    return at


def similarity(name_bigrams: frozenset[str], context: Context) -> Fraction:
    numerator, denominator = _similarity(name_bigrams, context)
    return Fraction(numerator, denominator)


def _similarity(name_bigrams: frozenset[str], context: Context) -> tuple[int, int]:
    """`similarity` as a numerator and denominator: comparing the three Dice coefficients by
    cross-multiplying spares a Fraction for each of the many pairs below the threshold."""
    size = len(name_bigrams)
    best = (0, 1)
    for words, weight in (
        (context.before, (1, 1)),
        (context.wide_before, (1, 1)),
        (context.after, (AFTER_WEIGHT.numerator, AFTER_WEIGHT.denominator)),
    ):
        other = bigrams(words)
        if not other or not size:
            continue
        pair = (2 * len(name_bigrams & other) * weight[0], (size + len(other)) * weight[1])
        if pair[0] * best[1] > best[0] * pair[1]:
            best = pair
    return best


def _reaches_threshold(pair: tuple[int, int]) -> bool:
    return pair[0] * MATCH_THRESHOLD.denominator >= MATCH_THRESHOLD.numerator * pair[1]


def assign(
    figures: list[tuple[Found, Context]],
    names: list[tuple[str, str, str]],
    agrees: Callable[[Found, str], bool] | None = None,
) -> list[tuple[int, Fraction] | None]:
    """For each figure the index of its indicator in `names` ((code, name, unit) each) and
    the similarity, or None. The best pairs first — those whose known value prints as the
    number (`agrees(found, code)`) ahead of the rest; ties by document order, then catalogue
    order, so the result never depends on anything but the input."""
    names_bigrams = [name_bigrams(name) for _, name, _ in names]
    by_unit: dict[str, list[int]] = {}
    for n, (_, _, unit) in enumerate(names):
        by_unit.setdefault(_unit_key(unit), []).append(n)
    candidates = []
    for f, (found, context) in enumerate(figures):
        for n in by_unit.get(found.unit, ()):
            pair = _similarity(names_bigrams[n], context)
            if _reaches_threshold(pair):
                disagrees = agrees is not None and not agrees(found, names[n][0])
                candidates.append((disagrees, -Fraction(*pair), f, n))
    candidates.sort()
    # Each figure's best indicator: the first of its candidates in that order.
    best: dict[int, int] = {}
    for _, _, f, n in candidates:
        best.setdefault(f, n)
    chosen: list[tuple[int, Fraction] | None] = [None] * len(figures)
    bound: dict[int, tuple] = {}
    for _, negative, f, n in candidates:
        if chosen[f] is not None:
            continue
        found, context = figures[f]
        shown = (found.value, found.filter)
        if n in bound and bound[n] != shown:
            continue  # one indicator, one number: a second different number is another one
        if n != best[f] and not _tells_apart(context, names_bigrams[best[f]], names_bigrams[n]):
            continue
        bound[n] = shown
        chosen[f] = (n, -negative)
    return chosen


def _tells_apart(context: Context, taken: frozenset[str], fallback: frozenset[str]) -> bool:
    """Whether a second-best indicator is what the words say, the best one being another
    number's: only if it has some of the words that set this figure apart from the best one.
    “，办结55起” after 受理行政复议案件58起 is 办结行政复议案件 (办结); “当场受理行政复议案件20起”
    is not (当场 is in neither name): it is proposed as a new indicator instead."""
    distinct = (bigrams(context.before) | bigrams(context.after)) - taken
    return bool(distinct & fallback)


def best_matches(words: Context, names: list[str]) -> list[tuple[Fraction, int]]:
    """The names similar enough to the words, best first (any unit): for guessing the owner
    of a new indicator."""
    scored = []
    for n, name in enumerate(names):
        pair = _similarity(name_bigrams(name), words)
        if _reaches_threshold(pair):
            scored.append((Fraction(*pair), n))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return scored


def printed_agreement(known: dict[str, Decimal | None]) -> Callable[[Found, str], bool]:
    """`agrees` for `assign`: the known value of the code, printed with the figure's filter,
    is the number the document shows."""
    from metrics.numbers import plain
    from reports.rendering.filters import apply_filter

    def agrees(found: Found, code: str) -> bool:
        value = known.get(code)
        if value is None:
            return False
        return apply_filter(found.filter, plain(value)) == plain(found.value)

    return agrees


def _unit_key(unit: str) -> str:
    return "%" if unit in ("%", "％") else unit
