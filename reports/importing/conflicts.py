"""Never a silent change (从文档导入): a number bound to an indicator whose value for the period
— an entered figure or a computed one — prints otherwise than the document is a conflict,
shown to the reviewer before accept and refused at accept, in the units the document prints
(3.2万余 is 32000).

Pure functions: the values come in as a dict of code → Decimal (None: entered as 未填).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from metrics.numbers import NOT_FILLED, plain, shown

from ..rendering.filters import apply_filter
from .finder import Found

_PREFIXES = ("超过", "近", "约", "逾", "超", "达")
_FORMAT_WORDS = {"plain": "原数", "duo": "多"}


@dataclass(frozen=True)
class Conflict:
    number: int  # the item's place among the document's figures
    code: str
    name: str
    stored: str  # as stored: 123456, or 未填
    shown: str  # as the document prints it, with its value: 3.2万余（32000）

    @property
    def message(self) -> str:
        return f"“{self.name}”已有数据 {self.stored}，文档中为 {self.shown}"


def printed(found: Found) -> str:
    """The document's number in its own units, with the value it stands for when those
    differ: 3.2万余（32000）, 3200多, 58."""
    text = f"{found.shown}{found.marker}"
    if found.filter == "wan":
        return f"{text}（{plain(found.estimate)}）"
    return text


def prints_as(found: Found, value: Decimal | None) -> bool:
    """Whether `value`, printed with the figure's filter, is the document's number."""
    if value is None:
        return False
    return apply_filter(found.filter, plain(value)) == found.shown


def conflicts(items, known: dict[str, Decimal | None], names: dict[str, str]) -> list[Conflict]:
    """The bound items whose indicator holds a value in `known` that prints otherwise; one
    row per code (its first item)."""
    out, seen = [], set()
    for item in items:
        if item.code is None or item.new or item.code in seen or item.code not in known:
            continue
        seen.add(item.code)
        value = known[item.code]
        if not prints_as(item.found, value):
            stored = shown(value, empty=NOT_FILLED)
            out.append(
                Conflict(
                    item.number,
                    item.code,
                    names.get(item.code, item.code),
                    stored,
                    printed(item.found),
                )
            )
    return out


def format_words(found: Found, clause_before: str = "") -> str:
    """The 格式 column in words: 原数, 万余, 万, 万多, 多, 余; with 约/近/逾/超过 before the
    number, that word too (约数：近)."""
    if found.filter == "wan":
        words = found.marker or "万"
    elif found.filter == "duo":
        words = found.marker or "多"
    else:
        words = _FORMAT_WORDS["plain"] + (f"（{found.marker}）" if found.marker else "")
    prefix = next((p for p in _PREFIXES[:-1] if re.search(f"{p}\\Z", clause_before)), "")
    return f"{words}，前有“{prefix}”" if prefix else words
