"""The DOCX: same text as the speech, GB/T 9704 page setup, Chinese font names."""

import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.rendering import MissingFigures, render_docx


def east_asian(run) -> str | None:
    rpr = run.element.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


@pytest.fixture(scope="module")
def final_docx(default_template, session_snapshot):
    return Document(io.BytesIO(render_docx(default_template, session_snapshot, "final")))


@pytest.fixture(scope="module")
def draft_docx(default_template, draft_snapshot):
    return Document(io.BytesIO(render_docx(default_template, draft_snapshot, "draft")))


def test_text_equals_the_speech(final_docx, expected_text):
    paragraphs = [p.text.replace("\n", "") for p in final_docx.paragraphs]
    assert "".join(paragraphs) == expected_text.replace("\n", "")
    assert paragraphs[0] == "副区长在全市法治创建工作推进会上的汇报发言"
    assert paragraphs[-1] == "发言完毕，谢谢大家！"


def test_east_asian_fonts(final_docx):
    paragraphs = final_docx.paragraphs
    title, salutation = paragraphs[0], paragraphs[1]
    assert {east_asian(r) for r in title.runs} == {"方正小标宋简体"}
    assert all(r.font.size == Pt(22) for r in title.runs)
    assert {east_asian(r) for r in salutation.runs} == {"仿宋_GB2312"}
    heading = next(p for p in paragraphs if p.text.startswith("强化组织领导"))
    assert {east_asian(r) for r in heading.runs} == {"黑体"}
    lead = next(p for p in paragraphs if p.text.startswith("持续深化思想引领作用。"))
    assert lead.runs[0].text == "持续深化思想引领作用。"
    assert east_asian(lead.runs[0]) == "楷体_GB2312"
    assert {east_asian(r) for r in lead.runs[1:]} == {"仿宋_GB2312"}
    body_runs = [r for p in paragraphs[1:] for r in p.runs]
    assert all(r.font.size == Pt(16) for r in body_runs)
    normal = final_docx.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_indent_two_characters(final_docx):
    paragraphs = final_docx.paragraphs
    body = paragraphs[2]
    ind = body._p.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert paragraphs[1]._p.pPr is None or paragraphs[1]._p.pPr.find(qn("w:ind")) is None


def test_page_setup(final_docx):
    (section,) = final_docx.sections
    # DOCX stores twips, so millimetres come back within rounding.
    for actual, mm in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert abs(actual - Mm(mm)) < Mm(0.05), (actual.mm, mm)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "578"
    # 28 characters in the line: 16 pt body narrowed by character spacing, which every word
    # processor honours (a character grid is read differently by LibreOffice).
    normal = final_docx.styles["Normal"].element.rPr
    spacing = int(normal.find(qn("w:spacing")).get(qn("w:val")))
    pitch = 16 + spacing / 20
    line = (210 - 28 - 26) / 25.4 * 72
    assert 28 * pitch <= line < 29 * pitch


def test_page_numbers_in_footers(final_docx):
    section = final_docx.sections[0]
    assert final_docx.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(
            " —"
        )
    assert section.footer.paragraphs[0].alignment == 2  # right on odd pages
    assert section.even_page_footer.paragraphs[0].alignment == 0  # left on even pages


def test_draft_cover_and_highlighted_markers(draft_docx):
    first, second = draft_docx.sections
    assert draft_docx.paragraphs[0].text == "草稿说明"
    table = draft_docx.tables[0]
    # The indicator's name only: the leader who reads the cover does not know the codes.
    assert table.rows[1].cells[1].text == "受理行政复议案件"
    assert table.rows[2].cells[2].text == "区委宣传部"
    # Laid out for reading: a narrow 序号, a wide 指标, left-aligned text off the 28.9 pt line
    # grid, rows that do not split across pages.
    widths = [round(cell.width.mm) for cell in table.rows[1].cells]
    assert widths == [14, 74, 30, 38] and sum(widths) == 210 - 28 - 26
    for row in table.rows:
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                assert paragraph.alignment == 0  # left
                snap = paragraph._p.pPr.find(qn("w:snapToGrid"))
                assert snap is not None and snap.get(qn("w:val")) == "0"
    assert "PAGE" not in first.footer._element.xml
    assert "PAGE" in second.footer._element.xml
    assert second._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    markers = [r for p in draft_docx.paragraphs for r in p.runs if r.text.startswith("【")]
    assert [r.text for r in markers] == ["【待填：受理行政复议案件】", "【待审：法治文化展示牌】"]
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in markers)


def test_final_docx_refuses_gaps(default_template, draft_snapshot):
    with pytest.raises(MissingFigures):
        render_docx(default_template, draft_snapshot, "final")


def _cells(line: str) -> float:
    """Width of a line in character cells: CJK characters one, Latin letters and digits half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in line if not ch.isspace())


@pytest.fixture(scope="module")
def word_processor_pdfs(default_template, session_snapshot, draft_snapshot, tmp_path_factory):
    """The final and the draft Word file as LibreOffice prints them (the word processor a
    machine here has; .ci/run installs it): {"final": path, "draft": path}."""
    import shutil
    import subprocess

    from tests.conftest import require_server

    soffice = shutil.which("soffice")
    require_server(
        soffice is not None, "needs LibreOffice (apt-get install libreoffice-writer-nogui)"
    )
    folder = tmp_path_factory.mktemp("word")
    sources = {
        "final": render_docx(default_template, session_snapshot, "final"),
        "draft": render_docx(default_template, draft_snapshot, "draft"),
    }
    for name, data in sources.items():
        (folder / f"{name}.docx").write_bytes(data)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{name}.docx") for name in sources),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return {name: folder / f"{name}.pdf" for name in sources}


def _pdftotext(path, *args) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_word_processor_lays_it_out_as_the_pdf(word_processor_pdfs):
    """Opened in LibreOffice, the Word file keeps the PDF's 22 × 28 grid: five pages, no
    line over 28 characters."""
    import subprocess

    converted = word_processor_pdfs["final"]
    info = subprocess.run(["pdfinfo", str(converted)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+5$", info, re.M), info
    widths = [_cells(line) for line in _pdftotext(converted).splitlines() if line.strip()]
    assert max(widths) <= 28, max(widths)
    # Most body lines are full: the grid is 28 characters wide, not 14 spread out.
    assert sum(1 for w in widths if w >= 26) > len(widths) / 2


def test_word_page_numbers_sit_on_the_outer_side(word_processor_pdfs):
    """— 1 — one 四号 character in from the right edge of the text block on page 1, — 2 —
    as far in from the left on page 2, 7 mm below the text block, as in the PDF."""
    import xml.etree.ElementTree as ET

    xml = re.sub(r"<!DOCTYPE[^>]*>", "", _pdftotext(word_processor_pdfs["final"], "-bbox-layout"))
    ns = "{http://www.w3.org/1999/xhtml}"
    mm = 72 / 25.4
    left, right, bottom = 28 * mm, (210 - 26) * mm, (297 - 35) * mm
    found = {}
    for number, page in enumerate(ET.fromstring(xml).iter(f"{ns}page"), start=1):
        for line in page.iter(f"{ns}line"):
            text = "".join(w.text or "" for w in line.iter(f"{ns}word"))
            if re.fullmatch(r"—\d+—", text):
                found[number] = (text, *(float(line.get(k)) for k in ("xMin", "xMax", "yMin")))
    assert [found[n][0] for n in sorted(found)] == [f"—{n}—" for n in range(1, 6)], found
    _, _, x_max, y_min = found[1]
    assert abs(x_max - (right - 14)) < 1, found[1]
    _, x_min, _, _ = found[2]
    assert abs(x_min - (left + 14)) < 1, found[2]
    for _, _, _, y in found.values():
        assert abs(y - (bottom + 7 * mm)) < 2, found


def test_word_draft_is_marked_on_every_page(word_processor_pdfs):
    pages = [p for p in _pdftotext(word_processor_pdfs["draft"]).split("\f") if p.strip()]
    assert len(pages) >= 6  # the cover and the five pages of the speech
    for number, page in enumerate(pages, start=1):
        assert page.lstrip().startswith("草稿"), (number, page[:80])
    final = _pdftotext(word_processor_pdfs["final"])
    assert "草稿" not in final


def test_draft_headers_and_east_asian_hints(draft_docx, final_docx):
    for section in draft_docx.sections:
        for header in (section.header, section.even_page_header):
            (run,) = header.paragraphs[0].runs
            assert run.text == "草稿" and east_asian(run) == "黑体"
            assert run.font.size == Pt(14)
    for section in final_docx.sections:
        assert "草稿" not in section.header._element.xml
    runs = [r for p in final_docx.paragraphs for r in p.runs]
    quoted = [r for r in runs if "“" in r.text]
    assert quoted
    for run in runs:
        fonts = run.element.rPr.find(qn("w:rFonts"))
        wants = any(ch in "“”‘’—…、，。：；（）" for ch in run.text)
        assert (fonts.get(qn("w:hint")) == "eastAsia") == wants, run.text
