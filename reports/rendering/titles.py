"""Where a long title breaks when its drafter did not say (no ``\\`` in the template).

GB/T 9704-2012 7.3.3: a title of more than one line is broken "词意完整，排列对称，
长短适宜，间距恰当", in a trapezoid or diamond. So a break falls between whole words
(jieba's dictionary segmentation), never next to a lone particle (的, 和, 与, 及: a line
neither ends nor starts on one), never inside a figure or before closing punctuation,
and of the breaks that fit the line the most even one wins (lines differing by at most
about a third). PDF, Word file and preview all print the same lines: the break is made
once, in speech.render_text.
"""

from __future__ import annotations

import itertools
import threading
from functools import lru_cache

# 二号 (22 pt) characters in the 156 mm line: 442.2 / 22.
TITLE_LINE_CHARS = 20
PARTICLES = frozenset("的和与及")
_NO_LINE_START = set("。，、；：！？）》」』〕】”’…—·%％")
_NO_LINE_END = set("（《「『〔【“‘")

_jieba_lock = threading.Lock()


def _tokenizer():
    with _jieba_lock:
        import jieba

        jieba.setLogLevel(60)  # no "Building prefix dict..." on stderr
        jieba.initialize()
        return jieba


def warm_up() -> None:
    """Load the dictionary (about 0.8 s) at process start rather than in a first render."""
    _tokenizer()


@lru_cache(maxsize=256)
def word_boundaries(text: str) -> tuple[tuple[int, ...], frozenset[int]]:
    """Offsets between jieba's words (0 < i < len), and the offsets of lone particles."""
    jieba = _tokenizer()
    offsets, particles, position = [], set(), 0
    for word in jieba.cut(text, HMM=False):
        if word in PARTICLES:
            particles.add(position)
        position += len(word)
        offsets.append(position)
    return tuple(o for o in offsets if 0 < o < len(text)), frozenset(particles)


def _allowed(text: str, at: int, particles: frozenset[int], locked: frozenset[int]) -> bool:
    if at in locked:
        return False
    before, after = text[at - 1], text[at]
    if at - 1 in particles or at in particles:
        return False
    if after in _NO_LINE_START or before in _NO_LINE_END:
        return False
    return not (before.isascii() and after.isascii() and before.isalnum() and after.isalnum())


def balanced_breaks(
    text: str, *, line_chars: int = TITLE_LINE_CHARS, locked: frozenset[int] = frozenset()
) -> tuple[int, ...]:
    """Offsets at which to break ``text`` (empty if it fits one line).

    ``locked`` are offsets that must not be broken at (inside a figure)."""
    length = len(text)
    if length <= line_chars:
        return ()
    boundaries, particles = word_boundaries(text)
    candidates = [at for at in boundaries if _allowed(text, at, particles, locked)]
    lines_needed = -(-length // line_chars)
    fallback: tuple[tuple, tuple[int, ...]] | None = None
    # One line more than needed when no break of the fewest lines is even enough.
    for lines in range(lines_needed, lines_needed + 2):
        best: tuple[tuple, tuple[int, ...]] | None = None
        for cut in itertools.combinations(candidates, lines - 1):
            edges = (0, *cut, length)
            widths = [b - a for a, b in zip(edges, edges[1:], strict=False)]
            if max(widths) > line_chars:
                continue
            spread = max(widths) - min(widths)
            # Even lines first; then a shape that narrows or widens steadily (trapezoid,
            # diamond) rather than zigzags; then the longer line on top.
            zigzag = sum(
                1
                for a, b, c in zip(widths, widths[1:], widths[2:], strict=False)
                if (b - a) * (c - b) < 0 and b < max(a, c)
            )
            key = (spread > max(widths) / 3, zigzag, spread, [-w for w in widths])
            if best is None or key < best[0]:
                best = (key, cut)
        if best is not None and not best[0][0]:
            return best[1]
        if fallback is None:
            fallback = best
    return fallback[1] if fallback is not None else ()
