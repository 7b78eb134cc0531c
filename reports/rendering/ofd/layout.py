"""Glyph runs out of WeasyPrint's layout tree: what the OFD writer places on each page.

Why the layout tree and not the PDF read back: WeasyPrint has already decided every
page, line, font and glyph advance (with our inter-character justification applied);
walking its boxes gives each character with its Unicode text, its font file and its
pen position exactly as the PDF writer (``weasyprint.draw.text.draw_first_line``) uses
them, in the same process and in a few milliseconds.  Reading the PDF back would mean
re-parsing what we just wrote (a PDF library as a runtime dependency), recovering
text from ToUnicode maps and fonts from subset CFF streams, and guessing the reading
order; a PDF-to-OFD converter that goes that way (ofdrw) ends up drawing text as paths.

Only text is taken (and the borders of the draft cover's gap table): the speech and
the reports are text on a white page.  Units here are CSS pixels (1/96 in), as in
WeasyPrint; ``package`` converts to millimetres.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .recording import GlyphRecording


@dataclass(frozen=True)
class FontFace:
    """One font file as Pango used it: ``key`` identifies it across the document."""

    key: str
    family: str
    index: int  # the face in a collection (.ttc/.otc); 0 otherwise
    bold: bool
    italic: bool
    cff: bool  # OpenType with CFF outlines (an .otf file); else TrueType
    # The HarfBuzz face Pango used (subset with libharfbuzz-subset when available).
    hb_face: object = field(default=None, compare=False, repr=False)

    @property
    def data(self) -> bytes:
        """The whole font file: a copy of megabytes for a CJK face, made only for the
        fontTools subsetter."""
        from weasyprint.text.fonts import get_hb_object_data

        return get_hb_object_data(self.hb_face)


@dataclass
class GlyphRun:
    """Characters of one font and size on one baseline, with each one's x."""

    face: FontFace
    size: float  # px
    baseline: float  # y of the baseline, px from the page's top
    text: list[str] = field(default_factory=list)  # one cluster (usually a character) a glyph
    xs: list[float] = field(default_factory=list)  # where each glyph is drawn, px
    glyphs: list[int] = field(default_factory=list)  # glyph ids in ``face``
    advance_end: float = 0.0  # pen position after the last glyph, px
    color: tuple[int, int, int] = (0, 0, 0)
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x, y, w, h of the text box


@dataclass(frozen=True)
class Rule:
    """A straight border line (table cells of the draft cover), px."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    color: tuple[int, int, int]


@dataclass
class PageLayout:
    width: float
    height: float
    runs: list[GlyphRun] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join("".join(run.text) for run in self.runs)


def drawn(textbox) -> bool:
    """Whether WeasyPrint draws any of a text box (``draw_text``, ``draw_first_line``)."""
    return (
        textbox.style["visibility"] == "visible"
        and textbox.style["font_size"] >= 1e-6
        and bool(textbox.text.strip())
    )


def _rgb(color) -> tuple[int, int, int]:
    return tuple(round(channel * 255) for channel in color[:3])


def _boxes(box) -> Iterator:
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _boxes(child)
    # A page's margin boxes (the "— 1 —" numbers, 草稿) are children of the page box.


def _file_identity(hb_face) -> tuple[tuple[int, int, int, int], bool]:
    """What tells font files apart, read in place from HarfBuzz's blob (copying the
    files out cost ~1.5 ms a CJK face per document): their size and ends, and whether
    the file is CFF-flavoured OpenType."""
    from weasyprint.text.ffi import ffi, harfbuzz

    blob = harfbuzz.hb_face_reference_blob(hb_face)
    try:
        length = ffi.new("unsigned int *")
        pointer = harfbuzz.hb_blob_get_data(blob, length)
        data = ffi.buffer(pointer, length[0]) if pointer != ffi.NULL else b""
        index = harfbuzz.hb_face_get_index(hb_face)
        return (len(data), hash(data[:65536]), hash(data[-65536:]), index), data[:4] == b"OTTO"
    finally:
        harfbuzz.hb_blob_destroy(blob)


class Faces:
    """Font files by Pango font, each identified once per document."""

    def __init__(self) -> None:
        self._by_description: dict[int, FontFace] = {}
        self._by_data: dict[tuple[int, int, int, int], FontFace] = {}

    def face(self, pango_font) -> tuple[FontFace, float]:
        """The font file behind ``pango_font`` and the size Pango draws it at (px)."""
        from weasyprint.text.ffi import ffi, pango
        from weasyprint.text.fonts import get_pango_font_hb_face, get_pango_font_key

        key, description, size = get_pango_font_key(pango_font)
        if key in self._by_description:
            return self._by_description[key], size
        hb_face = get_pango_font_hb_face(pango_font)
        # Two Pango fonts (weights, say) may share a file: the same file, the same face.
        identity, cff = _file_identity(hb_face)
        face = self._by_data.get(identity)
        if face is None:
            face = FontFace(
                key=f"F{len(self._by_data)}",
                family=ffi.string(pango.pango_font_description_get_family(description)).decode(),
                index=identity[3],
                bold=pango.pango_font_description_get_weight(description) >= 600,
                italic=pango.pango_font_description_get_style(description) != 0,
                cff=cff,
                hb_face=hb_face,
            )
            self._by_data[identity] = face
        self._by_description[key] = face
        return face, size


class ShapedItem(NamedTuple):
    """One Pango glyph item (a run of glyphs of one font), copied out of the layout so
    that it outlives the layout's deactivation."""

    face: FontFace
    size: float  # px
    offset: int  # where the item starts in the line's UTF-8 text, bytes
    length: int  # its length there, bytes
    rtl: bool
    infos: bytes  # its PangoGlyphInfo array
    clusters: list[int]  # each glyph's first byte, from ``offset``


# A text box's first line: its UTF-8 text and its glyph items, left to right.
ShapedLine = tuple[bytes, list[ShapedItem]]


def shaped_line(layout, faces: Faces, font_size: float) -> ShapedLine:
    """The glyph items of an active WeasyPrint ``Layout``'s first line, as
    ``draw_first_line`` draws them."""
    from weasyprint.text.ffi import ffi

    first_line, _ = layout.get_first_line()
    stride = ffi.sizeof("PangoGlyphInfo")
    items = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyph_string = glyph_item.glyphs
        count = glyph_string.num_glyphs
        item = glyph_item.item
        face, size = faces.face(item.analysis.font)
        items.append(
            ShapedItem(
                face=face,
                size=size or font_size,
                offset=item.offset,
                length=item.length,
                rtl=bool(item.analysis.level % 2),
                # One copy of the array (per-field cffi access was most of the time).
                infos=ffi.buffer(glyph_string.glyphs, count * stride)[:],
                clusters=ffi.unpack(glyph_string.log_clusters, count),
            )
        )
    return layout.text.encode(), items


def reshaped_line(textbox, faces: Faces) -> ShapedLine:
    """Lay a text box's line out again, as ``draw_text`` does for the PDF, and read it:
    for a box whose glyphs were not recorded while the PDF was drawn (``recording``)."""
    from weasyprint.text.ffi import pango

    layout = textbox.pango_layout
    layout.reactivate(textbox.style)
    try:
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        return shaped_line(layout, faces, textbox.style["font_size"])
    finally:
        layout.deactivate()


@functools.cache
def _glyph_info(stride: int) -> struct.Struct:
    # PangoGlyphInfo: PangoGlyph glyph; PangoGlyphGeometry {width, x_offset, y_offset};
    # then PangoGlyphVisAttr (a bit field), skipped.
    return struct.Struct(f"=Iiii{stride - 16}x")


def _place(run: GlyphRun, item: ShapedItem, utf8: bytes, x: float) -> float:
    """Add the item's visible glyphs to ``run`` at their pen positions from ``x``; return
    the pen position after the item."""
    from weasyprint.text.ffi import FROM_UNITS, pango

    empty, unknown = pango.PANGO_GLYPH_EMPTY, pango.PANGO_GLYPH_UNKNOWN_FLAG
    clusters, offset = item.clusters, item.offset
    if not clusters:
        return x
    # A glyph's characters run from its cluster start to the next cluster's (the
    # previous one's, right to left).
    ends = [item.length, *clusters[:-1]] if item.rtl else [*clusters[1:], item.length]
    glyph_infos = _glyph_info(len(item.infos) // len(clusters)).iter_unpack(item.infos)
    text, xs, glyphs = run.text, run.xs, run.glyphs
    for (glyph, width, x_offset, _), start, end in zip(glyph_infos, clusters, ends, strict=True):
        # Empty glyphs (U+200B break hints) and missing ones (.notdef) only move the
        # pen, as in the PDF.
        if glyph != empty and not glyph & unknown:
            cluster = utf8[offset + start : offset + end].decode()
            if cluster and not cluster.isspace():
                text.append(cluster)
                xs.append(x + x_offset * FROM_UNITS)
                glyphs.append(glyph)
        x += width * FROM_UNITS
    return x


def _text_runs(textbox, line: ShapedLine) -> Iterator[GlyphRun]:
    """The glyphs of one text box's line, one run per font and size."""
    utf8, items = line
    x = textbox.position_x
    baseline = textbox.position_y + textbox.baseline
    color = _rgb(textbox.style["color"])
    box = (textbox.position_x, textbox.position_y, textbox.width, textbox.height)
    current: GlyphRun | None = None
    for item in items:
        if current is None or current.face is not item.face or current.size != item.size:
            if current is not None and current.text:
                yield current
            current = GlyphRun(
                face=item.face, size=item.size, baseline=baseline, color=color, box=box
            )
        x = _place(current, item, utf8, x)
        current.advance_end = x
    if current is not None and current.text:
        yield current


def _rules(box) -> Iterator[Rule]:
    """Solid borders of table cells, the only lines the documents draw."""
    style = box.style
    x = box.border_box_x()
    y = box.border_box_y()
    w = box.border_width()
    h = box.border_height()
    sides = {
        "top": (x, y + box.border_top_width / 2, x + w, y + box.border_top_width / 2),
        "bottom": (
            x,
            y + h - box.border_bottom_width / 2,
            x + w,
            y + h - box.border_bottom_width / 2,
        ),
        "left": (x + box.border_left_width / 2, y, x + box.border_left_width / 2, y + h),
        "right": (
            x + w - box.border_right_width / 2,
            y,
            x + w - box.border_right_width / 2,
            y + h,
        ),
    }
    for side, (x1, y1, x2, y2) in sides.items():
        width = getattr(box, f"border_{side}_width")
        if width and style[f"border_{side}_style"] not in ("none", "hidden"):
            yield Rule(x1, y1, x2, y2, width, _rgb(style[f"border_{side}_color"]))


def page_layouts(document, recording: GlyphRecording | None = None) -> list[PageLayout]:
    """Every page of a rendered WeasyPrint ``Document``, with its glyph runs in the
    order WeasyPrint lays them out (reading order for our documents).  With the
    ``recording`` made while its PDF was written, each line's glyphs are those the PDF
    drew; a line without one is laid out again."""
    from weasyprint.formatting_structure import boxes

    faces = recording.faces if recording is not None else Faces()
    pages = []
    for page in document.pages:
        out = PageLayout(width=page.width, height=page.height)
        # Reading order: the top margin boxes (草稿), the page's content, then the bottom
        # ones (— 1 —), as a reader of the PDF finds them.
        children = list(page._page_box.children)
        top = [
            c for c in children if isinstance(c, boxes.MarginBox) and c.position_y < page.height / 2
        ]
        for child in top + [c for c in children if not any(c is t for t in top)]:
            for box in _boxes(child):
                if isinstance(box, boxes.TextBox):
                    if drawn(box):
                        line = recording.line(box) if recording is not None else None
                        out.runs.extend(_text_runs(box, line or reshaped_line(box, faces)))
                elif isinstance(box, boxes.TableCellBox) and box.style["visibility"] == "visible":
                    out.rules.extend(_rules(box))
        pages.append(out)
    return pages
