"""The figures of a speech: which Arabic numbers a department supplies, and which stay text.

A figure is an Arabic number followed by a measure word or unit (“106项”, “1860名”, “100%”,
“2.3万余人”, “3200多人次”). Every other Arabic number is left as literal text with the reason
(a year or a range, a date, a document number, a name in 《》 or “”, a hotline, an ordinal,
a list number, or simply no unit after it), so the reviewer sees why it was not proposed.
Chinese numerals are never figures: in a speech they are fixed phrases (二十大, 八五, 十四五,
一是) that no department reports.

Pure functions over text; time linear in its length, whatever it holds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal

from metrics.numbers import NotANumber, read_number
from metrics.numbers import plain as plain_text

# Measure words and units, longest first so that 人次 wins over 人 and 个百分点 over 个.
UNITS: tuple[str, ...] = tuple(
    sorted(
        {
            *"项个人名家起件次份册块场户卷类支所条篇期批部座处间台辆张本套种门堂位例宗单",
            *("人次", "户次", "件次", "场次", "批次", "家次", "期次", "车次", "课时", "学时"),
            *("万元", "亿元", "千元", "元", "平方米", "平方公里", "公里", "千米", "米", "亩"),
            *("吨", "小时", "个工作日", "个月", "天", "周", "倍", "个百分点", "%", "％", "‰"),
        },
        key=lambda unit: (-len(unit), unit),
    )
)
PERCENT_UNITS = frozenset({"%", "％"})

_DIGIT = "0-9０-９"
# One to three digits then groups of three after a comma (1,234 / 1，234), or a run of digits;
# then an optional decimal part. Each piece is one character class: no backtracking blow-up.
_NUMBER = re.compile(
    rf"(?:[{_DIGIT}]{{1,3}}(?:[,，][{_DIGIT}]{{3}}(?![{_DIGIT}]))+|[{_DIGIT}]+)(?:[.．][{_DIGIT}]+)?"
)
# Where a clause ends (the words before a figure are read back to one of these).
CLAUSE_ENDS = frozenset("，,。；;：:！!？?\n")
_RANGE_MARK = r"(?:—{1,2}|–|-|－|~|～|至|到)"
_RANGE_AFTER = re.compile(rf"[%％]?\s*{_RANGE_MARK}\s*[{_DIGIT}]")
_RANGE_BEFORE = re.compile(rf"[{_DIGIT}][%％]?\s*{_RANGE_MARK}\s*\Z")
# Names: a book, a document, a quoted slogan or day (“4.15国家安全日”, “6.25”). A long quote
# is someone's words, which may well hold figures, so only short ones count as names.
_NAMES = (
    (re.compile(r"《[^《》\n]{0,200}》|〈[^〈〉\n]{0,200}〉"), "书名号内的名称"),
    (re.compile(r"“[^“”\n]{0,40}”|「[^「」\n]{0,40}」|『[^『』\n]{0,40}』"), "引号内的名称"),
    # 〔2019〕28号, [2019]28号, 【2019】第3号: a document number.
    (
        re.compile(rf"[〔\[［【（(]\s*[{_DIGIT}]{{4}}\s*[〕\]］】）)]\s*第?\s*[{_DIGIT}]+\s*号"),
        "文号",
    ),
)
_HOTLINE_AFTER = re.compile(r"[^，,。；;：:、\s]{0,8}?(?:热线|专线|服务电话|电话|平台)")
_HOTLINE_BEFORE = re.compile(r"(?:拨打|热线|专线|电话)[:：]?\s*\Z")
_KNOWN_HOTLINE = re.compile(r"123\d\d|110|119|120|122")
# 1. / 1、 / （1） at the start of a line: the number of a list item.
_LIST_AFTER = re.compile(r"[.．、]")
_BRACKETED_UNIT = re.compile(r"[（(]([^（()）]{1,3})[）)]")
_LINE_START_BEFORE = re.compile(r"(?:\A|\n)[ \t\u3000]*[（(]?\Z")


@dataclass(frozen=True)
class Found:
    """One figure: `text` is exactly the source's `[start:end]` (the number alone; the unit
    and any 万余/多 stay literal around the placeholder)."""

    start: int
    end: int
    text: str
    value: Decimal  # the number as displayed (2.3 for “2.3万余人”)
    unit: str  # normalised: ％ is %
    filter: str  # plain, wan (N万余… / N万多…) or duo (N多… / N余…)
    marker: str  # 万余, 万多, 万, 多, 余 or ""
    measure_end: int  # end of the unit in the source
    clause: str
    clause_start: int

    @property
    def shown(self) -> str:
        """What the portal prints for this figure through its filter: the source's text
        unless that was not in the canonical form (1,234 → 1234, 98.50 → 98.5, full-width)."""
        return plain_text(self.value)

    @property
    def estimate(self) -> Decimal:
        """The order of the real value (2.3万余 → 23000): what a department would report."""
        return self.value * 10_000 if self.filter == "wan" else self.value


@dataclass(frozen=True)
class Literal:
    """An Arabic number deliberately left as text."""

    start: int
    end: int
    text: str
    reason: str
    clause: str


def parse_number(raw: str) -> Decimal | None:
    """1,234 / 1，234 / １２３ / 98.50 as a Decimal (read as every written number is,
    `read_number`); None for what is not one."""
    try:
        number = read_number(raw)
    except NotANumber:
        return None
    return None if number is None or number.percent else number.value


def find_figures(text: str) -> list[Found]:
    return find_numbers(text)[0]


def find_numbers(text: str) -> tuple[list[Found], list[Literal]]:
    """Every Arabic number of `text`, as a figure or as a literal with its reason."""
    context = _Context(text)
    figures: list[Found] = []
    literals: list[Literal] = []
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        raw = match.group()
        if start > 1 and text[start - 1] in ".．" and text[start - 2].isdigit():
            continue  # the tail of 1.2.3, already part of the literal before it
        value = parse_number(raw)
        reason = _literal_reason(context, start, end, raw)
        found = None if reason or value is None else _figure(context, start, end, raw, value)
        if found is None:
            clause = context.clause(start, end)[0]
            literals.append(Literal(start, end, raw, reason or "后面没有计量单位", clause))
        else:
            figures.append(found)
    return figures, literals


class _Context:
    """The text with its clause ends and protected names found once, so each number is
    judged in logarithmic time."""

    def __init__(self, text: str):
        self.text = text
        self.ends = [i for i, ch in enumerate(text) if ch in CLAUSE_ENDS]
        # Per pattern: its spans do not overlap, so the last one starting at or before a
        # number is the only one that can hold it.
        self.names = [
            ([m.span() for m in pattern.finditer(text)], reason) for pattern, reason in _NAMES
        ]

    def name_around(self, start: int, end: int) -> str | None:
        for spans, reason in self.names:
            i = bisect_right(spans, (start, len(self.text) + 1)) - 1
            if i >= 0 and spans[i][0] <= start and end <= spans[i][1]:
                return reason
        return None

    def clause(self, start: int, end: int) -> tuple[str, int]:
        """The clause around [start, end): back and forward to the nearest clause end."""
        i = bisect_right(self.ends, start - 1) - 1
        left = self.ends[i] + 1 if i >= 0 else 0
        j = bisect_right(self.ends, end - 1)
        right = self.ends[j] if j < len(self.ends) else len(self.text)
        return self.text[left:right], left


def _literal_reason(context: _Context, start: int, end: int, raw: str) -> str | None:
    text = context.text
    named = context.name_around(start, end)
    if named:
        return named
    before = text[max(0, start - 8) : start]
    after = text[end : end + 12]
    if before.endswith("第"):
        return "序数"
    if _LINE_START_BEFORE.search(before) and (
        _LIST_AFTER.match(after) or (before.endswith(("（", "(")) and after[:1] in "）)")
    ):
        return "序号"
    if _RANGE_AFTER.match(after) or _RANGE_BEFORE.search(before):
        return "年份范围" if re.match(r"[^，。；\n]{0,14}年", after) else "范围"
    if after.startswith("年"):
        return "年份" if len(raw) == 4 else "年数（不作为数据）"
    if after[:1] in ("月", "日"):
        return "日期"
    if after[:1] in ("时", "点", "分", "秒") or re.match(rf"[:：][{_DIGIT}]", after):
        return "时间"
    if after.startswith("号"):
        return "编号"
    if _is_hotline(text, start, end, raw):
        return "热线号码"
    return None


def _is_hotline(text: str, start: int, end: int, raw: str) -> bool:
    if not raw.isascii() or not raw.isdigit() or len(raw) < 3:
        return False
    context = bool(_HOTLINE_AFTER.match(text, end)) or bool(
        _HOTLINE_BEFORE.search(text[max(0, start - 5) : start])
    )
    has_unit = _measure(text, end)[2] is not None
    # 12345, 12348 …: a hotline unless a unit follows; 110 or 120 only where one is named,
    # since 120余场 is as likely.
    if _KNOWN_HOTLINE.fullmatch(raw) and len(raw) == 5:
        return context or not has_unit
    return context and not has_unit


def _measure(text: str, at: int) -> tuple[str, int, str | None]:
    """After a number: the 万余/万/多/余 marker, where the unit starts, and the unit."""
    marker = ""
    for candidate in ("万余", "万多", "万", "多", "余"):
        if text.startswith(candidate, at) and not text.startswith(("万元", "万亿"), at):
            marker = candidate
            at += len(candidate)
            break
    # “12.3万余（册）份”: a second measure word in brackets before the unit.
    bracket = _BRACKETED_UNIT.match(text, at)
    if bracket and _unit_at(bracket.group(1), 0) == bracket.group(1):
        at = bracket.end()
    return marker, at, _unit_at(text, at)


def _unit_at(text: str, at: int) -> str | None:
    for unit in UNITS:
        if text.startswith(unit, at):
            return unit
    return None


def _figure(context: _Context, start: int, end: int, raw: str, value: Decimal) -> Found | None:
    text = context.text
    marker, at, unit = _measure(text, end)
    if unit is None:
        return None
    filter_name = _filter_for(marker, raw, value)
    clause, clause_start = context.clause(start, at + len(unit))
    return Found(
        start,
        end,
        raw,
        value,
        "%" if unit in PERCENT_UNITS else unit,
        filter_name,
        marker,
        at + len(unit),
        clause,
        clause_start,
    )


def _filter_for(marker: str, raw: str, value: Decimal) -> str:
    """The portal filter that prints this number again from a department's real figure: wan
    cuts to one decimal of 万, duo to two significant digits; where the displayed number has
    more than that, no real value could print it, so it stays plain."""
    if marker in ("万余", "万多", "万"):
        return "wan" if -value.normalize().as_tuple().exponent <= 1 else "plain"
    if marker in ("多", "余") and value != 0:
        return "duo" if len(value.normalize().as_tuple().digits) <= 2 else "plain"
    return "plain"
