"""The OFD (GB/T 33190-2016) written beside the PDF, read back by a reader of our own
(zipfile + ElementTree, written from the standard's element names, independent of the
writer) and compared with the PDF as poppler reads it.

Schema validation: no package on PyPI, npm or Debian was found shipping the standard's
XSDs (Annex A of GB/T 33190) under a licence that allows use, so the package's structure
is checked here against the element names, order and required attributes of the standard.
"""

from __future__ import annotations

import copy
import datetime
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

import pytest
from conftest import _figure, require_fandol
from fontTools.ttLib import TTFont

from reports.rendering import ANNUAL_REPORT_TEXT
from reports.rendering.ofd import (
    DocInfo,
    add_seal,
    recording_glyphs,
    render_pdf_and_ofd,
    write_ofd,
)
from reports.rendering.ofd import layout as ofd_layout
from reports.rendering.pdf import write_from_layout
from reports.rendering.speech import render_text

NS = "{http://www.ofdspec.org/2016}"
PT_TO_MM = 25.4 / 72
TOLERANCE_MM = 0.5


# --- the reader ------------------------------------------------------------------------


@dataclass
class Glyph:
    char: str
    x: float  # mm from the page's left edge, the glyph's origin
    y: float  # mm from the page's top, the baseline
    size: float
    font: str


@dataclass
class OfdPage:
    glyphs: list[Glyph] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)

    def lines(self) -> list[list[Glyph]]:
        rows: dict[float, list[Glyph]] = {}
        for glyph in self.glyphs:
            key = next((y for y in rows if abs(y - glyph.y) < 0.3), glyph.y)
            rows.setdefault(key, []).append(glyph)
        return [sorted(rows[y], key=lambda g: g.x) for y in sorted(rows)]


@dataclass
class OfdDocument:
    files: dict[str, bytes]
    info: dict[str, str]
    physical_box: list[float]
    fonts: dict[str, str]  # font ID → path of its file in the package
    pages: list[OfdPage]


def _numbers(text: str) -> list[float]:
    """A DeltaX/DeltaY list, with the standard's "g count value" repetition."""
    tokens = text.split()
    out: list[float] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g":
            out += [float(tokens[i + 2])] * int(tokens[i + 1])
            i += 3
        else:
            out.append(float(tokens[i]))
            i += 1
    return out


def _join(base: str, loc: str) -> str:
    return loc.lstrip("/") if loc.startswith("/") else f"{base}/{loc}" if base else loc


def read_ofd(data: bytes) -> OfdDocument:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        files = {name: package.read(name) for name in package.namelist()}
    root = ElementTree.fromstring(files["OFD.xml"])
    body = root.find(f"{NS}DocBody")
    info = {child.tag.removeprefix(NS): child.text or "" for child in body.find(f"{NS}DocInfo")}
    doc_path = body.findtext(f"{NS}DocRoot")
    doc_dir = doc_path.rsplit("/", 1)[0]
    document = ElementTree.fromstring(files[doc_path])
    common = document.find(f"{NS}CommonData")
    physical_box = [float(v) for v in common.findtext(f"{NS}PageArea/{NS}PhysicalBox").split()]
    fonts: dict[str, str] = {}
    for res_loc in common.findall(f"{NS}PublicRes"):
        res_path = _join(doc_dir, res_loc.text)
        res = ElementTree.fromstring(files[res_path])
        res_dir = _join(res_path.rsplit("/", 1)[0], res.get("BaseLoc", ""))
        for font in res.iter(f"{NS}Font"):
            fonts[font.get("ID")] = _join(res_dir, font.findtext(f"{NS}FontFile"))
    pages = []
    for page_ref in document.find(f"{NS}Pages").findall(f"{NS}Page"):
        content = ElementTree.fromstring(files[_join(doc_dir, page_ref.get("BaseLoc"))])
        page = OfdPage()
        for text_object in content.iter(f"{NS}TextObject"):
            left, top, _, _ = (float(v) for v in text_object.get("Boundary").split())
            size = float(text_object.get("Size"))
            for code in text_object.findall(f"{NS}TextCode"):
                x, y = float(code.get("X")), float(code.get("Y"))
                deltas = _numbers(code.get("DeltaX", ""))
                for i, char in enumerate(code.text or ""):
                    page.glyphs.append(
                        Glyph(char, left + x, top + y, size, text_object.get("Font"))
                    )
                    if i < len(deltas):
                        x += deltas[i]
        pages.append(page)
    return OfdDocument(files, info, physical_box, fonts, pages)


# --- the PDF side (poppler) ---------------------------------------------------------------


def squash(text: str) -> str:
    return re.sub(r"[\s\u200b]", "", text)


def pdf_pages(poppler, pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.M).group(1))


def pdf_lines(poppler, pdf: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    """(text, xMin, yMin, xMax, yMax) in mm of each line poppler finds on a page."""
    html = poppler("pdftotext", pdf, "-bbox", "-f", str(page), "-l", str(page))
    words = [
        (text, *(float(v) * PT_TO_MM for v in box))
        for *box, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            html,
        )
    ]
    lines: list[list] = []
    for word in sorted(words, key=lambda w: (round(w[4], 1), w[1])):
        if lines and abs(lines[-1][4] - word[4]) < 0.3:
            text, x1, y1, _, y2 = lines[-1]
            lines[-1] = [text + word[0], x1, y1, word[3], y2]
        else:
            lines.append(list(word))
    return [tuple(line) for line in lines]


POPPLER_DPI = 720  # pdftotext's crop box is in whole pixels: 0.035 mm at 720 dpi


def pdf_text_within(poppler, pdf: bytes, page: int, box: tuple[float, float, float, float]):
    """The characters poppler finds in ``box`` (left, top, right, bottom in mm) of a
    page, the pixel box kept inside it: those whose advance overlaps it horizontally
    and whose baseline is in it."""
    left, top, right, bottom = (v / 25.4 * POPPLER_DPI for v in box)
    x, y = math.ceil(left), math.ceil(top)
    crop = ["-x", str(x), "-y", str(y), "-W", str(math.floor(right) - x)]
    crop += ["-H", str(math.floor(bottom) - y), "-r", str(POPPLER_DPI)]
    return squash(poppler("pdftotext", pdf, "-f", str(page), "-l", str(page), *crop))


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def final_pair(default_template, session_snapshot, font_cache_dir):
    require_fandol()
    return render_pdf_and_ofd(
        default_template, session_snapshot, "final", font_cache_dir=font_cache_dir
    )


@pytest.fixture(scope="module")
def draft_pair(default_template, draft_snapshot, font_cache_dir):
    require_fandol()
    return render_pdf_and_ofd(
        default_template, draft_snapshot, "draft", font_cache_dir=font_cache_dir
    )


@pytest.fixture(scope="module")
def annual_pair(session_snapshot, font_cache_dir):
    """The annual report (公文 headings, the report's layout), final."""
    require_fandol()
    snapshot = copy.deepcopy(session_snapshot)
    snapshot["figures"]["biz_review_closure_rate"] = _figure("biz_review_closure_rate", "94.83")
    snapshot["figures"]["biz_external_counsel_total"] = _figure("biz_external_counsel_total", "11")
    return render_pdf_and_ofd(
        ANNUAL_REPORT_TEXT, snapshot, "final", layout="report", font_cache_dir=font_cache_dir
    )


@pytest.fixture(params=["final", "draft", "annual report"])
def pair(request, final_pair, draft_pair, annual_pair):
    return {"final": final_pair, "draft": draft_pair, "annual report": annual_pair}[request.param]


# --- structure (GB/T 33190 §7) -------------------------------------------------------------

# The children each element may have, in the order the standard's schema gives them.
ORDER = {
    "OFD": ["DocBody"],
    "DocBody": ["DocInfo", "DocRoot", "Versions", "Signatures"],
    "DocInfo": [
        "DocID",
        "Title",
        "Author",
        "Subject",
        "Abstract",
        "CreationDate",
        "ModDate",
        "DocUsage",
        "Cover",
        "Keywords",
        "Creator",
        "CreatorVersion",
        "CustomDatas",
    ],
    "Document": [
        "CommonData",
        "Pages",
        "Outlines",
        "Permissions",
        "Actions",
        "VPreferences",
        "Bookmarks",
        "Annotations",
        "CustomTags",
        "Attachments",
        "Extensions",
    ],
    "CommonData": [
        "MaxUnitID",
        "PageArea",
        "PublicRes",
        "DocumentRes",
        "TemplatePage",
        "DefaultCS",
    ],
    "PageArea": ["PhysicalBox", "ApplicationBox", "ContentBox", "BleedBox"],
    "Pages": ["Page"],
    "Res": ["ColorSpaces", "DrawParams", "Fonts", "MultiMedias", "CompositeGraphicUnits"],
    "Fonts": ["Font"],
    "Font": ["FontFile"],
    "Content": ["Layer"],
    "Layer": ["TextObject", "PathObject", "ImageObject", "CompositeObject", "PageBlock"],
    "TextObject": ["Actions", "Clips", "FillColor", "StrokeColor", "CGTransform", "TextCode"],
    "PathObject": ["Actions", "Clips", "StrokeColor", "FillColor", "AbbreviatedData"],
}
PAGE_ORDER = ["Template", "PageRes", "Area", "Content", "Actions"]
REQUIRED = {
    "OFD": ["Version", "DocType"],
    "Font": ["ID", "FontName"],
    "Layer": ["ID"],
    "TextObject": ["ID", "Boundary", "Font", "Size"],
    "PathObject": ["ID", "Boundary"],
    "TextCode": [],
}


def structure_errors(name: str, root) -> list[str]:
    errors = []
    if root.tag.removeprefix(NS) == "OFD" and root.get("DocType") != "OFD":
        errors.append(f"{name}: DocType")
    for element in root.iter():
        if not element.tag.startswith(NS):
            errors.append(f"{name}: {element.tag} outside the OFD namespace")
            continue
        tag = element.tag.removeprefix(NS)
        for attribute in REQUIRED.get(tag, []):
            if element.get(attribute) is None:
                errors.append(f"{name}: {tag} without {attribute}")
        # Page (the page description) and Page (an entry of Pages) share a name.
        order = PAGE_ORDER if tag == "Page" and len(element) else ORDER.get(tag)
        if order is None:
            continue
        positions = []
        for child in element:
            child_tag = child.tag.removeprefix(NS)
            if child_tag not in order:
                errors.append(f"{name}: {child_tag} is not allowed in {tag}")
            else:
                positions.append(order.index(child_tag))
        if tag not in ("Layer", "TextObject") and positions != sorted(positions):
            errors.append(f"{name}: children of {tag} out of order")
    return errors


def test_package_follows_the_standard_structure(pair):
    _, ofd = pair
    doc = read_ofd(ofd)
    assert zipfile.ZipFile(io.BytesIO(ofd)).namelist()[0] == "OFD.xml"
    for required in ("OFD.xml", "Doc_0/Document.xml", "Doc_0/PublicRes.xml"):
        assert required in doc.files
    assert "Doc_0/DocumentRes.xml" in doc.files
    contents = sorted(n for n in doc.files if re.fullmatch(r"Doc_0/Pages/Page_\d+/Content.xml", n))
    assert len(contents) == len(doc.pages)
    errors = []
    ids = []
    for name, data in doc.files.items():
        if name.endswith(".xml"):
            root = ElementTree.fromstring(data)
            errors += structure_errors(name, root)
            ids += [e.get("ID") for e in root.iter() if e.get("ID") and "Pages" not in e.tag]
    assert errors == []
    document = ElementTree.fromstring(doc.files["Doc_0/Document.xml"])
    max_unit = int(document.findtext(f"{NS}CommonData/{NS}MaxUnitID"))
    numbers = [int(i) for i in ids]
    assert len(numbers) == len(set(numbers)) and max(numbers) <= max_unit
    used_fonts = {
        e.get("Font")
        for name, data in doc.files.items()
        if "/Pages/" in name
        for e in ElementTree.fromstring(data).iter(f"{NS}TextObject")
    }
    assert used_fonts <= set(doc.fonts)


def test_page_box_is_a4_and_docinfo_names_the_document(final_pair, session_snapshot):
    doc = read_ofd(final_pair[1])
    assert doc.physical_box == [0, 0, 210, 297]
    assert re.fullmatch(r"[0-9a-f]{32}", doc.info["DocID"])
    assert doc.info["Title"] == "副区长在全市法治创建工作推进会上的汇报发言"
    assert doc.info["Author"] == f"{session_snapshot['district_name']}区人民政府"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.info["CreationDate"])
    assert "Signatures" not in doc.files["OFD.xml"].decode()  # the portal signs nothing


def test_page_count_and_text_equal_the_pdf_page_by_page(poppler, pair):
    pdf, ofd = pair
    doc = read_ofd(ofd)
    assert len(doc.pages) == pdf_pages(poppler, pdf)
    for number, page in enumerate(doc.pages, start=1):
        pdf_text = poppler("pdftotext", pdf, "-f", str(number), "-l", str(number))
        assert page.text == squash(pdf_text), f"page {number}"


def test_draft_carries_its_mark_cover_and_page_numbers(draft_pair):
    doc = read_ofd(draft_pair[1])
    assert "草稿说明" in doc.pages[0].text
    body = [p.text for p in doc.pages if "草稿" in p.text and "—" in p.text]
    assert body and body[0].endswith("—1—")


def test_each_line_starts_ends_and_sits_where_the_pdf_has_it(poppler, pair):
    pdf, ofd = pair
    doc = read_ofd(ofd)
    offsets: dict[float, list[float]] = {}
    for number, page in enumerate(doc.pages, start=1):
        ofd_lines = page.lines()
        ref_lines = pdf_lines(poppler, pdf, number)
        assert [squash("".join(g.char for g in line)) for line in ofd_lines] == [
            squash(line[0]) for line in ref_lines
        ], f"page {number}"
        for line, (_, x_min, y_min, x_max, y_max) in zip(ofd_lines, ref_lines, strict=True):
            first, last = line[0], line[-1]
            assert abs(first.x - x_min) <= TOLERANCE_MM, (number, "".join(g.char for g in line))
            if ord(last.char) >= 0x3000:  # a full-width glyph: its advance is the font size
                assert abs(last.x + last.size - x_max) <= TOLERANCE_MM, (number, last.char)
            assert y_min <= first.y <= y_max
            offsets.setdefault(round(first.size, 2), []).append(y_max - first.y)
    for size, values in offsets.items():
        assert max(values) - min(values) <= TOLERANCE_MM, size


def test_characters_mid_line_sit_where_the_pdf_draws_them(poppler, pair):
    """Inside a character's cell (from its x to the next one's) shrunk by the tolerance
    on each side, poppler finds that character of the PDF and no other: the PDF draws
    it within 0.5 mm of the OFD's x, its neighbours too. Probed a third and two thirds
    into every third line (poppler gives no box per character, only per word)."""
    pdf, ofd = pair
    doc = read_ofd(ofd)
    probes = 0
    for number, page in enumerate(doc.pages, start=1):
        for line in page.lines()[::3]:
            for i in sorted({len(line) // 3, 2 * len(line) // 3}):
                if not 0 < i < len(line) - 1:
                    continue
                glyph, following = line[i], line[i + 1]
                if following.x - glyph.x < 2 * TOLERANCE_MM + 0.5:
                    continue  # too narrow a cell to probe
                # poppler keeps a character whose advance overlaps the box and whose
                # baseline is in it.
                box = (
                    glyph.x + TOLERANCE_MM,
                    glyph.y - 0.3 * glyph.size,
                    following.x - TOLERANCE_MM,
                    glyph.y + 0.2 * glyph.size,
                )
                found = pdf_text_within(poppler, pdf, number, box)
                assert found == glyph.char, (number, "".join(g.char for g in line), i)
                probes += 1
    assert probes >= 10


def test_the_ofd_places_the_glyphs_recorded_from_the_pdf_as_a_second_layout_would(
    default_template, session_snapshot, font_cache_dir, monkeypatch
):
    """While the PDF is written each line's glyphs are recorded; the OFD made from them
    is the OFD made by laying every line out again, byte for byte, and lays none out."""
    require_fandol()
    laid_out_again = []
    reshaped_line = ofd_layout.reshaped_line

    def counting(textbox, faces):
        laid_out_again.append(textbox)
        return reshaped_line(textbox, faces)

    monkeypatch.setattr(ofd_layout, "reshaped_line", counting)
    info = DocInfo(title="t", author="a", creation_date=datetime.date(2026, 12, 5), doc_id="0" * 32)

    def both(document):
        with recording_glyphs() as recording:
            document.write_pdf()
        from_recording = write_ofd(document, info, recording=recording)
        assert laid_out_again == []
        return len(recording), from_recording, write_ofd(document, info)

    speech = render_text(default_template, session_snapshot, "final")
    recorded, from_recording, reshaped = write_from_layout(
        speech, both, font_cache_dir=font_cache_dir
    )
    assert recorded == len(laid_out_again) > 100
    assert from_recording == reshaped


def test_fonts_are_embedded_and_subset(pair, font_cache_dir):
    _, ofd = pair
    doc = read_ofd(ofd)
    full = min(
        TTFont(path, lazy=True)["maxp"].numGlyphs
        for path in font_cache_dir.iterdir()
        if path.suffix == ".font"
    )
    characters: dict[str, set[str]] = {}
    for page in doc.pages:
        for glyph in page.glyphs:
            characters.setdefault(glyph.font, set()).add(glyph.char)
    assert set(characters) == set(doc.fonts)
    for font_id, path in doc.fonts.items():
        font = TTFont(io.BytesIO(doc.files[path]))
        assert font["maxp"].numGlyphs < full
        assert font["maxp"].numGlyphs <= len(characters[font_id]) + 10
        cmap = font.getBestCmap()
        assert {c for c in characters[font_id] if ord(c) not in cmap} == set()


def test_seal_hook_receives_the_finished_package(
    default_template, session_snapshot, font_cache_dir
):
    seen = {}

    def seal(files):
        seen.update(files)
        return {**files, "Doc_0/Signs/Signatures.xml": b"<placeholder/>"}

    _, ofd = render_pdf_and_ofd(
        "# 标题\n正文。", session_snapshot, "final", font_cache_dir=font_cache_dir, seal=seal
    )
    assert "OFD.xml" in seen and "Doc_0/Document.xml" in seen
    assert "Doc_0/Signs/Signatures.xml" in zipfile.ZipFile(io.BytesIO(ofd)).namelist()
    assert add_seal({"a": b"1"}) == {"a": b"1"}
    assert DocInfo(title="t", author="a").doc_id != DocInfo(title="t", author="a").doc_id
