"""The annual 法治政府建设年度报告 in the 公文 layout: GB/T 9704's heading levels measured in the
PDF (font and size of each level's line) and in the DOCX (run fonts), their numbering, and
the public version, which leaves out what the reviewer marked and keeps the rest."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
from docx import Document
from docx.oxml.ns import qn

from reports.rendering import (
    ANNUAL_REPORT_TEXT,
    DEFAULT_TEMPLATE_TEXT,
    render_docx,
    render_pdf,
    render_text,
)
from reports.rendering.fonts import free_fonts
from reports.rendering.public import public_version
from tests.reports.rendering.conftest import LITERAL_FIGURES, STAR_FIGURES, _figure


@pytest.fixture(scope="module")
def annual_snapshot() -> dict:
    # Entered codes only: the two computed ones stay gaps until they are computed.
    figures = {code: _figure(code, value) for code, value, _ in STAR_FIGURES + LITERAL_FIGURES}
    figures["biz_review_closure_rate"] = _figure("biz_review_closure_rate", "94.83")
    figures["biz_external_counsel_total"] = _figure("biz_external_counsel_total", "11")
    return {
        "district_name": "示范",
        "period": "2026",
        "period_label": "2026年度",
        "figures": figures,
    }


@pytest.fixture(scope="module")
def annual_pdf(annual_snapshot, font_cache_dir) -> bytes:
    return render_pdf(
        ANNUAL_REPORT_TEXT, annual_snapshot, "final", layout="report", font_cache_dir=font_cache_dir
    )


def text_lines(poppler, pdf: bytes) -> list[tuple[str, str, float]]:
    """(text, font family, size in pt) of every text line, from pdftohtml -xml at zoom 1."""
    xml = poppler("pdftohtml", pdf, "-xml", "-stdout", "-i", "-zoom", "1")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    root = ET.fromstring(xml)
    fonts = {
        spec.get("id"): (spec.get("family"), float(spec.get("size")))
        for spec in root.iter("fontspec")
    }
    lines = []
    for text in root.iter("text"):
        family, size = fonts[text.get("font")]
        lines.append(("".join(text.itertext()), family, size))
    return lines


def line_starting(lines, start: str):
    return next(line for line in lines if line[0].startswith(start))


def test_five_required_parts_numbered_in_order():
    speech = render_text(ANNUAL_REPORT_TEXT, {"district_name": "示范"}, "draft")
    level1 = [p.text for p in speech.paragraphs if p.kind == "heading"]
    assert level1 == [
        "一、主要举措和成效",
        "二、存在的不足和原因",
        "三、党政主要负责人履行推进法治建设第一责任人职责情况",
        "四、下一年度工作安排",
        "五、其他需要报告的情况",
    ]
    level2 = [p.text[:3] for p in speech.paragraphs if p.kind == "heading2"]
    assert level2[:7] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）"]
    # The numbering restarts under each higher heading.
    assert level2[7] == "（一）"
    level3 = [p.text[:2] for p in speech.paragraphs if p.kind == "heading3"]
    assert level3[:4] == ["1.", "2.", "1.", "2."]
    level4 = [p.text[:3] for p in speech.paragraphs if p.kind == "heading4"]
    assert level4 == ["（1）", "（2）"]


def test_heading_levels_in_the_pdf_fonts_and_sizes(poppler, annual_pdf):
    if len(free_fonts()) < 4:
        pytest.skip("needs the Fandol fonts (make install puts them in var/fonts/fandol)")
    lines = text_lines(poppler, annual_pdf)
    title = line_starting(lines, "示范区人民政府关于")
    assert "FandolSong" in title[1] and title[2] == pytest.approx(22, abs=0.6)  # 二号小标宋
    expectations = {
        "一、主要举措和成效": "FandolHei",  # 黑体
        "（一）坚持党的领导": "FandolKai",  # 楷体
        "1.深入推进行政审批": "FandolFang",  # 仿宋
        "（1）将法治建设纳入": "FandolFang",
        "区政府把法治政府建设纳入": "FandolFang",  # body
    }
    for start, family in expectations.items():
        text, found, size = line_starting(lines, start)
        assert family in found, (text, found)
        assert size == pytest.approx(16, abs=0.6), (text, size)  # 三号


def test_heading_levels_in_the_docx_run_fonts(annual_snapshot):
    document = Document(
        io.BytesIO(render_docx(ANNUAL_REPORT_TEXT, annual_snapshot, "final", layout="report"))
    )

    def fonts_of(start):
        paragraph = next(p for p in document.paragraphs if p.text.startswith(start))
        runs = paragraph.runs
        names = {r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in runs}
        sizes = {r.font.size.pt for r in runs}
        ind = paragraph._p.pPr.find(qn("w:ind"))
        indent = None if ind is None else ind.get(qn("w:firstLineChars"))
        return names, sizes, indent

    assert fonts_of("示范区人民政府关于")[:2] == ({"方正小标宋简体"}, {22})
    assert fonts_of("一、主要举措") == ({"黑体"}, {16}, "200")
    assert fonts_of("（一）坚持党的领导") == ({"楷体_GB2312"}, {16}, "200")
    assert fonts_of("1.深入推进") == ({"仿宋_GB2312"}, {16}, "200")
    assert fonts_of("（1）将法治建设") == ({"仿宋_GB2312"}, {16}, "200")


def test_literal_numbers_without_automatic_numbering():
    text = "# 标题\n## 一、总体情况\n### （一）组织领导\n#### 1.学法\n##### （1）细项\n正文。"
    speech = render_text(text, {}, "draft")
    assert [p.text for p in speech.paragraphs[1:5]] == [
        "一、总体情况",
        "（一）组织领导",
        "1.学法",
        "（1）细项",
    ]


def test_the_speech_markup_is_unchanged():
    """`##` is still the speech's one heading level, numbered only when asked."""
    speech = render_text(DEFAULT_TEMPLATE_TEXT, {}, "draft")
    assert {p.kind for p in speech.paragraphs} == {"title", "flush", "heading", "paragraph"}
    numbered = render_text("@章节编号 开\n## 甲\n## 乙\n正文", {}, "draft")
    assert [p.text for p in numbered.paragraphs] == ["一、甲", "二、乙", "正文"]


def test_public_version_leaves_out_marked_paragraphs_and_sentences(annual_snapshot):
    speech = render_text(ANNUAL_REPORT_TEXT, annual_snapshot, "final")
    texts = [p.text for p in speech.paragraphs]
    internal = next(i for i, t in enumerate(texts) if t.startswith("究其原因"))
    public = public_version(
        speech, {"paragraphs": [internal], "codes": ["biz_counsel_litigation_cases"]}
    )
    out = public.text
    assert "究其原因" not in out
    # The sentence with the marked figure goes, from the previous 。 to its own.
    assert "区政府法律顾问参与涉及区政府的法律诉讼" not in out
    assert "为政府依法决策提供了有力支撑" not in out
    # The rest stays, the sentence before it included.
    assert "与律师事务所4家建立合作关系。" in out
    assert "一年来，全区法治政府建设取得了一定成效" in out
    assert len(public.paragraphs) == len(speech.paragraphs) - 1


def test_public_pdf_omits_what_was_marked(poppler, annual_snapshot, font_cache_dir):
    speech = render_text(ANNUAL_REPORT_TEXT, annual_snapshot, "final")
    internal = next(i for i, p in enumerate(speech.paragraphs) if p.text.startswith("究其原因"))
    pdf = render_pdf(
        ANNUAL_REPORT_TEXT,
        annual_snapshot,
        "final",
        layout="report",
        exclusions={"paragraphs": [internal], "codes": ["biz_review_cases_received"]},
        font_cache_dir=font_cache_dir,
    )
    text = re.sub(r"\s+", "", poppler("pdftotext", pdf, "-enc", "UTF-8"))
    assert "究其原因" not in text
    assert "全年受理行政复议案件" not in text
    assert "支持人民法院依法受理和审理行政案件" in text
    assert "二、存在的不足和原因" in text
