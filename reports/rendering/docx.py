"""RenderedSpeech → DOCX (python-docx) with the same structure and GB/T 9704 page setup.

Offices edit the speech further in Word/WPS, so fonts are named the way their
PCs know them (w:eastAsia = 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312) rather
than embedded.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from .markup import Template
from .public import public_version
from .speech import Mode, Paragraph, RenderedSpeech, Run, Table, render_text

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
# Digits and Latin letters in 公文 are conventionally set in Times New Roman.
LATIN_FONT = "Times New Roman"

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_PITCH = Pt(28.9)  # 225 mm / 22 lines
# 28 characters in the 156 mm line: 442.2 pt / 28 = 15.79 pt a character, so 16 pt − 0.25 pt
# (character spacing is stored in whole twentieths of a point).
BODY_TRACKING = Pt(-0.25)
# The draft cover's gap table across the 156 mm text block: 序号, 指标, 责任单位, 情况.
COVER_COLUMNS = (Mm(14), Mm(74), Mm(30), Mm(38))
# A comparison table (speech.css: table.comparison): 小四 on 18 pt lines across the 156 mm
# text block, the area names' column 26 mm and the figures sharing the rest.
TABLE_SIZE = Pt(12)
TABLE_LINE = Pt(18)
TEXT_WIDTH = Mm(156)
AREA_COLUMN_WIDTH = Mm(26)
TABLE_PADDING = Pt(3)
# Half a line between a table and the text below it, as speech.css's margin.
TABLE_AFTER = Pt(14.45)

DRAFT_MARK = "草稿"
DRAFT_MARK_COLOR = RGBColor(0xA8, 0x07, 0x1A)  # speech.css: the PDF's 草稿 label
# Characters whose width Word decides by the run's font hint: curly quotes, dashes, the
# ellipsis and the middle dot are shared by Latin and CJK fonts, and without
# w:hint="eastAsia" Word sets them from the Latin font (Times New Roman), narrow.
_AMBIGUOUS = set("“”‘’—–…·‧")


def _needs_east_asian_hint(text: str) -> bool:
    return any(
        ch in _AMBIGUOUS or 0x3000 <= ord(ch) <= 0x303F or 0xFF00 <= ord(ch) <= 0xFFEF
        for ch in text
    )


_FONTS = {
    "title": TITLE_FONT,
    "heading": HEADING_FONT,
    # GB/T 9704's heading levels: 一、 黑体, （一） 楷体, 1. and （1） 仿宋.
    "heading2": KAI_FONT,
    "heading3": BODY_FONT,
    "heading4": BODY_FONT,
    "flush": BODY_FONT,
    "paragraph": BODY_FONT,
}
# The third and fourth levels usually run on into their paragraph's text (as in the PDF).
_KEEP_WITH_NEXT = {"heading", "heading2"}
_FINISHED = {"speech": "正式讲话稿", "report": "正式文稿"}


def _child(parent, tag: str, *, before: tuple[str, ...] = ()):
    """`parent`'s `tag` element, made if missing and then placed as the schema orders it:
    ahead of the first of `before` (the elements that must follow it) that is present."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        later = (parent.find(qn(name)) for name in before)
        anchor = next((e for e in later if e is not None), None)
        if anchor is not None:
            anchor.addprevious(element)
        else:
            parent.append(element)
    return element


def _set_fonts(run_or_style, east_asian: str, latin: str = LATIN_FONT) -> None:
    font = run_or_style.font
    font.name = latin
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)
    # Word prefers theme fonts over named ones; drop them so the names win.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _first_line_chars(paragraph, chars: int) -> None:
    """First-line indent in character units (w:firstLineChars), which Word and
    WPS keep at two cells whatever the font; the twips value is the fallback."""
    ind = _child(paragraph._p.get_or_add_pPr(), "w:ind", before=("w:jc", "w:rPr"))
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(BODY_SIZE.pt * 20 * chars)))


def _page_setup(section) -> None:
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    # The number's line (about 6 mm of 四号) starts 7 mm below the 35 mm margin's top.
    section.footer_distance = Mm(35 - 7 - 6)
    section.header_distance = Mm(15)
    grid = _child(section._sectPr, "w:docGrid")
    # 22 lines to the page from a line grid; the 28 characters per line come from the
    # body style's character spacing (see _base_style). A "linesAndChars" grid with a
    # negative charSpace gives 28 in Word but is laid out at about 14 characters a line,
    # over 9 pages, by LibreOffice; character spacing reads the same everywhere.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))
    grid.attrib.pop(qn("w:charSpace"), None)


def _add_page_number(paragraph) -> None:
    """“— PAGE —” as a field, so Word renumbers after edits."""

    def text_run(text: str):
        run = paragraph.add_run(text)
        _set_fonts(run, PAGE_NUMBER_FONT)
        run.font.size = PAGE_NUMBER_SIZE
        return run

    text_run("— ")
    # One field part per run, the way Word itself writes fields.
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = text_run("" if kind or text == " PAGE " else text)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    text_run(" —")


def _footers(section, numbered: bool) -> None:
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    for footer, align, indent in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        paragraph = footer.paragraphs[0]
        for run in list(paragraph.runs):
            run._r.getparent().remove(run._r)
        if not numbered:
            continue
        paragraph.alignment = align
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        # 空一字: one 四号 character in from the outer edge.
        setattr(paragraph.paragraph_format, f"{indent}_indent", PAGE_NUMBER_SIZE)
        _add_page_number(paragraph)


def _draft_headers(section) -> None:
    """草稿 at the top right of every page of the section, odd and even, as in the PDF
    (speech.css: @page draft): 四号 黑体, dark red, above the text block."""
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        for run in list(paragraph.runs):
            run._r.getparent().remove(run._r)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _off_the_line_grid(paragraph)
        run = paragraph.add_run(DRAFT_MARK)
        _set_fonts(run, HEADING_FONT)
        run.font.size = PAGE_NUMBER_SIZE
        run.font.color.rgb = DRAFT_MARK_COLOR


def _restart_numbering(section) -> None:
    pg = _child(section._sectPr, "w:pgNumType", before=("w:cols", "w:docGrid"))
    pg.set(qn("w:start"), "1")


def _set_character_spacing(style, spacing) -> None:
    """w:spacing in the style's run properties (python-docx has no API for it)."""
    later = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs")
    element = _child(style.element.get_or_add_rPr(), "w:spacing", before=later)
    element.set(qn("w:val"), str(round(spacing.pt * 20)))


def _base_style(document) -> None:
    normal = document.styles["Normal"]
    _set_fonts(normal, BODY_FONT)
    normal.font.size = BODY_SIZE
    _set_character_spacing(normal, BODY_TRACKING)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = False


def _add_run(paragraph, run: Run, block_font: str, size):
    out = paragraph.add_run("" if run.style == "break" else run.text)
    if run.style == "break":
        out.add_break(WD_BREAK.LINE)
    _set_fonts(out, KAI_FONT if run.style == "lead" else block_font)
    out.font.size = size
    if run.gap is not None:
        out.font.highlight_color = WD_COLOR_INDEX.YELLOW
        out.font.color.rgb = RGBColor(0xA8, 0x07, 0x1A)


def _add_paragraph(document, paragraph: Paragraph):
    out = document.add_paragraph()
    size = TITLE_SIZE if paragraph.kind == "title" else BODY_SIZE
    font = _FONTS[paragraph.kind]
    if paragraph.kind == "title":
        out.alignment = WD_ALIGN_PARAGRAPH.CENTER
        out.paragraph_format.space_after = LINE_PITCH  # 标题下空一行
    elif paragraph.kind != "flush":
        _first_line_chars(out, 2)
    if paragraph.kind in _KEEP_WITH_NEXT:
        out.paragraph_format.keep_with_next = True
    for run in paragraph.runs:
        _add_run(out, run, font, size)
    return out


def _add_table(document, table: Table) -> None:
    """A real Word table: the caption (三号黑体, centred, kept with the table), the header
    row in 黑体 repeated on every page (w:tblHeader), rows never split over two pages,
    figures right-aligned, single thin rules (Table Grid)."""
    if table.caption:
        caption = document.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.keep_with_next = True
        _add_run(caption, Run(table.caption), HEADING_FONT, BODY_SIZE)
    columns = len(table.header)
    share = Emu(int((TEXT_WIDTH - AREA_COLUMN_WIDTH) / (columns - 1))) if columns > 1 else 0
    widths = [AREA_COLUMN_WIDTH] + [share] * (columns - 1)
    out = document.add_table(rows=0, cols=columns)
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    out.autofit = False
    for column, width in zip(out.columns, widths, strict=True):
        column.width = width  # w:gridCol, which LibreOffice follows
    for number, row in enumerate((table.header, *table.rows)):
        cells = out.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        if len(row) == 1 and columns > 1:  # the notice of a snapshot without child areas
            cells = [cells[0].merge(cells[-1])]
        for i, (cell, run) in enumerate(zip(cells, row, strict=True)):
            centred = number == 0 or i == 0 or len(row) == 1
            _table_cell(cell, run, HEADING_FONT if number == 0 else BODY_FONT, centred)
        _keep_row_on_one_page(out.rows[number])
        if number == 0:
            _child(out.rows[0]._tr.get_or_add_trPr(), "w:tblHeader")


def _table_cell(cell, run: Run, font: str, centred: bool) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = TABLE_LINE
    # The PDF's 3 pt cell padding above and below (Word's cell margins are left and right).
    fmt.space_before = fmt.space_after = TABLE_PADDING
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.RIGHT
    _off_the_line_grid(paragraph)
    _add_run(paragraph, run, font, TABLE_SIZE)
    # The body's tracking fits 28 三号 characters to a line; a cell's 小四 needs none.
    _set_character_spacing(paragraph.runs[-1], Pt(0))


def _add_cover(document, speech: RenderedSpeech, layout: str = "speech") -> None:
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run("草稿说明")
    _set_fonts(run, TITLE_FONT)
    run.font.size = TITLE_SIZE
    intro = document.add_paragraph()
    _first_line_chars(intro, 2)
    period = f"{speech.period_label}，" if speech.period_label else ""
    if speech.gaps:
        text = (
            f"本稿为草稿（{period}按当前数据生成），不得作为{_FINISHED[layout]}印发。以下{len(speech.gaps)}"
            "项数据尚未填报或尚未审核通过，正文中以醒目的【待填：…】或【待审：…】标出，"
            "请相关单位补齐后再生成定稿。"
        )
    else:
        text = f"本稿为草稿（{period}按当前数据生成）。所有数据均已审核通过，可以生成定稿。"
    intro.add_run(text)
    if not speech.gaps:
        return
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, label in zip(table.rows[0].cells, ("序号", "指标", "责任单位", "情况"), strict=True):
        cell.text = label
    for i, gap in enumerate(speech.gaps, start=1):
        cells = table.add_row().cells
        for cell, value in zip(
            cells, (str(i), gap.name, gap.department or "—", gap.reason_label), strict=True
        ):
            cell.text = value
    for column, width in zip(table.columns, COVER_COLUMNS, strict=True):
        column.width = width  # w:gridCol, which LibreOffice follows
    for row in table.rows:
        _keep_row_on_one_page(row)
        for cell, width in zip(row.cells, COVER_COLUMNS, strict=True):
            cell.width = width
            for p in cell.paragraphs:
                fmt = p.paragraph_format
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
                fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT  # not the body's justification
                fmt.first_line_indent = Pt(0)
                _off_the_line_grid(p)
                for r in p.runs:
                    if r.font.size is None:
                        r.font.size = Pt(12)


def _keep_row_on_one_page(row) -> None:
    _child(row._tr.get_or_add_trPr(), "w:cantSplit")


def _off_the_line_grid(paragraph) -> None:
    """Table text at 12 pt would otherwise take a whole 28.9 pt grid line per line."""
    later = ("w:spacing", "w:ind", "w:jc", "w:rPr")
    snap = _child(paragraph._p.get_or_add_pPr(), "w:snapToGrid", before=later)
    snap.set(qn("w:val"), "0")


def _hint_east_asian(document) -> None:
    """w:hint="eastAsia" on every run (body, tables, headers) with CJK punctuation or
    quotes, so Word takes their width from the East Asian font."""
    parts = [document.element.body]
    for section in document.sections:
        for part in (section.header, section.even_page_header, section.footer):
            parts.append(part._element)
    for part in parts:
        for r in part.iter(qn("w:r")):
            text = "".join(t.text or "" for t in r.iter(qn("w:t")))
            if not _needs_east_asian_hint(text):
                continue
            rpr = r.get_or_add_rPr()
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = OxmlElement("w:rFonts")
                # rFonts may follow only rStyle in w:rPr.
                style = rpr.find(qn("w:rStyle"))
                if style is not None:
                    style.addnext(fonts)
                else:
                    rpr.insert(0, fonts)
            fonts.set(qn("w:hint"), "eastAsia")


def render_docx_from_speech(speech: RenderedSpeech, *, layout: str = "speech") -> bytes:
    document = Document()
    document.settings.odd_and_even_pages_header_footer = True
    _base_style(document)
    section = document.sections[0]
    _page_setup(section)
    if speech.mode == "draft":
        _add_cover(document, speech, layout)
        _footers(section, numbered=False)
        _draft_headers(section)
        # The speech starts on an odd page of its own, numbered from 1.
        section = document.add_section(WD_SECTION.ODD_PAGE)
        _page_setup(section)
        _draft_headers(section)
    _footers(section, numbered=True)
    _restart_numbering(section)
    core = document.core_properties
    core.title = speech.title + ("（草稿）" if speech.mode == "draft" else "")
    core.author = ""
    core.comments = ""
    after_table = False
    for paragraph in speech.paragraphs:
        if paragraph.table is not None:
            _add_table(document, paragraph.table)
        else:
            out = _add_paragraph(document, paragraph)
            if after_table:
                out.paragraph_format.space_before = TABLE_AFTER
        after_table = paragraph.table is not None
    if speech.paragraphs and speech.paragraphs[-1].table is not None:
        document.add_paragraph()  # Word wants the body to end with a paragraph, not a table
    _hint_east_asian(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_docx(
    template: Template | str,
    snapshot: Mapping[str, Any],
    mode: Mode = "final",
    *,
    layout: str = "speech",
    exclusions: Mapping[str, Any] | None = None,
) -> bytes:
    """DOCX bytes of the document; ``mode`` as for ``render_text``, ``layout`` and
    ``exclusions`` as for ``render_pdf``."""

    speech = public_version(render_text(template, snapshot, mode), exclusions)
    return render_docx_from_speech(speech, layout=layout)
