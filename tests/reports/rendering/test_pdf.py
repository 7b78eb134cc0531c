"""The PDF: text, fonts, page size, the GB/T 9704 grid and inter-character justification.

Needs poppler-utils (pdftotext, pdffonts, pdfinfo); skipped without it unless
CI=true, where a missing tool fails the test instead.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from reports.rendering import MissingFigures, render_pdf
from reports.rendering.fonts import (
    free_fonts,
    glyph_priority,
    harfbuzz_subset_available,
    reduced_fonts,
    reduced_sources,
)
from reports.rendering.outlines import DEFAULT_TOLERANCE
from reports.rendering.pdf import install_inter_character_justification

MM = 72 / 25.4
LEFT = 28 * MM
RIGHT = (210 - 26) * MM
TOP = 37 * MM
BOTTOM = (297 - 35) * MM
CELL = (RIGHT - LEFT) / 28
# speech.css: `line-height: 28.9pt`, 225 mm / 22 rounded down so that 22 lines
# (635.8 pt) fit the 637.8 pt text block and a 23rd does not.
LINE_PITCH = 28.9
PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$", re.MULTILINE)
NO_LINE_START = set("。，、；：！？」）》”’…—%％")
NO_LINE_END = set("“‘（《「")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class Line:
    page: int
    text: str
    x_min: float
    x_max: float
    y_min: float
    y_max: float
    words: list[tuple[str, float, float]]  # text, x_min, x_max

    @property
    def height(self) -> float:
        return self.y_max - self.y_min

    @property
    def centre(self) -> float:
        return (self.y_min + self.y_max) / 2


def layout_lines(poppler, pdf: bytes) -> list[Line]:
    """Every text line with its box, from pdftotext -bbox-layout."""
    xml = poppler("pdftotext", pdf, "-bbox-layout")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    root = ET.fromstring(xml)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    lines = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for line in page.iterfind(".//h:line", ns):
            words = [
                (w.text or "", float(w.get("xMin")), float(w.get("xMax")))
                for w in line.iterfind("h:word", ns)
            ]
            text = "".join(word for word, _, _ in words)
            box = [float(line.get(k)) for k in ("xMin", "xMax", "yMin", "yMax")]
            lines.append(Line(number, text, *box, words))
    return lines


def face(font_cache_dir, role: str) -> tuple[float, dict[str, float]]:
    """A reduced font's box height and the advances of some characters, in em.

    pdftotext boxes a word from the face's ascent to its descent (the PDF's
    FontDescriptor, which WeasyPrint fills from hhea), so a box height divided
    by (ascent + |descent|) / em is the font size, whatever the glyphs: 1.437 em
    for the Noto Serif CJK stand-ins, 1.104 em for UKai.
    """
    from fontTools.ttLib import TTFont

    font = TTFont(reduced_fonts(font_cache_dir)[role], lazy=True)
    em = font["head"].unitsPerEm
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    advances = {chr(code): hmtx[name][0] / em for code, name in cmap.items() if code < 0x10000}
    return (font["hhea"].ascent - font["hhea"].descent) / em, advances


def body_lines(lines: list[Line]) -> list[Line]:
    """Lines of 16 pt text inside the text block (no title, no page numbers). A 22 pt
    title line is 22 pt high in Fandol (ascent + descent = 1 em), 31.6 pt in Noto."""
    return [
        line
        for line in lines
        if TOP - 2 <= line.y_min
        and line.y_max <= BOTTOM + 2
        and 12 < line.height < 28
        and abs(line.height - 22) > 0.2
    ]


@pytest.fixture(scope="module")
def final_pdf(default_template, session_snapshot, font_cache_dir) -> bytes:
    return render_pdf(default_template, session_snapshot, "final", font_cache_dir=font_cache_dir)


@pytest.fixture(scope="module")
def draft_pdf(default_template, draft_snapshot, font_cache_dir) -> bytes:
    return render_pdf(default_template, draft_snapshot, "draft", font_cache_dir=font_cache_dir)


def test_justification_patch_matches_installed_weasyprint():
    assert install_inter_character_justification(), (
        "WeasyPrint version changed: re-check reports/rendering/pdf.py's justify_line "
        "patch and update PATCHED_WEASYPRINT_VERSIONS"
    )


def test_pdf_text_is_the_reference_speech(poppler, final_pdf, expected_text):
    text = PAGE_NUMBER.sub("", poppler("pdftotext", final_pdf, "-enc", "UTF-8"))
    assert squash(text) == squash(expected_text)


def test_fonts_embedded_and_subset(poppler, final_pdf):
    rows = poppler("pdffonts", final_pdf).splitlines()[2:]
    assert len(rows) >= 4  # 小标宋, 仿宋, 黑体 and 楷体 stand-ins
    for row in rows:
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+", name), row


def test_page_size_is_a4(poppler, final_pdf):
    info = poppler("pdfinfo", final_pdf)
    assert re.search(r"Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)", info), info
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == 5


def test_grid_justification_and_line_breaking(poppler, final_pdf):
    lines = body_lines(layout_lines(poppler, final_pdf))
    assert len(lines) > 90
    full_cjk_counts = []
    for line, following in zip(lines, lines[1:], strict=False):
        # A paragraph goes on when the next line starts at the left edge
        # (first lines are indented, headings too).
        continues = abs(following.x_min - LEFT) < 0.5
        assert line.text[0] not in NO_LINE_START, line
        assert line.text[-1] not in NO_LINE_END, line
        if not continues:
            continue
        # GB/T 9704 fills every line: within 1 mm of the right edge.
        assert abs(line.x_max - RIGHT) <= 1 * MM, line
        if abs(line.x_min - LEFT) < 0.5 and not re.search(r"[0-9A-Za-z%.]", line.text):
            full_cjk_counts.append(len(line.text))
    # 28 characters a line; 27 where a closing mark may not start the next line.
    assert max(full_cjk_counts) == 28
    assert set(full_cjk_counts) <= {27, 28}
    assert full_cjk_counts.count(28) >= 0.75 * len(full_cjk_counts)


def test_indent_is_two_cells_and_lines_sit_on_the_grid(poppler, final_pdf):
    lines = body_lines(layout_lines(poppler, final_pdf))
    indents = {round(line.x_min - LEFT, 1) for line in lines if line.x_min - LEFT > 1}
    for indent in indents:
        assert abs(indent - 2 * CELL) < 0.3, indents
    for page in range(2, 5):
        on_page = [line for line in lines if line.page == page]
        # Full pages carry the whole 22-line grid.
        assert len(on_page) == 22, (page, len(on_page))
        # The grid is measured at each line's vertical centre: a face's box
        # (ascent to descent) is centred in its 28.9 pt line box, so within one
        # face the centres step exactly as the baselines do.  Measured: the first
        # centre at TOP + 14.450, every line of 仿宋 or 黑体 at its grid position
        # ±0.0005 pt; 0.01 pt is 20 times that, and 22 lines that far off would
        # still fit the page.
        assert abs(on_page[0].centre - (TOP + LINE_PITCH / 2)) < 0.01, on_page[0]
        for index, line in enumerate(on_page):
            offset = line.centre - (on_page[0].centre + index * LINE_PITCH)
            if is_lead(line):
                # A 楷体 lead line shares the body's baseline; where the 楷体 face's
                # ascent and descent differ from the body's (UKai under Noto: its box
                # centre 0.168 pt lower) that is the face, not the line: the lines after
                # it are back on the grid to within 0.01 pt. The Fandol faces share one
                # box (0.88 / 0.12 em), so there the lead line is on the grid too.
                assert -0.01 < offset < 0.2, (index, line)
            else:
                assert abs(offset) < 0.01, (index, line)


def is_lead(line: Line) -> bool:
    """A line that may start with a 楷体 lead: UKai's box is 1.10 em high (17.7 pt), Noto's
    1.44 em (23 pt); every Fandol face's 1 em (16 pt)."""
    return line.height < 20


def test_title_is_22pt_and_body_16pt(poppler, final_pdf, font_cache_dir, reference_text):
    lines = layout_lines(poppler, final_pdf)
    title = reference_text.splitlines()[0]
    title_lines = lines[:2]
    assert "".join(line.text for line in title_lines) == title
    height, advances = face(font_cache_dir, "title")
    for line in title_lines:
        # Measured 21.9997 pt from both: the box height, and the width, as the
        # title has no letter spacing and each CJK character advances one em.
        assert {advances[ch] for ch in line.text} == {1.0}
        assert abs(line.height / height - 22) < 0.02, line
        assert abs((line.x_max - line.x_min) / len(line.text) - 22) < 0.02, line
        # Centred on the text block.
        assert abs((line.x_min + line.x_max) / 2 - (LEFT + RIGHT) / 2) < 0.05, line
    body_height, _ = face(font_cache_dir, "body")
    body = [line for line in body_lines(lines) if not is_lead(line)]
    plain = [line for line in body if abs(line.height / body_height - 16) < 0.02]
    # All but the 黑体 headings (1.448 em: 23.17 pt high) are 三号 仿宋.
    assert len(plain) >= 0.9 * len(body)


def check_page_numbers(lines: list[Line], font_cache_dir, first_page: int) -> None:
    """— N — at 四号 (14 pt), 7 mm below the text block, on the outer side."""
    height, advances = face(font_cache_dir, "body")  # pdf_font_css: the body face
    numbers = [line for line in lines if PAGE_NUMBER.match(" ".join(w for w, _, _ in line.words))]
    assert [line.text for line in numbers] == [f"—{n}—" for n in range(1, 6)]
    for number, line in enumerate(numbers, start=1):
        assert line.page == first_page + number - 1, line
        # Size from the box height and from the dashes' advance (0.89 em in the
        # body face): both measured 14.000 (±0.0005); 小四 and 三号 are 2 pt off.
        assert abs(line.height / height - 14) < 0.02, line
        dash, dash_start, dash_end = line.words[0]
        assert dash == "—", line
        assert abs((dash_end - dash_start) / advances[dash] - 14) < 0.02, line
        # 7 mm below the text block (measured to 0.0005 pt).
        assert abs(line.y_min - (BOTTOM + 7 * MM)) < 0.05, line
        # One 四号 character in from the outer edge: right on odd (recto) pages,
        # left on even ones; measured to 0.0005 pt.
        if number % 2:
            assert line.x_min > (LEFT + RIGHT) / 2, line
            assert abs(line.x_max - (RIGHT - 14)) < 0.05, line
        else:
            assert line.x_max < (LEFT + RIGHT) / 2, line
            assert abs(line.x_min - (LEFT + 14)) < 0.05, line


def test_page_numbers_outer_side(poppler, final_pdf, font_cache_dir):
    check_page_numbers(layout_lines(poppler, final_pdf), font_cache_dir, first_page=1)


def test_draft_page_numbers_outer_side(poppler, draft_pdf, font_cache_dir):
    # The cover is padded to two pages, so — 1 — is on page 3, a recto again.
    check_page_numbers(layout_lines(poppler, draft_pdf), font_cache_dir, first_page=3)


def test_draft_has_cover_markers_and_restarts_numbering(poppler, draft_pdf):
    text = poppler("pdftotext", draft_pdf, "-enc", "UTF-8")
    pages = text.split("\f")
    assert "草稿说明" in pages[0]
    assert "受理行政复议案件" in pages[0] and "区委宣传部" in pages[0]
    assert "未审核通过" in pages[0]
    assert not PAGE_NUMBER.search(pages[0]) and pages[1].strip() == ""
    assert "副区长在全市法治创建" in pages[2]
    assert re.search(r"—\s*1\s*—", pages[2])
    body = squash("".join(pages[2:]))
    assert "共受理行政复议案件【待填：受理行政复议案件】起" in body
    assert "法治文化展示牌【待审：法治文化展示牌】个" in body


def test_final_pdf_refuses_gaps(default_template, session_snapshot, font_cache_dir):
    snapshot = {**session_snapshot, "district_name": None}
    with pytest.raises(MissingFigures):
        render_pdf(default_template, snapshot, "final", font_cache_dir=font_cache_dir)


def test_reduced_fonts_are_cached(font_cache_dir, final_pdf):
    fonts = reduced_fonts(font_cache_dir)
    assert set(fonts) == {"title", "body", "heading", "kai"}
    stamps = {role: path.stat().st_mtime_ns for role, path in fonts.items()}
    assert reduced_fonts(font_cache_dir) == fonts
    assert {role: path.stat().st_mtime_ns for role, path in fonts.items()} == stamps


def test_pdf_size_budget(final_pdf):
    # WeasyPrint keeps glyph ids when it subsets, so the size depends on the
    # reduced fonts numbering the speech's glyphs first (fonts.glyph_priority).
    assert len(final_pdf) <= 240_000


@pytest.mark.parametrize("role", ["body", "kai"])
def test_reduced_font_renumbers_glyphs_without_changing_them(font_cache_dir, role):
    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    reduced = TTFont(reduced_fonts(font_cache_dir)[role])
    source, simplified = reduced_sources()[role]
    full = TTFont(source.path, fontNumber=source.index, lazy=True)
    text = "副区长法治，。“”0１"
    assert set(text) <= set(glyph_priority())
    reduced_cmap, full_cmap = reduced.getBestCmap(), full.getBestCmap()
    # The template's characters come first...
    limit = len(glyph_priority()) + 1
    assert all(reduced.getGlyphID(reduced_cmap[ord(ch)]) < limit for ch in text)

    # ...with the same outlines (a CID font's FDSelect moved along) and metrics.
    def outline(font, cmap, ch):
        name = cmap[ord(ch)]
        width = font["hmtx"][name][0]
        if "glyf" in font:
            # The raw points: drawing applies the lsb, which the subsetter
            # already shifted by a few units in the reduced UKai before any
            # renumbering (the rendered PDF is the same).
            coordinates, ends, _ = font["glyf"][name].getCoordinates(font["glyf"])
            return width, list(coordinates), ends
        pen = RecordingPen()
        font.getGlyphSet()[name].draw(pen)
        return width, pen.value

    segments = [0, 0]  # reduced, full
    for ch in text:
        if not simplified:
            assert outline(reduced, reduced_cmap, ch) == outline(full, full_cmap, ch), ch
            continue
        # The traced Fandol outlines lose points (outlines.py): the advance is the same,
        # every point kept is one of the original's, the curves kept are the original's,
        # and the outline's box moves by at most the tolerance.
        width, reduced_pen = outline(reduced, reduced_cmap, ch)
        full_width, full_pen = outline(full, full_cmap, ch)
        assert width == full_width, ch
        points = {tuple(p) for _, args in full_pen for p in args}
        assert {tuple(p) for _, args in reduced_pen for p in args} <= points, ch
        segments[0] += len(reduced_pen)
        segments[1] += len(full_pen)
        box_reduced = reduced["CFF "].cff.topDictIndex[0].CharStrings[reduced_cmap[ord(ch)]]
        box_full = full["CFF "].cff.topDictIndex[0].CharStrings[full_cmap[ord(ch)]]
        for a, b in zip(
            box_reduced.calcBounds(None) or (), box_full.calcBounds(None) or (), strict=True
        ):
            assert abs(a - b) <= DEFAULT_TOLERANCE, ch
    if simplified:
        assert segments[0] < 0.95 * segments[1], segments


def test_rare_character_falls_back_to_full_font(poppler, session_snapshot, font_cache_dir):
    # 喆 and 堃 are outside GB 2312, so the reduced fonts lack them.
    pdf = render_pdf("喆堃同志{district}", session_snapshot, font_cache_dir=font_cache_dir)
    assert squash(poppler("pdftotext", pdf, "-enc", "UTF-8")).startswith("喆堃同志示范")
    names = poppler("pdffonts", pdf)
    reduced = "FandolFang-GB2312" if "body" in free_fonts() else "LG-Reduced-body"
    assert reduced in names and "Noto-Serif-CJK-SC" in names


def test_renders_without_font_cache(poppler, session_snapshot):
    pdf = render_pdf("# 标题\n正文{district}", session_snapshot)
    assert squash(PAGE_NUMBER.sub("", poppler("pdftotext", pdf))) == "标题正文示范"


def test_licensed_font_takes_precedence(poppler, tmp_path, session_snapshot, font_cache_dir):
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # Stand-in for a licensed 仿宋_GB2312: a small font carrying that name.
    font = TTFont(reduced_fonts(font_cache_dir)["heading"])
    options = subset.Options()
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="正文示范")
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "仿宋_GB2312"
        elif record.nameID == 6:
            record.string = "FangSong_GB2312"
    font.save(tmp_path / "fangsong.otf")
    (tmp_path / "notes.txt").write_text("not a font")

    pdf = render_pdf(
        "正文{district}", session_snapshot, font_dir=tmp_path, font_cache_dir=font_cache_dir
    )
    assert "LG-Licensed-body" in poppler("pdffonts", pdf)
    assert squash(PAGE_NUMBER.sub("", poppler("pdftotext", pdf))) == "正文示范"


class _HarfBuzzBefore41:
    """The HarfBuzz library as WeasyPrint sees it, but reporting version 4.0.0."""

    def __init__(self, real):
        self._real = real

    def hb_version_atleast(self, major, minor, micro):
        return (major, minor, micro) <= (4, 0, 0)

    def __getattr__(self, name):
        return getattr(self._real, name)


@pytest.mark.parametrize("library", ["as installed", "no libharfbuzz-subset", "HarfBuzz 4.0"])
def test_harfbuzz_subset_check_tells_which_subsetter_weasyprint_uses(
    monkeypatch, session_snapshot, font_cache_dir, library
):
    """The worker's start-up warning and prepare_report_fonts rely on the check: True exactly
    where WeasyPrint subsets the embedded fonts with HarfBuzz, False where it falls back to
    fontTools (about 20 s a speech instead of well under one)."""
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text import ffi

    if library == "no libharfbuzz-subset":
        for module in (ffi, pdf_fonts):
            monkeypatch.setattr(module, "harfbuzz_subset", None)
    elif library == "HarfBuzz 4.0":
        old = _HarfBuzzBefore41(ffi.harfbuzz)
        for module in (ffi, pdf_fonts):
            monkeypatch.setattr(module, "harfbuzz", old)
    subsetters = []

    def spying(name):
        real = getattr(pdf_fonts.Font, name)

        def spy(self, *args, **kwargs):
            subsetters.append(name)
            return real(self, *args, **kwargs)

        return spy

    for name in ("_harfbuzz_subset", "_fonttools_subset"):
        monkeypatch.setattr(pdf_fonts.Font, name, spying(name))

    available = harfbuzz_subset_available()
    pdf = render_pdf("# 标题\n正文{district}", session_snapshot, font_cache_dir=font_cache_dir)
    assert pdf.startswith(b"%PDF")
    assert subsetters, "no font was subset"
    expected = "_harfbuzz_subset" if available else "_fonttools_subset"
    assert set(subsetters) == {expected}, (library, available, subsetters)
    if library != "as installed":
        assert available is False
