"""Reading last year's speech or report: a .docx, a .txt or pasted text → paragraphs.

Each paragraph keeps its heading level, from Word's heading styles where the author used them
and otherwise from the numbering at its start (一、 / （一） / 1. / （1）), which is how most
official documents mark their outline. The upload is hostile until shown otherwise: the .docx
passes the same zip and XML guard as an uploaded sheet (lawgov.spreadsheets) before
python-docx reads it, and control characters are refused, since a template holding one could
never be printed (reports/rendering/markup.py refuses them too).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from docx.oxml.ns import qn

from lawgov.control_characters import CONTROL_CHARACTERS
from lawgov.spreadsheets import OfficeLimits, OfficeRefusal, check_office_file

BODY, TITLE, SECTION, SUBSECTION, ITEM, SUBITEM = range(6)

# A speech is some 5,000 characters and a year's report a few times that; far beyond is not a
# document anyone drafts from.
MAX_TEXT_CHARS = 300_000
MAX_PARAGRAPHS = 5_000
DOCX_DAMAGED = "无法读取该 Word 文件，请确认是 .docx 格式（不是 .doc 或 .wps）且未损坏。"
DOCX_LIMITS = OfficeLimits(
    # Pictures make a .docx large but are skipped unread; the XML is what is parsed.
    max_uncompressed=50 * 1024 * 1024,
    max_ratio=100,
    max_entries=2_000,
    # A year's report is some 100,000 elements; python-docx keeps them all in memory.
    max_elements=500_000,
    max_text_chars=MAX_TEXT_CHARS,
    damaged=DOCX_DAMAGED,
    too_many_elements="Word 文件内容过多，超出一篇讲话稿或报告的容量，已拒绝。",
    too_long_text="Word 文件中有过长的文字段，已拒绝。",
    too_long_attribute="Word 文件中有过长的内容，已拒绝。",
    # All the text together: the document itself may hold MAX_TEXT_CHARS; headers, notes and
    # tables as much again.
    max_total_text=2 * MAX_TEXT_CHARS,
    too_long_document=f"文档过长（超过 {MAX_TEXT_CHARS} 个字），请只导入讲话稿或报告本身。",
)
WORD_NAMESPACES = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "strict" Open XML
}
# Paragraphs over every part (body, table cells, headers, notes): several times what the
# document may have, counted while the file streams so that 100,000 of them are refused at
# the first part instead of after python-docx has built them all.
MAX_PARAGRAPH_ELEMENTS = 4 * MAX_PARAGRAPHS
_TOO_MANY_PARAGRAPHS = f"文档段落过多（超过 {MAX_PARAGRAPHS} 段），请只导入讲话稿或报告本身。"

# Word's built-in styles, by their English names and the names a Chinese Word shows.
_STYLE_LEVELS = {
    "title": TITLE,
    "标题": TITLE,
    "heading 1": SECTION,
    "标题 1": SECTION,
    "heading 2": SUBSECTION,
    "标题 2": SUBSECTION,
    "heading 3": ITEM,
    "标题 3": ITEM,
    "heading 4": SUBITEM,
    "标题 4": SUBITEM,
}
_NUMERALS = "一二三四五六七八九十百零〇"
_NUMBERED_LEVELS = (
    (re.compile(rf"[{_NUMERALS}]+、"), SECTION),
    (re.compile(rf"[（(][{_NUMERALS}]+[）)]"), SUBSECTION),
    (re.compile(r"[0-9０-９]+[.．、](?![0-9０-９])"), ITEM),
    (re.compile(r"[（(][0-9０-９]+[）)]"), SUBITEM),
)
_HEI, _KAI = "黑体", "楷"
# A title is short and is not a sentence.
_MAX_TITLE_CHARS = 60
_SENTENCE_ENDS = tuple("。；！？：，")
# What a document may hold besides text: tab, line feed, carriage return.
_LAYOUT = str.maketrans("", "", "\t\n\r")
_LINE_BREAKS = re.compile("[\n\u2028\u2029]")
_NOT_CHARACTERS = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
_TOO_LONG = f"文档过长（超过 {MAX_TEXT_CHARS} 个字），请只导入讲话稿或报告本身。"


@dataclass(frozen=True)
class Paragraph:
    text: str
    level: int = BODY  # 0 body, 1 title, 2 一、, 3 （一）, 4 1., 5 （1）
    # The run-in sub-heading the paragraph opens with (“持续深化思想引领作用。”), a prefix
    # of `text`; from a .docx, where it is set in 楷体 and the rest is not.
    lead: str = ""


def numbered_level(text: str) -> int:
    """The outline level the numbering at the start of `text` gives, BODY without one."""
    for pattern, level in _NUMBERED_LEVELS:
        if pattern.match(text):
            return level
    return BODY


def read_text(text: str) -> list[Paragraph]:
    """Pasted text or a .txt: one paragraph a line. The first line is the title when a blank
    line follows it and it reads like one (short, no sentence punctuation): that is how the
    portal's own text of a speech, and most typed drafts, set it apart."""
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(_TOO_LONG)
    refuse_control_characters(text)
    # Lines as the template parser counts them (str.splitlines: \u2028 and \u2029 too).
    lines = text.splitlines()
    paragraphs: list[Paragraph] = []
    for number, line in enumerate(lines):
        line = line.strip()
        if not line:
            continue
        level = numbered_level(line)
        if (
            not paragraphs
            and level == BODY
            and number + 1 < len(lines)
            and not lines[number + 1].strip()
            and _reads_like_title(line)
        ):
            level = TITLE
        paragraphs.append(Paragraph(line, level))
    return _bounded(paragraphs)


def _guard_docx(data: bytes) -> None:
    """Refuse an empty file, one that is no zip, and one the office-file guard refuses
    (lawgov.spreadsheets.check_office_file), counting the paragraphs as it reads."""
    if not data:
        raise ValidationError("文件是空的。")
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(DOCX_DAMAGED)
    paragraphs_seen = [0]

    def count_paragraphs(namespace: str, local: str, attrs: dict) -> None:
        if local == "p" and namespace in WORD_NAMESPACES:
            paragraphs_seen[0] += 1
            if paragraphs_seen[0] > MAX_PARAGRAPH_ELEMENTS:
                raise OfficeRefusal(_TOO_MANY_PARAGRAPHS)

    check_office_file(data, DOCX_LIMITS, part_check=lambda: count_paragraphs)


def read_docx(data: bytes) -> list[Paragraph]:
    """The body paragraphs of a .docx in order, headers, footers and page numbers left out.
    Tables are left out too: the speech template has no tables. A draft the portal printed
    starts with its 草稿说明 cover, which is dropped."""
    _guard_docx(data)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = [
            (p.text, _style_name(p), _centred(p), _ends_section(p), _faces(p))
            for p in document.paragraphs
        ]
    except (
        PackageNotFoundError,
        KeyError,
        ValueError,
        AttributeError,
        TypeError,
        LxmlError,
        zipfile.BadZipFile,
        RuntimeError,
        OSError,
        NotImplementedError,
    ):
        # python-docx refuses a macro document, a missing part or a broken relationship
        # with one of these (the guard has refused what it can foresee); all mean the same
        # to the person uploading.
        raise ValidationError(DOCX_DAMAGED) from None
    blocks = _without_draft_cover(blocks)
    paragraphs: list[Paragraph] = []
    for raw, style, centred, _, faces in blocks:
        refuse_control_characters(raw)
        text = _join_lines(raw).strip()
        if not text:
            continue
        level = _STYLE_LEVELS.get(style.lower(), BODY) if style else BODY
        if level == BODY:
            level = numbered_level(text)
        lead = ""
        if level == BODY:
            level, lead = _level_from_faces(text, faces)
        # The portal's own speech, like most 公文, sets its title centred in Normal style.
        if level == BODY and not paragraphs and centred and _reads_like_title(text):
            level = TITLE
        paragraphs.append(Paragraph(text, level, lead))
    return _bounded(paragraphs)


def _faces(paragraph) -> list[tuple[str, str]]:
    """(text, East Asian font name) of each run."""
    out = []
    for run in paragraph.runs:
        rpr = run.element.rPr
        fonts = rpr.rFonts if rpr is not None else None
        face = (fonts.get(qn("w:eastAsia")) or "") if fonts is not None else ""
        out.append((run.text, face))
    return out


def _level_from_faces(text: str, faces: list[tuple[str, str]]) -> tuple[int, str]:
    """公文 set a section heading in 黑体 and a run-in sub-heading in 楷体 (so does the portal's
    own speech, reports/rendering/docx.py): a paragraph all in 黑体 is a section heading, one
    opening in 楷体 and going on in another face has that opening as its lead."""
    runs = [(run_text, face) for run_text, face in faces if run_text.strip()]
    if not runs:
        return BODY, ""
    if all(_HEI in face for _, face in runs):
        return SECTION, ""
    lead = []
    for run_text, face in runs:
        if _KAI not in face:
            break
        lead.append(run_text)
    if lead and len(lead) < len(runs):
        opening = "".join(lead).strip()
        if opening and text.startswith(opening) and "\n" not in opening:
            return BODY, opening
    return BODY, ""


def _style_name(paragraph) -> str:
    style = paragraph.style
    return (style.name or "") if style is not None else ""


def _centred(paragraph) -> bool:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER


def _ends_section(paragraph) -> bool:
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.sectPr is not None


def _without_draft_cover(blocks: list[tuple[str, str, bool, bool]]):
    """Drop the portal's 草稿说明 cover page: everything up to the section break after it."""
    first = next((i for i, block in enumerate(blocks) if block[0].strip()), None)
    if first is None or blocks[first][0].strip() != "草稿说明":
        return blocks
    for i in range(first, len(blocks)):
        if blocks[i][3]:
            return blocks[i + 1 :]
    return blocks


def _join_lines(text: str) -> str:
    """A line break inside a paragraph (the title's, or one typed with Shift+Enter) is
    layout: Chinese runs on without a space, Latin words keep one."""
    pieces = _LINE_BREAKS.split(text)
    if len(pieces) == 1:
        return text
    out = pieces[0]
    for piece in pieces[1:]:
        if out and piece and out[-1].isascii() and piece[0].isascii():
            out += " "
        out += piece
    return out


def _reads_like_title(text: str) -> bool:
    return len(text) <= _MAX_TITLE_CHARS and not text.endswith(_SENTENCE_ENDS)


def refuse_control_characters(text: str) -> None:
    """A ValidationError naming the first control character (tab and line ends allowed)."""
    found = CONTROL_CHARACTERS.search(text.translate(_LAYOUT)) or _NOT_CHARACTERS.search(text)
    if found:
        raise ValidationError(
            f"文档中含有不可见的控制字符（U+{ord(found.group()):04X}），"
            "请删除后再导入（从其他系统复制的文字常带有这类字符）。"
        )


def _bounded(paragraphs: list[Paragraph]) -> list[Paragraph]:
    if not paragraphs:
        raise ValidationError("文档中没有文字，无法生成模板。")
    if len(paragraphs) > MAX_PARAGRAPHS:
        raise ValidationError(
            f"文档段落过多（超过 {MAX_PARAGRAPHS} 段），请只导入讲话稿或报告本身。"
        )
    if sum(len(p.text) for p in paragraphs) > MAX_TEXT_CHARS:
        raise ValidationError(_TOO_LONG)
    return paragraphs
