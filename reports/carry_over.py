"""本年度沿用上年文稿: last year's text for this year. The years that name the report's own
year (“2026年度”, “2026年，”, “2026年12月”) become the {year} placeholder, so that the
same text says 2027 when built for 2027; a year inside 《》 (a cited document's title) or
inside a placeholder stays as written. Pure: text in, text and what changed out."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class YearChange:
    line: int
    before: str  # the sentence piece as it was, e.g. “2026年，全区”
    after: str


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Where nothing is replaced: 《…》 titles and {…} placeholders (linear, one pass each)."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"《[^《》\n]*》", text)]
    spans += [(m.start(), m.end()) for m in re.finditer(r"\{[^{}\n]*\}", text)]
    return sorted(spans)


def carry_over(text: str, year: int) -> tuple[str, list[YearChange]]:
    """`text` with the report's own `year` (followed by 年) written as {year}年."""
    own = re.compile(rf"(?<![0-9０-９]){year}(?=年)")
    protected = _protected_spans(text)
    out, changes, last, index = [], [], 0, 0
    for match in own.finditer(text):
        while index < len(protected) and protected[index][1] <= match.start():
            index += 1
        if index < len(protected) and protected[index][0] <= match.start():
            continue
        out.append(text[last : match.start()])
        out.append("{year}")
        last = match.end()
        line = text.count("\n", 0, match.start()) + 1
        piece = text[match.start() : match.end() + 6].split("\n")[0]
        changes.append(YearChange(line, piece, "{year}" + piece[len(str(year)) :]))
    out.append(text[last:])
    return "".join(out), changes
