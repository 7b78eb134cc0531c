"""The public version of a document: what a reviewer marked as not for publication, left out.

A marked paragraph (by its index in the rendered document) is omitted; a marked figure (an
indicator code) takes with it the sentence that holds it — from after the previous 。；！？
(or the paragraph's start) up to and including the next one (or the paragraph's end). A
paragraph left with nothing but blanks is omitted too. Pure: a RenderedSpeech in, a
RenderedSpeech out, nothing else read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .markup import SITE_VALUES
from .speech import Paragraph, RenderedSpeech, Run

SENTENCE_ENDS = "。；！？"


@dataclass(frozen=True)
class Exclusions:
    paragraphs: frozenset[int] = frozenset()
    codes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, raw) -> Exclusions:
        """From a job's `exclusions` JSON: {"paragraphs": [2, 5], "codes": ["biz_…"]}."""
        if isinstance(raw, Exclusions):
            return raw
        raw = raw or {}
        return cls(
            frozenset(int(i) for i in raw.get("paragraphs", ())),
            frozenset(str(c) for c in raw.get("codes", ())),
        )

    def __bool__(self) -> bool:
        return bool(self.paragraphs or self.codes)


def paragraph_codes(paragraph: Paragraph) -> list[str]:
    """The indicator codes a paragraph prints, in order (site values excluded)."""
    seen: dict[str, None] = {}
    for run in paragraph.runs:
        if run.code and run.code not in SITE_VALUES:
            seen.setdefault(run.code, None)
    return list(seen)


def _without_sentences(paragraph: Paragraph, codes: frozenset[str]) -> Paragraph | None:
    runs = list(paragraph.runs)
    marked = [i for i, run in enumerate(runs) if run.code in codes]
    if not marked:
        return paragraph
    if paragraph.table is not None:
        return None  # a comparison table has no sentence to cut: a marked figure takes it all
    # Character offsets of every run, to cut on the paragraph's whole text.
    text = "".join(run.text for run in runs)
    starts, position = [], 0
    for run in runs:
        starts.append(position)
        position += len(run.text)
    cut = [False] * len(text)
    for index in marked:
        begin = starts[index]
        end = begin + len(runs[index].text)
        while begin > 0 and text[begin - 1] not in SENTENCE_ENDS:
            begin -= 1
        while end < len(text) and text[end - 1] not in SENTENCE_ENDS:
            end += 1
        for i in range(begin, min(end, len(text))):
            cut[i] = True
    kept: list[Run] = []
    for run, start in zip(runs, starts, strict=True):
        if run.style == "break":
            kept.append(run)
            continue
        if run.code in codes:
            continue
        piece = "".join(ch for i, ch in enumerate(run.text) if not cut[start + i])
        if piece == run.text:
            kept.append(run)
        elif piece:
            # A figure run is whole or gone; a cut plain run keeps its style.
            kept.append(Run(piece, run.style) if run.code is None else run)
    if not "".join(run.text for run in kept).strip():
        return None
    return replace(paragraph, runs=tuple(kept))


def public_version(speech: RenderedSpeech, exclusions: Exclusions | dict | None) -> RenderedSpeech:
    exclusions = Exclusions.of(exclusions)
    if not exclusions:
        return speech
    paragraphs = []
    for index, paragraph in enumerate(speech.paragraphs):
        if index in exclusions.paragraphs:
            continue
        kept = _without_sentences(paragraph, exclusions.codes)
        if kept is not None:
            paragraphs.append(kept)
    return replace(speech, paragraphs=tuple(paragraphs))


def excluded_codes_in(speech: RenderedSpeech, codes: Iterable[str]) -> list[str]:
    wanted = set(codes)
    return [code for p in speech.paragraphs for code in paragraph_codes(p) if code in wanted]
