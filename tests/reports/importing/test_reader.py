"""Reading a .docx or text: levels from styles and numbering, hostile files refused."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from reports.importing.reader import (
    BODY,
    ITEM,
    SECTION,
    SUBITEM,
    SUBSECTION,
    TITLE,
    Paragraph,
    read_docx,
    read_text,
)


def _docx(build) -> bytes:
    document = Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _messages(excinfo) -> str:
    return "".join(excinfo.value.messages)


def test_text_levels_from_numbering():
    text = "2025年法治政府建设情况报告\n\n一、主要举措\n（一）强化组织领导\n1.健全制度\n（1）学法制度\n正文12项。\n"
    assert read_text(text) == [
        Paragraph("2025年法治政府建设情况报告", TITLE),
        Paragraph("一、主要举措", SECTION),
        Paragraph("（一）强化组织领导", SUBSECTION),
        Paragraph("1.健全制度", ITEM),
        Paragraph("（1）学法制度", SUBITEM),
        Paragraph("正文12项。", BODY),
    ]


def test_text_first_line_is_a_title_only_when_it_reads_like_one():
    assert read_text("共受理案件58起，办结55起。\n\n其他。")[0].level == BODY
    assert read_text("标题\n紧接正文。")[0].level == BODY  # no blank line after it
    assert read_text("\u3000\u3000首行缩进的正文。\r\n")[0] == Paragraph("首行缩进的正文。")


def test_docx_levels_from_styles():
    def build(document):
        document.add_paragraph("年度报告", style="Title")
        document.add_paragraph("主要举措", style="Heading 1")
        document.add_paragraph("组织领导", style="Heading 2")
        document.add_paragraph("学法", style="Heading 3")
        document.add_paragraph("述法", style="Heading 4")
        document.add_paragraph("二、按编号", style="Normal")
        paragraph = document.add_paragraph("全区共有群防群治力量2.3万余人。")
        paragraph.add_run().add_break()
        paragraph.add_run("第二行")
        document.add_paragraph("   ")
        document.sections[0].header.paragraphs[0].text = "页眉不读"
        document.sections[0].footer.paragraphs[0].text = "— 1 —"

    paragraphs = read_docx(_docx(build))
    assert paragraphs == [
        Paragraph("年度报告", TITLE),
        Paragraph("主要举措", SECTION),
        Paragraph("组织领导", SUBSECTION),
        Paragraph("学法", ITEM),
        Paragraph("述法", SUBITEM),
        Paragraph("二、按编号", SECTION),
        Paragraph("全区共有群防群治力量2.3万余人。第二行", BODY),
    ]


def test_docx_chinese_style_names():
    def build(document):
        style = document.styles.add_style("标题 1", 1)
        document.add_paragraph("一级标题", style=style)

    assert read_docx(_docx(build)) == [Paragraph("一级标题", SECTION)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"\xd0\xcf\x11\xe0 an old .doc", "不是 .doc"),
        (b"PK\x03\x04 not really a zip", "不是 .doc"),
    ],
)
def test_not_a_docx(data, message):
    with pytest.raises(ValidationError) as excinfo:
        read_docx(data)
    assert message in _messages(excinfo)


def _zip(parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_bomb_refused():
    with pytest.raises(ValidationError) as excinfo:
        read_docx(_zip({"word/document.xml": b"<a>" + b" " * 60_000_000 + b"</a>"}))
    assert "疑似压缩炸弹" in _messages(excinfo)


def test_entities_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><w:document>&lol2;</w:document>'
    )
    with pytest.raises(ValidationError) as excinfo:
        read_docx(_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": laughs}))
    assert "不允许的 XML 声明" in _messages(excinfo)


def test_too_many_elements_refused():
    with pytest.raises(ValidationError) as excinfo:
        # Stored, not compressed: within the zip limits, so the XML budget is what refuses.
        elements = b"<a>" + b"<b/>" * 600_000 + b"</a>"
        read_docx(_zip({"word/document.xml": elements}, zipfile.ZIP_STORED))
    assert "内容过多" in _messages(excinfo)


def test_a_zip_that_is_not_a_document():
    with pytest.raises(ValidationError) as excinfo:
        read_docx(_zip({"hello.txt": b"hello"}))
    assert "无法读取该 Word 文件" in _messages(excinfo)


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_control_characters_refused(character):
    with pytest.raises(ValidationError) as excinfo:
        read_text(f"共受理案件{character}58起。")
    assert f"U+{ord(character):04X}" in _messages(excinfo)


def test_tabs_and_line_ends_are_fine():
    assert read_text("正文\t12项。\r\n第二段。") == [
        Paragraph("正文\t12项。"),
        Paragraph("第二段。"),
    ]


def test_empty_and_too_long():
    with pytest.raises(ValidationError, match="没有文字"):
        read_text(" \n\u3000\n")
    with pytest.raises(ValidationError, match="文档过长"):
        read_text("字" * 300_001)
