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

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FontFace:
    """One font file as Pango used it: ``key`` identifies it across the document."""

    key: str
    family: str
    data: bytes
    index: int  # the face in a collection (.ttc/.otc); 0 otherwise
    bold: bool
    italic: bool
    # The HarfBuzz face Pango used (subset with libharfbuzz-subset when available).
    hb_face: object = field(default=None, compare=False, repr=False)


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


def _rgb(color) -> tuple[int, int, int]:
    return tuple(round(channel * 255) for channel in color[:3])


def _boxes(box) -> Iterator:
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _boxes(child)
    # A page's margin boxes (the "— 1 —" numbers, 草稿) are children of the page box.


class _Faces:
    """Font files by Pango font: each file read out of HarfBuzz once per document."""

    def __init__(self) -> None:
        self._by_description: dict[int, FontFace] = {}
        self._by_data: dict[tuple[int, int, int, int], FontFace] = {}

    def face(self, pango_font) -> tuple[FontFace, float]:
        """The font file behind ``pango_font`` and the size Pango draws it at (px)."""
        from weasyprint.text.ffi import ffi, harfbuzz, pango
        from weasyprint.text.fonts import (
            get_hb_object_data,
            get_pango_font_hb_face,
            get_pango_font_key,
        )

        key, description, size = get_pango_font_key(pango_font)
        if key in self._by_description:
            return self._by_description[key], size
        hb_face = get_pango_font_hb_face(pango_font)
        data = get_hb_object_data(hb_face)
        index = harfbuzz.hb_face_get_index(hb_face)
        # Two Pango fonts (weights, say) may share a file: the same file, the same face.
        # Its size and ends tell files apart without hashing megabytes of CJK outlines.
        identity = (len(data), hash(data[:65536]), hash(data[-65536:]), index)
        face = self._by_data.get(identity)
        if face is None:
            face = FontFace(
                key=f"F{len(self._by_data)}",
                family=ffi.string(pango.pango_font_description_get_family(description)).decode(),
                data=data,
                index=index,
                bold=pango.pango_font_description_get_weight(description) >= 600,
                italic=pango.pango_font_description_get_style(description) != 0,
                hb_face=hb_face,
            )
            self._by_data[identity] = face
        self._by_description[key] = face
        return face, size


# PangoGlyphInfo: PangoGlyph glyph; PangoGlyphGeometry {width, x_offset, y_offset};
# PangoGlyphVisAttr attr (a bit field in a guint32).
_GLYPH_INFO = struct.Struct("=Iiii")


def _text_runs(textbox, faces: _Faces) -> Iterator[GlyphRun]:
    """The glyphs of one text box, as ``draw_first_line`` places them."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    layout = textbox.pango_layout
    layout.reactivate(textbox.style)
    try:
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        first_line, _ = layout.get_first_line()
        utf8 = layout.text.encode()
        x = textbox.position_x
        baseline = textbox.position_y + textbox.baseline
        color = _rgb(textbox.style["color"])
        box = (textbox.position_x, textbox.position_y, textbox.width, textbox.height)
        run = first_line.runs[0]
        current: GlyphRun | None = None
        while run != ffi.NULL:
            glyph_item = run.data
            run = run.next
            glyph_string = glyph_item.glyphs
            count = glyph_string.num_glyphs
            clusters = glyph_string.log_clusters
            item = glyph_item.item
            face, size = faces.face(item.analysis.font)
            if current is None or current.face is not face or current.size != size:
                if current is not None and current.text:
                    yield current
                current = GlyphRun(
                    face=face,
                    size=size or textbox.style["font_size"],
                    baseline=baseline,
                    color=color,
                    box=box,
                )
            rtl = item.analysis.level % 2
            # The glyph infos and clusters read in one go (per-field cffi access was half
            # of this function's time): PangoGlyphInfo is glyph, width, x_offset, y_offset.
            stride = ffi.sizeof("PangoGlyphInfo")
            infos = ffi.buffer(glyph_string.glyphs, count * stride)
            clusters = ffi.unpack(glyph_string.log_clusters, count)
            empty, unknown = pango.PANGO_GLYPH_EMPTY, pango.PANGO_GLYPH_UNKNOWN_FLAG
            offset, length = item.offset, item.length
            for i, (glyph, width, x_offset, _) in enumerate(
                _GLYPH_INFO.unpack_from(infos, i * stride) for i in range(count)
            ):
                # Empty glyphs (U+200B break hints) and missing ones (.notdef) only move
                # the pen, as in the PDF.
                if glyph != empty and not glyph & unknown:
                    start = clusters[i]
                    if rtl:
                        end = length if i == 0 else clusters[i - 1]
                    else:
                        end = length if i == count - 1 else clusters[i + 1]
                    cluster = utf8[offset + start : offset + end].decode()
                    if cluster and not cluster.isspace():
                        current.text.append(cluster)
                        current.xs.append(x + x_offset * FROM_UNITS)
                        current.glyphs.append(glyph)
                x += width * FROM_UNITS
            current.advance_end = x
        if current is not None and current.text:
            yield current
    finally:
        layout.deactivate()


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


def page_layouts(document) -> list[PageLayout]:
    """Every page of a rendered WeasyPrint ``Document``, with its glyph runs in the
    order WeasyPrint lays them out (reading order for our documents)."""
    from weasyprint.formatting_structure import boxes

    faces = _Faces()
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
                    if (
                        box.style["visibility"] != "visible"
                        or box.style["font_size"] < 1e-6
                        or not box.text.strip()
                    ):
                        continue
                    out.runs.extend(_text_runs(box, faces))
                elif isinstance(box, boxes.TableCellBox) and box.style["visibility"] == "visible":
                    out.rules.extend(_rules(box))
        pages.append(out)
    return pages
