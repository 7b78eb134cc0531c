"""Subset the fonts a document uses, with fontTools, for embedding in the OFD.

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
    subsetter.populate(unicodes={ord(c) for text in characters for c in text}, gids=set(glyphs))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_suffix(face: FontFace) -> str:
    return ".otf" if face.data[:4] == b"OTTO" else ".ttf"
