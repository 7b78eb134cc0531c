"""OFD (GB/T 33190-2016 版式文档) beside the PDF: the format 电子公文 systems and archives take.

Written from the same WeasyPrint layout as the PDF (see ``layout`` for why the layout
tree rather than the PDF read back): the same pages, lines and faces, each character
at the same place, as selectable text (``TextObject``/``TextCode`` with ``DeltaX``) in
embedded font subsets.  No Django here, as for the rest of ``reports.rendering``.

``render_pdf_and_ofd`` lays a document out once and writes both files from it, the OFD
from each line's glyphs as the PDF writer drew them (``recording``: no line is shaped
twice); a government seal system adds its 电子印章 through ``package.add_seal`` (the portal signs
nothing).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..markup import Template
from ..pdf import write_from_layout
from ..public import public_version
from ..speech import Mode, RenderedSpeech, render_text
from .layout import PageLayout, page_layouts
from .package import DocInfo, SealHook, add_seal, write_package
from .recording import GlyphRecording, recording_glyphs

__all__ = [
    "DocInfo",
    "GlyphRecording",
    "PageLayout",
    "add_seal",
    "page_layouts",
    "recording_glyphs",
    "render_pdf_and_ofd",
    "render_pdf_and_ofd_from_speech",
    "write_ofd",
    "write_pdf_and_ofd",
]


def write_ofd(
    document,
    info: DocInfo,
    *,
    seal: SealHook = add_seal,
    recording: GlyphRecording | None = None,
) -> bytes:
    """The OFD of a rendered WeasyPrint ``Document`` (``HTML(...).render()``); pass the
    ``recording`` made while its PDF was written to reuse the PDF's glyphs."""
    return write_package(page_layouts(document, recording), info, seal=seal)


def write_pdf_and_ofd(document, info: DocInfo, *, seal: SealHook = add_seal) -> tuple[bytes, bytes]:
    """The PDF of a rendered ``Document``, then its OFD from the glyphs the PDF drew."""
    with recording_glyphs() as recording:
        pdf = document.write_pdf()
    return pdf, write_ofd(document, info, seal=seal, recording=recording)


def _doc_info(speech: RenderedSpeech, author: str) -> DocInfo:
    title = speech.title.replace("\u200b", "") or "法治政府建设工作汇报"
    return DocInfo(title=title, author=author, subject=speech.period_label)


def render_pdf_and_ofd_from_speech(
    speech: RenderedSpeech,
    *,
    author: str,
    layout: str = "speech",
    font_dir: str | os.PathLike | None = None,
    font_cache_dir: str | os.PathLike | None = None,
    free_font_dir: str | os.PathLike | None = None,
    seal: SealHook = add_seal,
) -> tuple[bytes, bytes]:
    """(PDF, OFD) of one layout (``pdf.write_from_layout``, as the PDF alone is made): the
    OFD is written from the very ``Document`` the PDF is written from."""
    info = _doc_info(speech, author)
    return write_from_layout(
        speech,
        lambda document: write_pdf_and_ofd(document, info, seal=seal),
        layout=layout,
        font_dir=font_dir,
        font_cache_dir=font_cache_dir,
        free_font_dir=free_font_dir,
    )


def render_pdf_and_ofd(
    template: Template | str,
    snapshot: Mapping[str, Any],
    mode: Mode = "final",
    *,
    author: str = "",
    layout: str = "speech",
    exclusions: Mapping[str, Any] | None = None,
    font_dir: str | os.PathLike | None = None,
    font_cache_dir: str | os.PathLike | None = None,
    free_font_dir: str | os.PathLike | None = None,
    seal: SealHook = add_seal,
) -> tuple[bytes, bytes]:
    """``render_pdf``'s PDF and the OFD of the same layout. ``author`` is the issuing
    office for the OFD's DocInfo (default: the district's 人民政府 from the snapshot)."""

    speech = public_version(render_text(template, snapshot, mode), exclusions)
    if not author:
        district = snapshot.get("district_name") or ""
        author = f"{district}区人民政府" if district else "区人民政府"
    return render_pdf_and_ofd_from_speech(
        speech,
        author=author,
        layout=layout,
        font_dir=font_dir,
        font_cache_dir=font_cache_dir,
        free_font_dir=free_font_dir,
        seal=seal,
    )
