"""RenderedSpeech → PDF with WeasyPrint, in the GB/T 9704-2012 layout.

WeasyPrint's ``text-align: justify`` only widens spaces, and Chinese has none,
so a justified CJK line comes out ragged.  GB/T 9704 fills every line, so this
module replaces WeasyPrint's ``justify_line`` with one that spreads the slack
as letter spacing between characters for Chinese text, which is what browsers
do for ``text-justify: auto`` in Chinese.  That touches WeasyPrint internals:
the patch is applied only to the version it was written against
(``PATCHED_WEASYPRINT_VERSIONS``) and tests/reports/rendering/test_pdf.py
measures the line ends in a real PDF.  Inserting U+200B or hair spaces between
characters was rejected for justification: WeasyPrint counts only U+0020 and
U+00A0 as expandable, and real spaces would come back out of pdftotext.

U+200B is used for line breaking, though (htmlout.break_hints): Pango follows
the older UAX #14 rule that never breaks next to a quotation mark, so
“…”、“…” runs became unbreakable and left lines a quarter empty.  pdftotext
does not return the U+200B.
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .docx import render_docx
from .fonts import pdf_font_css
from .htmlout import document_html, stylesheet
from .markup import Template
from .public import public_version
from .speech import Mode, RenderedSpeech, render_text
from .titles import warm_up as load_title_dictionary

T = TypeVar("T")

logger = logging.getLogger(__name__)

PATCHED_WEASYPRINT_VERSIONS = ("70.0",)

_patch_lock = threading.Lock()
_patch_state: dict[str, bool] = {}


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3000 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    )


def install_inter_character_justification() -> bool:
    """Patch WeasyPrint once per process; return whether the patch is active."""
    with _patch_lock:
        if "active" in _patch_state:
            return _patch_state["active"]
        import weasyprint
        from weasyprint.layout import inline

        if weasyprint.__version__ not in PATCHED_WEASYPRINT_VERSIONS:
            logger.warning(
                "WeasyPrint %s is not one of %s: Chinese lines will not be justified "
                "inter-character (ragged right edge)",
                weasyprint.__version__,
                PATCHED_WEASYPRINT_VERSIONS,
            )
            _patch_state["active"] = False
            return False

        inline.justify_line = _justify_line(inline.justify_line)
        _patch_state["active"] = True
        return True


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _text_boxes(child)


def _wants_inter_character(line) -> bool:
    lang = line.style["lang"] or ""
    if not str(lang).lower().startswith("zh"):
        return False
    return any(_is_cjk(ch) for box in _text_boxes(line) for ch in box.text)


def _add_letter_spacing(context, box, per_character, x_advance):
    # Mirrors WeasyPrint's add_word_spacing, with letter spacing.
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout, line_size

    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if not box.text:
            return x_advance
        style = box.style.copy()
        base = style["letter_spacing"]
        style["letter_spacing"] = (0 if base == "normal" else base) + per_character
        layout = create_layout(
            box.text,
            style,
            context,
            max_width=None,
            justification_spacing=box.justification_spacing,
        )
        first_line, _ = layout.get_first_line()
        width, _ = line_size(first_line, style)
        layout.deactivate()
        # The drawing step re-creates the Pango layout from box.style,
        # so the wider spacing has to live in the box's own style.
        box.style = style
        box.pango_layout = layout
        x_advance += width - box.width
        box.width = width
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        previous = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _add_letter_spacing(context, child, per_character, x_advance)
        box.width += x_advance - previous
    else:
        box.translate(x_advance, 0)
    return x_advance


def _justify_line(original):
    """WeasyPrint's justify_line, justifying a Chinese line between its characters."""

    def justify_line(context, line, extra_width):
        if extra_width <= 0 or not _wants_inter_character(line):
            return original(context, line, extra_width)
        characters = sum(len(box.text) for box in _text_boxes(line))
        if characters < 2:
            return original(context, line, extra_width)
        # Pango adds the letter spacing after every character, the last
        # one included, and only half of it where a font or script run
        # ends (digits in Chinese text).  So aim for the last glyph's edge
        # at the right margin, with its own spacing hanging outside, and
        # correct what the first pass missed from the real layouts.
        start = line.width
        spacing = 0.0
        for _ in range(4):
            missing = extra_width + spacing - (line.width - start)
            if missing < 0.02:
                break
            # Each step widens the line by `characters` steps and moves its target
            # (the hanging spacing) by one, so it closes characters - 1 of them: a
            # line of one run is done in one pass.
            step = missing / (characters - 1)
            _add_letter_spacing(context, line, step, 0)
            spacing += step

    return justify_line


_styles: dict[str, tuple[object, list[object]]] = {}
_styles_lock = threading.Lock()


@atexit.register
def _drop_styles() -> None:
    # FontConfiguration.__del__ removes its temporary font folder, which fails
    # (and leaves the folder in /tmp) if it only runs during interpreter teardown.
    _styles.clear()
    gc.collect()


def _font_configuration_and_stylesheets(font_css: str) -> tuple[object, list[object]]:
    """One FontConfiguration and one parsed speech.css + @font-face stylesheet per
    set of fonts, kept for the process: a warm worker then loads its fonts and
    parses the CSS once instead of on every report."""
    with _styles_lock:
        if font_css not in _styles:
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration

            font_config = FontConfiguration()
            css = CSS(string=f"{stylesheet()}\n{font_css}", font_config=font_config)
            _styles.clear()
            _styles[font_css] = (font_config, [css])
        return _styles[font_css]


def write_from_layout(
    speech: RenderedSpeech,
    write: Callable[[Any], T],
    *,
    layout: str = "speech",
    font_dir: str | os.PathLike | None = None,
    font_cache_dir: str | os.PathLike | None = None,
    free_font_dir: str | os.PathLike | None = None,
) -> T:
    """Lay the speech out once (WeasyPrint's ``Document``: a draft's cover first) and hand
    it to ``write``, which makes the files from it (the PDF; the PDF and the OFD)."""
    from weasyprint import HTML

    install_inter_character_justification()
    font_css = pdf_font_css(font_dir, font_cache_dir, free_font_dir)
    font_config, stylesheets = _font_configuration_and_stylesheets(font_css)

    def render(**parts):
        # WeasyPrint gives stylesheets passed to render() the "user" origin:
        # they still win over its own defaults, and the HTML has no <style>.
        html = document_html(
            speech, "", break_hints=True, inline_style=False, layout=layout, **parts
        )
        return HTML(string=html, base_url=".").render(
            font_config=font_config, stylesheets=stylesheets
        )

    # A render allocates hundreds of thousands of short-lived objects, and each
    # automatic collection they trigger scans the whole heap (~20% of a warm
    # render, measured); one full collection at the end frees the same cycles.  Only
    # re-enabled if it was on, so concurrent renders and callers that manage
    # the collector themselves keep their setting.
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        document = render(cover=False)
        if speech.mode == "draft":
            # The cover is a separate document so that the speech's page
            # counter starts at — 1 — on its own first page.
            cover = render(body=False)
            if len(cover.pages) % 2:
                cover = render(body=False, blank_page=True)
            document = document.copy([*cover.pages, *document.pages])
        written = write(document)
        del document
    finally:
        # WeasyPrint keeps cyclic font/layout structures: without a collection
        # the worker grew by ~87 MiB per render. With the collector held off, every
        # object the render made is still in the youngest generation, so collecting
        # that one alone frees the same cycles in ~2 ms, where a full collection
        # also walked the whole heap (Django, fonts, the worker) for ~20 ms.
        gc.collect(0)
        if collector_was_enabled:
            gc.enable()
    return written


def render_pdf_from_speech(
    speech: RenderedSpeech,
    *,
    layout: str = "speech",
    font_dir: str | os.PathLike | None = None,
    font_cache_dir: str | os.PathLike | None = None,
    free_font_dir: str | os.PathLike | None = None,
) -> bytes:
    return write_from_layout(
        speech,
        lambda document: document.write_pdf(),
        layout=layout,
        font_dir=font_dir,
        font_cache_dir=font_cache_dir,
        free_font_dir=free_font_dir,
    )


def render_pdf(
    template: Template | str,
    snapshot: Mapping[str, Any],
    mode: Mode = "final",
    *,
    layout: str = "speech",
    exclusions: Mapping[str, Any] | None = None,
    font_dir: str | os.PathLike | None = None,
    font_cache_dir: str | os.PathLike | None = None,
    free_font_dir: str | os.PathLike | None = None,
) -> bytes:
    """The document as PDF bytes.

    ``layout`` is "speech" or "report" (公文 headings, the report's wording);
    ``exclusions`` are what a public version leaves out (see ``public.public_version``).

    ``font_dir`` is REPORT_FONT_DIR (licensed fonts that take precedence);
    ``font_cache_dir`` holds the reduced fonts (e.g. var/fonts) — without them
    the full fonts are read on every render, which is slower and gives a larger
    PDF; ``free_font_dir`` is where the Fandol files are (default: see
    fonts.free_font_dirs).
    """

    speech = public_version(render_text(template, snapshot, mode), exclusions)
    return render_pdf_from_speech(
        speech,
        layout=layout,
        font_dir=font_dir,
        font_cache_dir=font_cache_dir,
        free_font_dir=free_font_dir,
    )


_WARM_UP_TEXT = (
    "# 标题\n> 尊敬的各位领导：\n## 一级标题\n**楷体引领。**正文{district}，“引号”1.5%。"
)


def warm_up(
    *,
    font_dir: str | os.PathLike | None = None,
    font_cache_dir: str | os.PathLike | None = None,
    free_font_dir: str | os.PathLike | None = None,
) -> float:
    """Do once what a process's first render would otherwise pay for: import WeasyPrint,
    patch it, load the fonts (FontConfiguration, @font-face files), parse speech.css,
    and lay out and write a few lines in each face so that Pango, HarfBuzz and the PDF
    writer have opened them; load the title dictionary and python-docx's template.
    For a worker's start (celery.signals.worker_process_init).
    Returns the seconds it took."""
    import time

    started = time.perf_counter()
    load_title_dictionary()
    snapshot = {"district_name": "示范", "figures": {}}
    render_pdf(
        _WARM_UP_TEXT,
        snapshot,
        "final",
        font_dir=font_dir,
        font_cache_dir=font_cache_dir,
        free_font_dir=free_font_dir,
    )
    # python-docx's package template and lxml's parsers, loaded on first use.
    render_docx(_WARM_UP_TEXT, snapshot, "final")
    return time.perf_counter() - started
