"""The comparison table (@对比表, 各区主要指标对比): its line in the template language, its filling
from the snapshot's child areas, and the table in the PDF, the Word file and the OFD."""

from __future__ import annotations

import io
import re

import pytest
from conftest import require_fandol
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Pt
from hypothesis import given, settings
from hypothesis import strategies as st
from test_markup import _steps

from reports.rendering import (
    MissingFigures,
    TemplateSyntaxError,
    parse_template,
    render_docx,
    render_html,
    render_pdf,
    render_text,
    validate_template,
)
from reports.rendering.markup import MAX_ERRORS, MAX_TABLE_COLUMNS
from reports.rendering.public import public_version
from reports.rendering.speech import total_label
from reports.rendering.standing import table_gaps

CODES = ["legal_aid", "mediation", "review_rate"]
KNOWN = set(CODES) | {"extra_a", "extra_b", "extra_c", "extra_d"}
TEXT = (
    "# 示范市法治政府建设情况的报告\n"
    "全年办理法律援助案件{legal_aid}件。各区主要指标如下：\n"
    "@对比表 各区主要指标对比 {legal_aid} {mediation} {review_rate}\n"
    "以上数据均经各区审核。"
)
AREA_NAMES = ["历下区", "市中区", "槐荫区"]


def _snapshot(areas: int = 3, *, names=AREA_NAMES) -> dict:
    figures = {
        "legal_aid": ("法律援助案件", "件", "1180"),
        "mediation": ("人民调解案件", "件", "23456"),
        "review_rate": ("行政复议办结率", "%", "98.5"),
    }
    snapshot = {
        "district_name": "示范市",
        "period": "2025",
        "period_label": "2025年度",
        "figures": {
            code: {
                "value": value,
                "status": "approved",
                "name": name,
                "unit": unit,
                "department": "市司法局",
                "previous": None,
            }
            for code, (name, unit, value) in figures.items()
        },  # fmt: skip
        "areas": [],
    }
    for i in range(areas):
        snapshot["areas"].append(
            {
                "code": f"3701{i:02d}",
                "name": names[i % len(names)] if areas <= len(names) else f"第{i + 1}区",
                "figures": {
                    code: {"value": str(100 + 10 * i + j), "status": "approved"}
                    for j, code in enumerate(CODES)
                },
            }
        )
    return snapshot


def _table(speech):
    return next(p.table for p in speech.paragraphs if p.table is not None)


def _texts(row) -> list[str]:
    return [run.text for run in row]


# --- the line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "caption", "codes"),
    [
        ("@对比表 {legal_aid} {mediation}", "", ["legal_aid", "mediation"]),
        ("@对比表{legal_aid}{mediation}", "", ["legal_aid", "mediation"]),
        ("＠对比表：｛legal_aid｝、｛mediation｝", "", ["legal_aid", "mediation"]),
        ("@对比表 各区主要指标对比 {legal_aid}|{review_rate}", "各区主要指标对比", ["legal_aid", "review_rate"]),
        ("@对比表=各区对比：{ legal_aid }，{mediation|plain}", "各区对比", ["legal_aid", "mediation"]),
        ("\u3000@对比表\u3000{legal_aid}\u3000{mediation}\u3000", "", ["legal_aid", "mediation"]),
        ("@对比表 {legal_aid}；{mediation}｜{review_rate}", "", CODES),
    ],
)  # fmt: skip
def test_table_lines_that_read(line, caption, codes):
    template = parse_template(f"正文。\n{line}")
    block = template.blocks[1]
    assert block.kind == "table"
    assert [p.code for p in block.body] == codes
    assert "".join(t.text for t in block.lead) == caption
    assert template.table_codes() == codes
    # The table's figures are the template's like any other: the snapshot freezes them.
    assert template.codes() == codes
    assert validate_template(f"正文。\n{line}", KNOWN) == []


@pytest.mark.parametrize(
    ("line", "fragment", "code"),
    [
        ("@对比表", "对比表没有指标", None),
        ("@对比表 各区主要指标对比", "对比表没有指标", None),
        ("@对比表 {legal_aid|wan}", "不能加格式", "legal_aid"),
        ("@对比表 {legal_aid} {district}", "是站点值，不能作为对比表的一列", "district"),
        ("@对比表 {legal_aid} {legal_aid}", "指标“legal_aid”重复", "legal_aid"),
        ("@对比表 {legal_aid} 和 {mediation}", "只能用空格或顿号分开，不能写“和”", None),
        ("@对比表 {legal_aid} {", "多余的“{”", None),
        ("@对比表 {legal_aid} }", "多余的“}”", None),
        ("@对比表 {legal_aid} {{", "多余的“{{”", None),
        ("@对比表 {legal_aid} {}", "缺少指标代码", None),
        ("@对比表 {legal-aid}", "格式不正确", "legal-aid"),
        ("@对比表 {legal_aid} {nope}", "未知的指标代码“nope”", "nope"),
        ("@对比表 各区}对比 {legal_aid}", "标题中有多余的“}”", None),
        ("@对比表 " + "很长的标题" * 6 + " {legal_aid}", "标题太长：最多 28 个字，现有 30 个字", None),
        (
            "@对比表 " + " ".join(f"{{{c}}}" for c in sorted(KNOWN)),
            f"对比表最多 {MAX_TABLE_COLUMNS} 列指标，现有 7 列",
            None,
        ),
    ],
)  # fmt: skip
def test_table_lines_that_do_not_read(line, fragment, code):
    errors = validate_template(f"正文。\n{line}", KNOWN)
    assert [e.line for e in errors] == [2], errors
    assert errors[0].message.startswith("第2行：")
    assert fragment in errors[0].message, errors[0].message
    assert errors[0].code == code
    if code != "nope":  # an unknown code is validate_template's alone, not a syntax error
        with pytest.raises(TemplateSyntaxError):
            parse_template(f"正文。\n{line}")


def test_a_longer_keyword_is_still_an_unknown_option():
    [error] = validate_template("正文。\n@对比表格 开", KNOWN)
    assert "未知的选项“@对比表格 开”" in error.message


def test_a_template_may_be_a_table_alone_and_hold_several():
    template = parse_template("@对比表 {legal_aid}\n@对比表 {mediation} {legal_aid}")
    assert [b.kind for b in template.blocks] == ["table", "table"]
    assert template.table_codes() == ["legal_aid", "mediation"]


_CODE = st.from_regex(r"[a-z_][a-z0-9_]{0,11}", fullmatch=True)
_SEPARATOR = st.sampled_from([" ", "  ", "\u3000", "、", "，", ",", "；", "|", "｜", ""])
_CAPTION = st.text(alphabet="各区主要指标对比年度情况表一二三", max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    codes=st.lists(_CODE, min_size=1, max_size=MAX_TABLE_COLUMNS, unique=True),
    separators=st.lists(_SEPARATOR, min_size=MAX_TABLE_COLUMNS, max_size=MAX_TABLE_COLUMNS),
    caption=_CAPTION,
    at=st.sampled_from(["@", "＠"]),
    fullwidth=st.booleans(),
    blanks=st.sampled_from(["", " ", "\u3000", "：", " ："]),
)
def test_generated_tables_read_back(codes, separators, caption, at, fullwidth, blanks):
    """Any table written as documented reads back as its caption and columns, full-width
    braces or not, whatever stands between the columns."""
    opening, closing = ("｛", "｝") if fullwidth else ("{", "}")
    columns = "".join(
        f"{opening}{code}{closing}{separator}"
        for code, separator in zip(codes, separators, strict=False)
    )
    line = f"{at}对比表{blanks or ' '}{caption} {columns}"
    template = parse_template(line)
    [block] = template.blocks
    assert [p.code for p in block.body] == codes
    assert "".join(t.text for t in block.lead) == caption.strip()


@settings(max_examples=300, deadline=None)
@given(rest=st.text(alphabet=" \u3000{}｛｝|｜、abc_1区：=*#@\\", max_size=60))
def test_any_table_line_is_read_or_refused_with_its_line(rest):
    """Whatever follows @对比表, validation answers with errors on the line, never a crash;
    a line without errors is a table of known codes."""
    errors = validate_template(f"正文。\n@对比表 {rest}", {"a", "b", "c", "a_1"})
    assert all(e.line == 2 and e.message.startswith("第2行：") for e in errors)
    if not errors:
        table = parse_template(f"正文。\n@对比表 {rest}").blocks[1]
        assert table.kind == "table"
        assert 1 <= len(table.body) <= MAX_TABLE_COLUMNS


TABLE_ADVERSARIAL = {
    "many columns": "@对比表 " + "{a}" * 33_000,
    "many column separators": "@对比表 {a}" + "、" * 100_000,
    "long caption": "@对比表 " + "表" * 100_000 + "{a}",
    "stray braces in a table": "@对比表 {a}" + "{" * 100_000,
    "many table lines": "@对比表 {a} {b}\n" * 8_000,
    "many bad table lines": "@对比表 x\n" * 14_000,
}


@pytest.mark.parametrize("shape", TABLE_ADVERSARIAL)
def test_table_lines_are_read_in_linear_time(shape):
    text = TABLE_ADVERSARIAL[shape]
    assert len(text) >= 95_000
    steps, errors = _steps(text)
    assert len(errors) <= MAX_ERRORS + 1
    assert steps <= 16 * len(text), f"{shape}: {steps} steps for {len(text)} characters"


# --- filling it from the snapshot -------------------------------------------------------


def test_rows_are_the_children_in_order_then_the_report_area():
    speech = render_text(TEXT, _snapshot(), "final")
    table = _table(speech)
    assert table.caption == "各区主要指标对比"
    assert _texts(table.header) == [
        "地区",
        "法律援助案件（件）",
        "人民调解案件（件）",
        "行政复议办结率（%）",
    ]
    assert [_texts(row) for row in table.rows] == [
        ["历下区", "100", "101", "102"],
        ["市中区", "110", "111", "112"],
        ["槐荫区", "120", "121", "122"],
        ["全市", "1180", "23456", "98.5"],
    ]
    assert speech.gaps == ()
    # One line of text a row (the plain text, the public version's review page).
    assert "历下区\t100\t101\t102\n市中区" in speech.text


@pytest.mark.parametrize(
    ("name", "label"),
    [("示范市", "全市"), ("示范区", "全区"), ("平阴县", "全县"), ("示范", "全市"), ("", "全市")],
)
def test_the_last_row_is_labelled_by_the_report_areas_level(name, label):
    assert total_label({"district_name": name}) == label


def test_a_cell_that_cannot_stand_is_marked_as_running_text_marks_it():
    snapshot = _snapshot()
    children = snapshot["areas"]
    children[0]["figures"]["legal_aid"] = {"value": None, "status": "missing"}
    del children[1]["figures"]["mediation"]  # absent altogether: not filled either
    children[2]["figures"]["review_rate"] = {"value": "97", "status": "submitted"}
    children[1]["figures"]["review_rate"] = {"value": "abc", "status": "approved"}
    snapshot["figures"]["mediation"].update(value=None, status="missing")
    speech = render_text(TEXT, snapshot, "draft")
    rows = [_texts(row) for row in _table(speech).rows]
    assert rows == [
        ["历下区", "【待填】", "101", "102"],
        ["市中区", "110", "【待填】", "【待改】"],
        ["槐荫区", "120", "121", "【待审】"],
        ["全市", "1180", "【待填】", "98.5"],
    ]
    listed = {(g.code, g.name, g.department, g.reason_label) for g in speech.gaps}
    assert listed == {
        ("legal_aid@370100", "法律援助案件", "历下区", "未填报"),
        ("mediation@370101", "人民调解案件", "市中区", "未填报"),
        ("review_rate@370101", "行政复议办结率", "市中区", "数值无效（“abc”不是数字。）"),
        ("review_rate@370102", "行政复议办结率", "槐荫区", "未审核通过（已报送待审核）"),
        ("mediation", "人民调解案件", "市司法局", "未填报"),
    }
    # The cover lists each; the cells are highlighted as every gap is.
    html = render_html(TEXT, snapshot, "draft", fragment=True)
    assert html.count('<mark class="gap') == 5
    assert "历下区" in html.split("草稿说明")[1].split("</table>")[0]
    with pytest.raises(MissingFigures) as refused:
        render_text(TEXT, snapshot, "final")
    assert "法律援助案件（历下区）：未填报" in str(refused.value)


def test_the_renderer_and_the_final_reports_check_name_the_same_gaps():
    """table_gaps (what a final report's check reads) and the renderer agree cell by cell:
    one rule, standing()."""
    for status, value in [("missing", None), ("draft", "5"), ("returned", "5"),
                          ("submitted", "5"), ("approved", None), ("approved", "*")]:  # fmt: skip
        snapshot = _snapshot()
        snapshot["areas"][1]["figures"]["mediation"] = {"value": value, "status": status}
        rendered = {g.code for g in render_text(TEXT, snapshot, "draft").gaps}
        checked = {g["code"] for g in table_gaps(snapshot, CODES)}
        assert rendered == checked == {"mediation@370101"}, (status, value)
        for gap in table_gaps(snapshot, CODES):  # what ReportNotReady hands the API
            assert set(gap) >= {"code", "name", "department", "status", "value"}
    assert table_gaps(_snapshot(), CODES) == []
    assert table_gaps({"figures": {}}, []) == []


@pytest.mark.parametrize("areas", [None, [], "not a list"])
def test_a_snapshot_without_child_areas_is_a_draft_notice_and_refused_final(areas):
    snapshot = _snapshot()
    if areas is None:
        del snapshot["areas"]  # today's single district
    else:
        snapshot["areas"] = areas
    speech = render_text(TEXT, snapshot, "draft")
    table = _table(speech)
    assert _texts(table.header)[1:] == [
        "法律援助案件（件）",
        "人民调解案件（件）",
        "行政复议办结率（%）",
    ]
    assert [_texts(row) for row in table.rows] == [
        ["【待填：各区数据】"],
        ["全市", "1180", "23456", "98.5"],
    ]
    [gap] = speech.gaps
    assert (gap.code, gap.reason_label) == ("areas", "未填报（快照中没有下级区域的数据）")
    with pytest.raises(MissingFigures, match="各区数据"):
        render_text(TEXT, snapshot, "final")
    assert [g["code"] for g in table_gaps(snapshot, CODES)] == ["areas"]


def test_a_public_version_leaving_out_a_tables_figure_leaves_out_the_table():
    speech = render_text(TEXT, _snapshot(), "final")
    public = public_version(speech, {"codes": ["review_rate"]})
    assert all(p.table is None for p in public.paragraphs)
    assert len(public.paragraphs) == len(speech.paragraphs) - 1
    # A figure in both: its sentence goes from the running text, and the table with it.
    kept = public_version(speech, {"codes": ["legal_aid"]})
    assert [p.text for p in kept.paragraphs] == [
        "示范市法治政府建设情况的报告",
        "各区主要指标如下：",
        "以上数据均经各区审核。",
    ]


def test_a_template_without_a_table_has_no_table():
    speech = render_text("# 标题\n正文{legal_aid}件。", _snapshot(), "final")
    assert [p.table for p in speech.paragraphs] == [None, None]


# --- the documents ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def table_pdf(font_cache_dir) -> bytes:
    require_fandol()
    return render_pdf(TEXT, _snapshot(), "final", font_cache_dir=font_cache_dir)


def _layout_rows(poppler, pdf: bytes, *args: str) -> list[list[str]]:
    text = poppler("pdftotext", pdf, "-layout", *args).replace("\u200b", "")
    return [line.split() for line in text.splitlines() if line.strip()]


def test_pdf_prints_the_cells_row_by_row(poppler, table_pdf):
    rows = _layout_rows(poppler, table_pdf)
    table_rows = [row for row in rows if row and row[0] in [*AREA_NAMES, "全市"]]
    assert table_rows == [
        ["历下区", "100", "101", "102"],
        ["市中区", "110", "111", "112"],
        ["槐荫区", "120", "121", "122"],
        ["全市", "1180", "23456", "98.5"],
    ]
    text = re.sub(r"\s", "", poppler("pdftotext", table_pdf))
    # The caption, then the header (its cells' lines in any order: they are centred).
    header = text.split("各区主要指标对比")[1].split("历下区")[0]
    for cell in ("地区", "法律援助案件（件）", "人民调解案件（件）", "行政复议办结率（%）"):
        assert cell in header
    assert "以上数据均经各区审核。" in text
    # The header row is 黑体: FandolHei is in the PDF though no heading is.
    assert "FandolHei" in poppler("pdffonts", table_pdf)


def test_a_long_table_repeats_its_header_on_the_next_page(poppler, font_cache_dir):
    require_fandol()
    snapshot = _snapshot(40)
    pdf = render_pdf(TEXT, snapshot, "final", font_cache_dir=font_cache_dir)
    pages = int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.M).group(1))
    assert pages >= 2
    for page in ("1", "2"):
        rows = _layout_rows(poppler, pdf, "-f", page, "-l", page)
        header = [i for i, row in enumerate(rows) if "地区" in row]
        children = [i for i, row in enumerate(rows) if re.fullmatch(r"第\d+区", row[0])]
        # The header row once on the page, above its first child's row.
        assert len(header) == 1 and children and header[0] < children[0], (page, rows)
        text = "".join("".join(row) for row in rows[header[0] - 1 : children[0]])
        assert all(name in text for name in ("法律援助案件", "人民调解案件", "行政复议办结率"))
    # Every child once, in order, then the report area's own row, across the pages.
    names = [row[0] for row in _layout_rows(poppler, pdf) if re.fullmatch(r"第\d+区|全市", row[0])]
    assert names == [f"第{i}区" for i in range(1, 41)] + ["全市"]


@pytest.mark.parametrize("paragraphs", [19, 20, 21])
def test_the_caption_is_never_left_alone_at_the_foot_of_a_page(poppler, font_cache_dir, paragraphs):
    """Paragraphs before the table put its caption on page 1's last lines (20 and 21 of
    them did, with a <caption>): the caption goes where the table's header goes."""
    require_fandol()
    text = "正文。\n" * paragraphs + "@对比表 各区主要指标对比 {legal_aid} {mediation}\n结尾。"
    pdf = render_pdf(text, _snapshot(), "final", font_cache_dir=font_cache_dir)
    for page in ("1", "2"):
        printed = re.sub(r"\s", "", poppler("pdftotext", pdf, "-f", page, "-l", page))
        if "各区主要指标对比" in printed:
            assert "地区" in printed.split("各区主要指标对比")[1], (paragraphs, page)


@pytest.fixture(scope="module")
def table_docx():
    snapshot = _snapshot()
    snapshot["areas"][0]["figures"]["legal_aid"] = {"value": None, "status": "missing"}
    return Document(io.BytesIO(render_docx(TEXT, snapshot, "draft")))


def test_word_has_a_real_table_with_the_same_cells(table_docx):
    [table] = table_docx.tables[1:]  # the first is the draft cover's list of gaps
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells == [
        ["地区", "法律援助案件（件）", "人民调解案件（件）", "行政复议办结率（%）"],
        ["历下区", "【待填】", "101", "102"],
        ["市中区", "110", "111", "112"],
        ["槐荫区", "120", "121", "122"],
        ["全市", "1180", "23456", "98.5"],
    ]
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    header_run = header.cells[1].paragraphs[0].runs[0]
    body_run = table.rows[2].cells[1].paragraphs[0].runs[0]
    fonts = [
        r.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in (header_run, body_run)
    ]
    assert fonts == ["黑体", "仿宋_GB2312"]
    assert body_run.font.size == Pt(12)
    gap_run = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert gap_run.font.highlight_color == WD_COLOR_INDEX.YELLOW
    assert table.style.name == "Table Grid"
    # The caption above it, centred.
    captions = [p for p in table_docx.paragraphs if p.text == "各区主要指标对比"]
    assert len(captions) == 1
    assert "法律援助案件" in table_docx.tables[0].rows[1].cells[1].text  # listed on the cover


def test_word_file_ending_with_a_table_ends_with_a_paragraph():
    data = render_docx("@对比表 {legal_aid}", _snapshot(), "final")
    body = Document(io.BytesIO(data)).element.body
    assert [child.tag for child in body][-2:] == [qn("w:p"), qn("w:sectPr")]


def test_the_ofd_carries_the_cells_and_the_rules(font_cache_dir):
    require_fandol()
    from test_ofd import read_ofd

    from reports.rendering import render_pdf_and_ofd

    _, ofd = render_pdf_and_ofd(TEXT, _snapshot(), "final", font_cache_dir=font_cache_dir)
    document = read_ofd(ofd)
    text = document.pages[0].text
    assert "历下区100101102市中区110111112槐荫区120121122全市11802345698.5" in text
    contents = b"".join(v for name, v in document.files.items() if name.endswith("Content.xml"))
    # The table's rules are drawn too, across the 156 mm text block (28 mm from the left).
    boxes = [
        [float(v) for v in box.split()]
        for box in re.findall(rb'<ofd:PathObject[^>]* Boundary="([^"]+)"', contents)
    ]
    assert len(boxes) >= 2 * 5 * 4  # at least the cells' top and left rules
    left = min(x for x, _, _, _ in boxes)
    right = max(x + width for x, _, width, _ in boxes)
    assert abs(left - 28) < 0.5 and abs(right - (28 + 156)) < 0.5, (left, right)
    # Each rule at the stylesheet's 0.5 pt (0.176 mm), the frame's included.
    assert set(re.findall(rb'<ofd:PathObject[^>]* LineWidth="([^"]+)"', contents)) == {b"0.176"}
