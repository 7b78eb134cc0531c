"""Subset the fonts a document uses, for embedding in the OFD.

With libharfbuzz-subset, as WeasyPrint subsets the PDF's fonts (a few milliseconds for
a Fandol face); else with fontTools, which has to parse the whole CFF font first
(seconds for a full Fandol file) but gives the same kind of subset.

TextCode carries Unicode text, so a reader finds each glyph through the font's cmap:
the subset keeps the used characters (and the glyph ids Pango chose, for the rare
glyph reached by shaping), renumbered; hinting and layout tables are dropped, as
WeasyPrint does for the PDF.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from .layout import FontFace

_DROP_TABLES = ["BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT"]


def subset_font(face: FontFace, characters: Iterable[str], glyphs: Iterable[int]) -> bytes:
    codepoints = sorted({ord(c) for text in characters for c in text})
    glyph_ids = sorted(set(glyphs))
    if face.hb_face is not None:
        data = _harfbuzz_subset(face, codepoints, glyph_ids)
        if data:
            return data
    return fonttools_subset(face, codepoints, glyph_ids)


def _harfbuzz_subset(face: FontFace, codepoints: list[int], glyph_ids: list[int]) -> bytes:
    try:
        from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
        from weasyprint.text.fonts import get_hb_object_data
    except (ImportError, OSError):
        return b""
    if harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        return b""
    subset_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )
    for set_type, values in (
        (harfbuzz_subset.HB_SUBSET_SETS_UNICODE, codepoints),
        (harfbuzz_subset.HB_SUBSET_SETS_GLYPH_INDEX, glyph_ids),
    ):
        if values:
            target = harfbuzz_subset.hb_subset_input_set(subset_input, set_type)
            # An open array type: one parsed C type, where "hb_codepoint_t[N]" makes cffi
            # parse a new declaration for each N (~60 µs each).
            array = ffi.new("hb_codepoint_t[]", values)
            harfbuzz.hb_set_add_sorted_array(target, array, len(values))
    drop = harfbuzz_subset.hb_subset_input_set(
        subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG
    )
    tags = sorted(harfbuzz.hb_tag_from_string(tag.encode(), -1) for tag in _DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new("hb_codepoint_t[]", tags), len(tags))
    harfbuzz_subset.hb_subset_input_set_flags(
        subset_input,
        harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING | harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE,
    )
    result = harfbuzz_subset.hb_subset_or_fail(face.hb_face, subset_input)
    if result == ffi.NULL:
        return b""
    result = ffi.gc(result, harfbuzz.hb_face_destroy)
    return get_hb_object_data(result)


def fonttools_subset(face: FontFace, codepoints: list[int], glyph_ids: list[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.drop_tables += _DROP_TABLES
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    font = TTFont(io.BytesIO(face.data), fontNumber=face.index, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints, gids=glyph_ids)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_suffix(face: FontFace) -> str:
    return ".otf" if face.cff else ".ttf"
