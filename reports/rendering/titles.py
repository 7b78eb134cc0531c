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
from functools import cache, lru_cache

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

    ``locked`` are offsets that must not be broken at (inside a figure).

    Of the breaks that keep every line within ``line_chars``, the best by
    (uneven beyond a third, zigzags, spread, longer lines first) — found by dynamic
    programming rather than by trying every combination of breaks: for each window of line
    widths [shortest, longest] (at most ``line_chars``² of them, whatever the title) one
    pass over the break offsets finds the fewest zigzags and the longest-first lines.
    Bounded: polynomial in the title's length (the templates refuse titles longer than
    MAX_TITLE_CHARS on save; a longer rendered one still ends in a few more steps)."""
    length = len(text)
    if length <= line_chars:
        return ()
    boundaries, particles = word_boundaries(text)
    candidates = frozenset(at for at in boundaries if _allowed(text, at, particles, locked))
    lines_needed = -(-length // line_chars)
    fallback: tuple[tuple, tuple[int, ...]] | None = None
    # One line more than needed when no break of the fewest lines is even enough.
    for lines in range(lines_needed, lines_needed + 2):
        best = _best_breaks(length, lines, candidates, line_chars)
        if best is not None and not best[0][0]:
            return best[1]
        if fallback is None:
            fallback = best
    return fallback[1] if fallback is not None else ()


def _best_breaks(length, lines, candidates, line_chars):
    """The best (key, breaks) into exactly ``lines`` lines, or None if none fits.

    The key of a set of breaks is (spread > longest/3, zigzags, spread, longer lines first),
    spread being longest − shortest. For a window [low, high] of allowed widths, ``_within``
    gives the fewest zigzags and then the longest-first widths. Breaks whose widths span
    exactly [low, high] are found in that window, and a window's best is never worse than its
    window's (uneven, spread) say (a narrower span is never more uneven), so: the fewest
    zigzags of all even breaks is that of the widest even windows (one per longest width);
    the windows are then tried by spread, narrowest first, until one reaches those zigzags."""
    for even in (True, False):
        if even:
            widest = [(-(-2 * high // 3), high) for high in range(1, line_chars + 1)]
        else:
            widest = [(1, line_chars)]
        bests = [_within(length, lines, candidates, low, high) for low, high in widest]
        zigzags = [b[0] for b in bests if b is not None]
        if not zigzags:
            continue
        fewest = min(zigzags)
        for spread in range(line_chars):
            found = []
            for high in range(spread + 1, line_chars + 1):
                low = high - spread
                if (spread <= high / 3) != even:
                    continue
                within = _within(length, lines, candidates, low, high)
                if within is not None and within[0] == fewest:
                    found.append(within[1])
            if found:
                negative_widths = min(found)
                edges = list(itertools.accumulate(-w for w in negative_widths))
                key = (not even, fewest, spread, list(negative_widths))
                return key, tuple(edges[:-1])
    return None


def _within(length, lines, candidates, low, high):
    """(fewest zigzags, widths longest-first as negatives) breaking ``length`` characters
    into ``lines`` lines each ``low``–``high`` wide at ``candidates``, or None.

    A zigzag is a line shorter than both its neighbours; whether the next line makes one
    depends only on the last width and whether it was shorter than the one before, so the
    state is (offset, lines so far, last width, last step down): at most
    length × lines × high × 2 states, each trying at most ``high`` next widths."""

    @cache
    def rest(at, used, last, went_down):
        if used == lines:
            return (0, ()) if at == length else None
        remaining = length - at
        if remaining > (lines - used) * high or remaining < (lines - used) * low:
            return None
        best = None
        for width in range(low, min(high, remaining) + 1):
            end = at + width
            if end != length and end not in candidates:
                continue
            if (end == length) != (used + 1 == lines):
                continue
            after = rest(end, used + 1, width, last is not None and width < last)
            if after is None:
                continue
            zigzag = 1 if went_down and width > last else 0
            option = (zigzag + after[0], (-width, *after[1]))
            if best is None or option < best:
                best = option
        return best

    return rest(0, 0, None, False)
