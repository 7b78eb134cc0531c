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


def test_a_word_processor_lays_it_out_as_the_pdf(default_template, session_snapshot, tmp_path):
    """Opened in LibreOffice (the word processor a machine here has; .ci/run installs it), the
    Word file keeps the PDF's 22 × 28 grid: five pages, no line over 28 characters."""
    import shutil
    import subprocess

    from tests.conftest import require_server

    soffice = shutil.which("soffice")
    require_server(
        soffice is not None, "needs LibreOffice (apt-get install libreoffice-writer-nogui)"
    )
    source = tmp_path / "speech.docx"
    source.write_bytes(render_docx(default_template, session_snapshot, "final"))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = tmp_path / "speech.pdf"
    info = subprocess.run(["pdfinfo", str(converted)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+5$", info, re.M), info
    text = subprocess.run(["pdftotext", str(converted), "-"], capture_output=True, text=True)
    widths = [_cells(line) for line in text.stdout.splitlines() if line.strip()]
    assert max(widths) <= 28, max(widths)
    # Most body lines are full: the grid is 28 characters wide, not 14 spread out.
    assert sum(1 for w in widths if w >= 26) > len(widths) / 2
