"""Naming what a document's figures bind to: a name from a clause's words, the existing
indicator of that very name, the department whose indicators read most alike, and a code from
the name's pinyin initials; the catalogue as the proposal sees it (CatalogueEntry) and
the new indicators it asks for. Pure, as reports.importing.proposal, which uses them."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from .finder import Found
from .matching import Context, Form, best_matches, units_agree

COUNT, PERCENTAGE, DECIMAL = "count", "percentage", "decimal"
MAX_NAME_CHARS = 60
# Money, areas and lengths are amounts (decimal), whatever the document's number looks like.
AMOUNT_UNITS = frozenset(
    {
        "元",
        "千元",
        "万元",
        "亿元",
        "平方米",
        "平方公里",
        "公里",
        "千米",
        "米",
        "亩",
        "吨",
        "小时",
        "倍",
    }
)


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    name: str
    unit: str
    value_type: str
    department_code: str | None
    section_code: str | None
    computed: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewIndicator:
    """An indicator the document needs and the catalogue lacks; the reviewer confirms it."""

    code: str
    name: str
    unit: str
    value_type: str
    department_code: str | None  # guessed; None when nothing similar: the reviewer chooses
    section_code: str | None


def clean_name(words: str) -> str:
    """A name from a clause's subject: its letters only (no numbers, no punctuation)."""
    return re.sub(r"[\W\d_]+", "", words)


def same_named(name: str, unit: str, catalogue) -> CatalogueEntry | None:
    for entry in catalogue:
        if entry.computed or not units_agree(unit, entry.unit):
            continue
        if name in (clean_name(entry.name), *map(clean_name, entry.aliases)):
            return entry
    return None


def guess_owner(
    similar: list[tuple[Fraction, int]], catalogue: tuple[CatalogueEntry, ...]
) -> tuple[str | None, str | None]:
    """The department (and section) whose indicators are most like these words in sum."""
    by_department: dict[str, Fraction] = {}
    sections: dict[str, str | None] = {}
    for score, n in similar:
        entry = catalogue[n]
        if entry.department_code:
            by_department[entry.department_code] = (
                by_department.get(entry.department_code, Fraction(0)) + score
            )
            sections.setdefault(entry.department_code, entry.section_code)
    if not by_department:
        return None, None
    order = {e.department_code: i for i, e in reversed(list(enumerate(catalogue)))}
    best = min(by_department, key=lambda d: (-by_department[d], order.get(d, 0)))
    return best, sections[best]


def suggest_code(
    name: str, section_code: str | None, taken: set[str], counters: dict[str, int] | None = None
) -> str:
    """An ascii code from the pinyin initials of the name (受理行政复议案件 → slxzfyaj), after
    the section's prefix, made unique with _2, _3 …; `new_<n>` without pypinyin."""
    initials = pinyin_initials(name)[:16]
    prefix = f"{section_code}_" if section_code else "new_"
    stem = prefix + (initials or str(len(taken) + 1))
    # `counters` remembers the last number of each stem, so that many figures of one name do
    # not each count up from 2 again.
    counters = {} if counters is None else counters
    code, n = stem, counters.get(stem, 2)
    while code in taken:
        code, n = f"{stem}_{n}", n + 1
    counters[stem] = n
    return code


@lru_cache(maxsize=1024)
def pinyin_initials(name: str) -> str:
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency; kept for a bare checkout
        return ""
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for ch in "".join(letters).lower() if ch.isascii() and ch.isalnum())


def new_indicator(
    figure: Found,
    context: Context,
    catalogue: tuple[CatalogueEntry, ...],
    taken: set[str],
    counters: dict[str, int],
) -> NewIndicator:
    wide = re.split(r"[，,。；;：:]", context.wide_before)[-1] if context.wide_before else ""
    name = clean_name(context.subject or context.after or wide) or "未命名指标"
    name = name[:MAX_NAME_CHARS]
    similar = best_matches(context, [e.name for e in catalogue])
    department, section = guess_owner(similar, catalogue)
    if figure.unit == "%":
        value_type = PERCENTAGE
    elif figure.unit not in AMOUNT_UNITS and figure.estimate == figure.estimate.to_integral_value():
        value_type = COUNT
    else:
        value_type = DECIMAL
    code = suggest_code(name, section, taken, counters)
    return NewIndicator(code, name, figure.unit, value_type, department, section)


def catalogue_forms(catalogue: Iterable[CatalogueEntry]) -> list[Form]:
    """Every name and alias of the catalogue, each a Form of its code."""
    forms = []
    for e in catalogue:
        forms.append(Form(e.code, e.name, e.unit, e.computed))
        forms.extend(Form(e.code, alias, e.unit, e.computed, True) for alias in e.aliases)
    return forms


def catalogue_entries(indicators, departments) -> list[CatalogueEntry]:
    """metrics.catalogue's INDICATORS and DEPARTMENTS (owner by name) as CatalogueEntry."""
    department_codes = {name: code for code, name, _ in departments}
    return [
        CatalogueEntry(code, name, unit, value_type, department_codes.get(owner), section)
        for code, section, name, unit, value_type, owner in indicators
    ]
