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

from metrics.numbers import plain
from reports.rendering.filters import apply_filter

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
    "均达",
    "均为",
    "均",
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
    # The sentence up to the number (a computed indicator must be named in it whole).
    sentence: str = ""
    # The clause's own subject: `before`, with the object carried over from the previous
    # figure's subject when `before` is only a verb (“受理行政复议案件152件，审结” → 审结行政复议案件).
    subject: str = ""


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
        sentence = trim(text[_sentence_start(text, found.start) : found.start])
        previous = out[-1].subject if out and _same_sentence(text, figures[i - 1], found) else ""
        out.append(Context(before, after, wide, sentence, subject_of(before, previous)))
    return out


# A clause whose words before the number are a verb alone (审结, 办结, 化解, 其中) names
# the object of the clause before it.
_VERB_ALONE = 3
_SUBPART = ("其中",)


# Verbs a subject starts with (受理行政复议案件): what follows is the object a later clause shares.
LEADING_VERBS = frozenset(
    "受理 办结 审结 办理 调处 化解 排查 发放 解答 开展 建成 设立 成立 配备 组建 完成 收到 接待 "
    "审查 清理 废止 纠错 查处 培训 举办 召开 组织 聘请 审核 出具 提供 接听 受教".split()
)


def subject_of(before: str, previous_subject: str) -> str:
    """The noun phrase the number measures: the words before it, cut to their last
    punctuation. A bare verb takes the previous figure's object (审结 after 受理行政复议案件 →
    审结行政复议案件); a bare rate takes its owner (办结率 after 政协委员提案 →
    政协委员提案办结率)."""
    own = re.split(r"[，,。；;：:“”]", before)[-1] if before else ""
    own = _NOT_WORD.sub("", own)
    if not own:
        return ""
    if len(own) <= _VERB_ALONE and len(previous_subject) > _VERB_ALONE:
        head = previous_subject[:2]
        obj = previous_subject[2:] if head in LEADING_VERBS else previous_subject
        if own.endswith("率"):
            return obj + own
        return own + (obj if head in LEADING_VERBS else previous_subject[2:])
    return own


def _sentence_start(text: str, at: int) -> int:
    floor = max(0, at - 2 * _LOOK_BACK)
    while at > floor and text[at - 1] not in _SENTENCE_ENDS:
        at -= 1
    return at


def _same_sentence(text: str, a: Found, b: Found) -> bool:
    return not any(ch in _SENTENCE_ENDS for ch in text[a.end : b.start])


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


@dataclass(frozen=True)
class Form:
    """One way the catalogue names an indicator: its name or one of its aliases (别名)."""

    code: str
    name: str
    unit: str
    computed: bool = False
    alias: bool = False


@dataclass(frozen=True)
class Choice:
    index: int  # into the indicators given to `assign`
    score: Fraction
    reasons: str


# Characters that carry no meaning of their own in a subject (均组建了 = 组建).
_FUNCTION_CHARS = re.compile(r"[的了均和与及等着过各]")
OWN_WORDS_SHARE = Fraction(1, 2)
# Bigrams of a computed indicator's name the sentence may lack (行政复议案件…办结率 names
# 行政复议办结率 but for 议办).
COMPUTED_MISSING = 1
# Units that measure the same thing; any other pair must be equal (次 is not 人次).
UNIT_GROUPS = ({"件", "起", "宗", "例"}, {"人", "名", "位"}, {"份", "册"}, {"%", "％"})


def units_agree(a: str, b: str) -> bool:
    a, b = _unit_key(a), _unit_key(b)
    return a == b or any(a in group and b in group for group in UNIT_GROUPS)


def _content_bigrams(words: str) -> frozenset[str]:
    return bigrams(_FUNCTION_CHARS.sub("", _NOT_WORD.sub("", words)))


def _content(words: str) -> str:
    return _FUNCTION_CHARS.sub("", _NOT_WORD.sub("", words))


# Verbs that say the same of an object (开展法律咨询 is 解答法律咨询).
SYNONYM_VERBS = (
    frozenset({"解答", "开展", "提供", "接待", "办理"}),
    frozenset({"建成", "建立", "成立", "设立", "组建", "建设"}),
    frozenset({"发放", "印发", "分发", "派发"}),
    frozenset({"调处", "调解"}),
    frozenset({"赋予", "赋权", "放权", "下放"}),
)


def _share(words: str, name: str) -> Fraction | None:
    """How much of the words are the name's (or of the name the words', whichever is more),
    nothing when the two qualify a shared core differently: 聘请法律顾问 is not 内聘法律顾问
    (different words before the core), 法治文化广场 not 法治文化展示牌 (different heads)."""
    words, name = _content(words), _content(name)
    own, theirs = bigrams(words), bigrams(name)
    if not own or not theirs:
        return None
    common = own & theirs
    if not common or _qualified_otherwise(words, name, common):
        return Fraction(0)
    return max(Fraction(len(common), len(own)), Fraction(len(common), len(theirs)))


def _qualified_otherwise(words: str, name: str, common: frozenset[str]) -> bool:
    def edges(text):
        at = [i for i in range(len(text) - 1) if text[i : i + 2] in common]
        return text[: at[0]], text[at[-1] + 2 :]

    before_w, after_w = edges(words)
    before_n, after_n = edges(name)
    if after_w and after_n:
        return True
    if before_w and before_n:
        verb_w, verb_n = before_w[-2:], before_n[-2:]
        return not any(verb_w in group and verb_n in group for group in SYNONYM_VERBS)
    return False


def meaning(context: Context, form: Form, found_unit: str) -> tuple[bool, str]:
    """Whether the words around a number say what `form` names, and why (for the reviewer):
    the unit agrees; most of the clause's own words (before the number, else after it) are
    the name's; a computed indicator only where the sentence names it whole."""
    if not units_agree(found_unit, form.unit):
        return False, f"单位不同（{found_unit}≠{form.unit}）"
    if form.computed:
        missing = len(_content_bigrams(form.name) - _content_bigrams(context.sentence))
        if missing > COMPUTED_MISSING:
            return False, f"计算指标“{form.name}”未在句中完整出现"
    shares = [
        share
        for share in (
            _share(context.subject or context.before, form.name),
            _share(context.after, form.name),
        )
        if share is not None
    ]
    best = max(shares, default=Fraction(0))
    if best < OWN_WORDS_SHARE:
        return False, f"主语与名称相符仅 {_percent(best)}"
    via = f"别名“{form.name}”" if form.alias else "名称"
    unit = "单位一致" if form.unit == found_unit else f"单位相当（{found_unit}≈{form.unit}）"
    return True, f"主语与{via}相符 {_percent(best)}；{unit}"


def _percent(share: Fraction) -> str:
    return f"{round(share * 100)}%"


def assign(
    figures: list[tuple[Found, Context]],
    names: list[tuple[str, str, str]] | list[Form],
    agrees: Callable[[Found, str], bool] | None = None,
) -> list[Choice | None]:
    """For each figure its indicator's index in `names` (Forms, or (code, name, unit)),
    the similarity and the reasons, or None. A pair is a candidate when the words are
    similar (MATCH_THRESHOLD) and `meaning` holds. The best pairs first — those whose known
    value prints as the number (`agrees(found, code)`) ahead of the rest; ties by document
    order, then catalogue order, so the result never depends on anything but the input.
    Several forms of one code (name and aliases) count as that code."""
    forms = [n if isinstance(n, Form) else Form(*n) for n in names]
    names_bigrams = [name_bigrams(f.name) for f in forms]
    first_of = {}
    for n, form in enumerate(forms):
        first_of.setdefault(form.code, n)
    candidates = []
    reasons: dict[tuple[int, int], str] = {}
    for f, (found, context) in enumerate(figures):
        seen: set[str] = set()
        for n, form in enumerate(forms):
            if not units_agree(found.unit, form.unit):
                continue
            pair = _similarity(names_bigrams[n], context)
            if not _reaches_threshold(pair):
                continue
            ok, why = meaning(context, form, found.unit)
            if not ok:
                continue
            code_n = first_of[form.code]
            if form.code in seen:
                continue
            seen.add(form.code)
            disagrees = agrees is not None and not agrees(found, form.code)
            if agrees is not None:
                why += "；与该期已有数据不符" if disagrees else "；与该期已有数据相符"
            reasons[(f, code_n)] = why
            candidates.append((disagrees, -Fraction(*pair), f, code_n, n))
    candidates.sort()
    best: dict[int, int] = {}
    for _, _, f, _code, n in candidates:
        best.setdefault(f, n)
    chosen: list[Choice | None] = [None] * len(figures)
    bound: dict[int, tuple] = {}
    for _, negative, f, code_n, n in candidates:
        if chosen[f] is not None:
            continue
        found, context = figures[f]
        shown = (found.value, found.filter)
        if code_n in bound and bound[code_n] != shown:
            continue  # one indicator, one number: a second different number is another one
        if n != best[f] and not _tells_apart(context, names_bigrams[best[f]], names_bigrams[n]):
            continue
        bound[code_n] = shown
        chosen[f] = Choice(code_n, -negative, reasons[(f, code_n)])
    return chosen


def near(context: Context, found: Found, forms: list[Form], limit: int = 3) -> list[str]:
    """The codes whose names are most like the words (same unit or not): offered first in
    the select when the figure is proposed as new."""
    scored = []
    seen: set[str] = set()
    for form in forms:
        pair = _similarity(name_bigrams(form.name), context)
        if pair[0] and form.code not in seen:
            scored.append((-Fraction(*pair), form.code))
    scored.sort()
    out = []
    for _, code in scored:
        if code not in seen and len(out) < limit:
            seen.add(code)
            out.append(code)
    return out


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

    def agrees(found: Found, code: str) -> bool:
        value = known.get(code)
        if value is None:
            return False
        return apply_filter(found.filter, plain(value)) == plain(found.value)

    return agrees


def _unit_key(unit: str) -> str:
    return "%" if unit in ("%", "％") else unit
