"""The report renderer: a pure function from (template text, figure snapshot) to documents.

Nothing here imports Django: the renderer sees only the snapshot it is given,
so it is testable without settings and cannot reach the database.

Snapshot format (JSON-serialisable, stored on the generation job)::

    {"district_name": "示范", "period": "2026", "period_label": "2026年度",
     "figures": {"biz_approval_reforms": {"value": "126", "status": "approved",
                 "name": "完成涉企行政审批事项改革", "unit": "项",
                 "department": "区行政审批服务局", "previous": "120",
                 "change": "percent"}, ...}}

``value``/``previous`` are decimal strings or null; ``change`` is how the figure's change
reads (metrics.change: ``percent``, or ``points`` for a rate; ``percent`` when absent);
a computed figure's ``places`` are the decimals its value is printed with (95.0).  Only ``status ==
"approved"`` figures are final; anything else is a gap (see ``render_text``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .default_template import ANNUAL_REPORT_TEXT, DEFAULT_TEMPLATE_TEXT
from .filters import FILTERS, FilterValueError
from .fonts import harfbuzz_subset_available, preview_font_css
from .htmlout import document_html, speech_body_html, stylesheet
from .markup import (
    SITE_VALUES,
    Block,
    Placeholder,
    Template,
    TemplateError,
    TemplateSyntaxError,
    parse_template,
    validate_template,
)
from .speech import Gap, MissingFigures, Mode, Paragraph, RenderedSpeech, Run, render_text

__all__ = [
    "ANNUAL_REPORT_TEXT",
    "DEFAULT_TEMPLATE_TEXT",
    "FILTERS",
    "SITE_VALUES",
    "Block",
    "FilterValueError",
    "Gap",
    "MissingFigures",
    "Paragraph",
    "Placeholder",
    "RenderedSpeech",
    "Run",
    "Template",
    "TemplateError",
    "TemplateSyntaxError",
    "harfbuzz_subset_available",
    "parse_template",
    "preview_font_css",
    "render_docx",
    "render_html",
    "render_pdf",
    "render_pdf_and_ofd",
    "render_text",
    "stylesheet",
    "validate_template",
]


def render_html(
    template: Template | str,
    snapshot: Mapping[str, Any],
    mode: Mode = "draft",
    *,
    fragment: bool = False,
    layout: str = "speech",
) -> str:
    """HTML for the live preview.

    ``fragment=True`` gives just the cover (drafts) and ``<article class="speech">``
    to embed in a page that links speech.css (``stylesheet()``, which includes
    the browser font stacks) itself — no inline styles, so a strict CSP is
    fine; wrap it in ``<div class="speech-preview">`` for the paper look.
    Otherwise a complete document with the stylesheet inline.
    Preview defaults to draft mode, so gaps show as markers instead of raising.
    """
    speech = render_text(template, snapshot, mode)
    if fragment:
        return speech_body_html(speech, layout=layout)
    # speech.css carries the preview font stacks itself.
    return document_html(speech, "", preview=True, layout=layout)


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
    """PDF bytes (A4, GB/T 9704 layout); see ``reports.rendering.pdf``. ``layout`` is
    "speech" or "report"; ``exclusions`` ({"paragraphs": [...], "codes": [...]}) are what a
    public version leaves out (see ``reports.rendering.public``)."""
    from .pdf import render_pdf as _render_pdf

    return _render_pdf(
        template,
        snapshot,
        mode,
        layout=layout,
        exclusions=exclusions,
        font_dir=font_dir,
        font_cache_dir=font_cache_dir,
        free_font_dir=free_font_dir,
    )


def render_pdf_and_ofd(
    template: Template | str, snapshot: Mapping[str, Any], mode: Mode = "final", **options
) -> tuple[bytes, bytes]:
    """``render_pdf``'s PDF and the OFD (GB/T 33190) of the same layout; see
    ``reports.rendering.ofd``."""
    from .ofd import render_pdf_and_ofd as _render_pdf_and_ofd

    return _render_pdf_and_ofd(template, snapshot, mode, **options)


def render_docx(
    template: Template | str,
    snapshot: Mapping[str, Any],
    mode: Mode = "final",
    *,
    layout: str = "speech",
    exclusions: Mapping[str, Any] | None = None,
) -> bytes:
    """DOCX bytes with the same structure, page setup and Chinese font names."""
    from .docx import render_docx as _render_docx

    return _render_docx(template, snapshot, mode, layout=layout, exclusions=exclusions)
