"""Write the OFD package (GB/T 33190-2016) from page layouts.

The package::

    OFD.xml                         entry: DocInfo, DocRoot (and, once sealed, Signatures)
    Doc_0/Document.xml              CommonData (A4 PageArea, resources), the page list
    Doc_0/PublicRes.xml             fonts, each with its embedded subset file
    Doc_0/DocumentRes.xml           document resources (none: the documents have no images)
    Doc_0/Res/font_N.otf            the font subsets
    Doc_0/Pages/Page_N/Content.xml  one Layer of TextObjects (TextCode with DeltaX) and
                                    PathObjects (the draft cover's table rules)

Coordinates are millimetres from the page's top-left corner, y downwards, as in
WeasyPrint; a TextCode's X/Y is the first character's baseline origin relative to its
object's Boundary, and DeltaX the distances to the following characters.
"""

from __future__ import annotations

import datetime
import io
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from .fonts import font_suffix, subset_font
from .layout import FontFace, PageLayout

NAMESPACE = "http://www.ofdspec.org/2016"
MM_PER_PX = 25.4 / 96
A4_MM = (210.0, 297.0)
_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class DocInfo:
    title: str
    author: str  # the office that issues the document
    creation_date: datetime.date = field(default_factory=datetime.date.today)
    doc_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    subject: str = ""
    creator: str = "lawgov"
    creator_version: str = "1.0"


def _mm(px: float) -> str:
    value = f"{px * MM_PER_PX:.3f}".rstrip("0").rstrip(".")
    return "0" if value in ("", "-0") else value


def _num(mm: float) -> str:
    value = f"{mm:.3f}".rstrip("0").rstrip(".")
    return "0" if value in ("", "-0") else value


def _delta_x(xs: list[float]) -> str:
    """DeltaX with GB/T 33190's "g N value" shorthand for repeated steps."""
    steps = [_mm(b - a) for a, b in zip(xs, xs[1:], strict=False)]
    out: list[str] = []
    i = 0
    while i < len(steps):
        j = i
        while j < len(steps) and steps[j] == steps[i]:
            j += 1
        if j - i > 2:
            out += ["g", str(j - i), steps[i]]
        else:
            out += steps[i:j]
        i = j
    return " ".join(out)


def _color(rgb: tuple[int, int, int]) -> str:
    return " ".join(str(c) for c in rgb)


class _Ids:
    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


def _page_xml(page: PageLayout, ids: _Ids, font_ids: dict[str, int]) -> str:
    parts = [
        f'{_HEADER}<ofd:Page xmlns:ofd="{NAMESPACE}">',
        f"<ofd:Area><ofd:PhysicalBox>0 0 {_mm(page.width)} {_mm(page.height)}"
        "</ofd:PhysicalBox></ofd:Area>",
        f'<ofd:Content><ofd:Layer ID="{ids.next()}">',
    ]
    for run in page.runs:
        size = run.size
        left = min(run.xs) - size
        top = run.baseline - 1.5 * size
        width = max(run.advance_end, max(run.xs) + size) - left + size
        height = 2.5 * size
        characters: list[str] = []
        xs: list[float] = []
        for text, x in zip(run.text, run.xs, strict=True):
            for c in text:  # a cluster of several characters: the rest at its place
                characters.append(c)
                xs.append(x)
        color = "" if run.color == (0, 0, 0) else f'<ofd:FillColor Value="{_color(run.color)}"/>'
        delta = _delta_x(xs)
        parts.append(
            f'<ofd:TextObject ID="{ids.next()}" '
            f'Boundary="{_mm(left)} {_mm(top)} {_mm(width)} {_mm(height)}" '
            f'Font="{font_ids[run.face.key]}" Size="{_mm(size)}">{color}'
            f'<ofd:TextCode X="{_mm(xs[0] - left)}" Y="{_mm(run.baseline - top)}"'
            + (f' DeltaX="{delta}"' if delta else "")
            + f">{escape(''.join(characters))}</ofd:TextCode></ofd:TextObject>"
        )
    for rule in page.rules:
        left = min(rule.x1, rule.x2) - rule.width
        top = min(rule.y1, rule.y2) - rule.width
        width = abs(rule.x2 - rule.x1) + 2 * rule.width
        height = abs(rule.y2 - rule.y1) + 2 * rule.width
        parts.append(
            f'<ofd:PathObject ID="{ids.next()}" '
            f'Boundary="{_mm(left)} {_mm(top)} {_mm(width)} {_mm(height)}" '
            f'LineWidth="{_mm(rule.width)}">'
            f'<ofd:StrokeColor Value="{_color(rule.color)}"/>'
            f"<ofd:AbbreviatedData>M {_mm(rule.x1 - left)} {_mm(rule.y1 - top)} "
            f"L {_mm(rule.x2 - left)} {_mm(rule.y2 - top)}</ofd:AbbreviatedData>"
            "</ofd:PathObject>"
        )
    parts.append("</ofd:Layer></ofd:Content></ofd:Page>")
    return "".join(parts)


def _used_fonts(pages: list[PageLayout]) -> dict[str, tuple[FontFace, set[str], set[int]]]:
    used: dict[str, tuple[FontFace, set[str], set[int]]] = {}
    for page in pages:
        for run in page.runs:
            _, characters, glyphs = used.setdefault(run.face.key, (run.face, set(), set()))
            characters.update(run.text)
            glyphs.update(run.glyphs)
    return used


SealHook = Callable[[dict[str, bytes]], dict[str, bytes]]


def add_seal(files: dict[str, bytes]) -> dict[str, bytes]:
    """Where a 电子印章 (GB/T 38540-2019) would be applied: the portal signs nothing.

    ``files`` is the whole package, path → bytes, as it is about to be zipped.  A
    government seal system that signs the document adds, per GB/T 33190 §18 and
    GB/T 38540: ``Doc_0/Signs/Signatures.xml`` (the list), ``Doc_0/Signs/Sign_0/
    Signature.xml`` (References with each signed file's digest, the StampAnnot on a
    page, the seal ``SignedValue.dat``) and a ``<ofd:Signatures>Doc_0/Signs/
    Signatures.xml</ofd:Signatures>`` entry after DocRoot in ``OFD.xml``'s DocBody.
    It must do so on the finished package, as the last change: any later edit breaks
    the digests.  Pass such a function as ``write_ofd(..., seal=...)``; this default
    returns the package unchanged.
    """
    return files


def _font_files(pages: list[PageLayout], ids: _Ids) -> tuple[dict[str, int], dict[str, bytes]]:
    """Each used face's ID, and its font file and ``PublicRes.xml`` that lists them."""
    used = _used_fonts(pages)
    font_ids = {key: ids.next() for key in used}
    files: dict[str, bytes] = {}
    font_xml = []
    for key, (face, characters, glyphs) in used.items():
        name = f"font_{font_ids[key]}{font_suffix(face)}"
        files[f"Doc_0/Res/{name}"] = subset_font(face, characters, glyphs)
        flags = (' Bold="true"' if face.bold else "") + (' Italic="true"' if face.italic else "")
        font_xml.append(
            f'<ofd:Font ID="{font_ids[key]}" FontName={quoteattr(face.family)} '
            f"FamilyName={quoteattr(face.family)}{flags}>"
            f"<ofd:FontFile>{name}</ofd:FontFile></ofd:Font>"
        )
    files["Doc_0/PublicRes.xml"] = (
        f'{_HEADER}<ofd:Res xmlns:ofd="{NAMESPACE}" BaseLoc="Res">'
        f"<ofd:Fonts>{''.join(font_xml)}</ofd:Fonts></ofd:Res>"
    ).encode()
    return font_ids, files


def _document_files(
    pages: list[PageLayout], ids: _Ids, font_ids: dict[str, int]
) -> dict[str, bytes]:
    """The pages' contents and ``Document.xml`` that lists them (after every other ID is
    taken: it records the largest)."""
    files: dict[str, bytes] = {}
    page_refs = []
    for number, page in enumerate(pages):
        page_id = ids.next()
        files[f"Doc_0/Pages/Page_{number}/Content.xml"] = _page_xml(page, ids, font_ids).encode()
        page_refs.append(f'<ofd:Page ID="{page_id}" BaseLoc="Pages/Page_{number}/Content.xml"/>')
    width, height = (_mm(pages[0].width), _mm(pages[0].height)) if pages else map(_num, A4_MM)
    files["Doc_0/Document.xml"] = (
        f'{_HEADER}<ofd:Document xmlns:ofd="{NAMESPACE}"><ofd:CommonData>'
        f"<ofd:MaxUnitID>{ids.last}</ofd:MaxUnitID>"
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {width} {height}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
        "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>"
        f"</ofd:CommonData><ofd:Pages>{''.join(page_refs)}</ofd:Pages></ofd:Document>"
    ).encode()
    files["Doc_0/DocumentRes.xml"] = (
        f'{_HEADER}<ofd:Res xmlns:ofd="{NAMESPACE}" BaseLoc="Res"/>'
    ).encode()
    return files


def _entry_xml(info: DocInfo) -> bytes:
    """``OFD.xml``: the DocInfo and where the document is."""
    subject = f"<ofd:Subject>{escape(info.subject)}</ofd:Subject>" if info.subject else ""
    return (
        f'{_HEADER}<ofd:OFD xmlns:ofd="{NAMESPACE}" Version="1.0" DocType="OFD">'
        "<ofd:DocBody><ofd:DocInfo>"
        f"<ofd:DocID>{escape(info.doc_id)}</ofd:DocID>"
        f"<ofd:Title>{escape(info.title)}</ofd:Title>"
        f"<ofd:Author>{escape(info.author)}</ofd:Author>{subject}"
        f"<ofd:CreationDate>{info.creation_date.isoformat()}</ofd:CreationDate>"
        f"<ofd:Creator>{escape(info.creator)}</ofd:Creator>"
        f"<ofd:CreatorVersion>{escape(info.creator_version)}</ofd:CreatorVersion>"
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    ).encode()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in ("OFD.xml", *sorted(n for n in files if n != "OFD.xml")):
            # Fonts are compressed already (CFF) or barely shrink; XML shrinks ~10×.
            method = zipfile.ZIP_STORED if name.startswith("Doc_0/Res/") else zipfile.ZIP_DEFLATED
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                files[name],
                compress_type=method,
            )
    return out.getvalue()


def write_package(
    pages: list[PageLayout],
    info: DocInfo,
    *,
    seal: SealHook = add_seal,
) -> bytes:
    """The OFD file of ``pages``, each face embedded as a subset of what it draws; ``seal``
    sees the finished package last."""
    ids = _Ids()
    font_ids, files = _font_files(pages, ids)
    files.update(_document_files(pages, ids, font_ids))
    files["OFD.xml"] = _entry_xml(info)
    return _zip(seal(files))
