"""Spreadsheets in and out of the portal, safely.

In: `check_xlsx` looks at an uploaded .xlsx before openpyxl reads any of it, and refuses (a
ValidationError in Chinese) a file whose zip would unpack to too much, whose XML declares a
DTD or entities (billion laughs, XXE), or that holds more rows, columns or text than a sheet
of figures can. openpyxl alone trusts the sheet's declared `<dimension>` and pads every row to
it, so a 1.6 KB file could keep a worker busy for seconds and a 50 KB one exhaust its memory.
The check streams each part through expat, stopping at the first limit, so a hostile file is
refused in milliseconds with a few megabytes of memory whatever it claims. The same guard,
`check_office_file` with its own `OfficeLimits`, reads an uploaded .docx before python-docx
does (reports/importing/reader.py).

Out: `append_row` / `set_value` write every value of every exported workbook, so that text
can never become a formula (see `set_value`).
"""

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from xml.parsers import expat

from django.core.exceptions import ValidationError

# --- reading ---------------------------------------------------------------------------------

DAMAGED = "无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。"
# A sheet of figures is a few hundred kilobytes unpacked; Excel's own text limit per cell.
MAX_XLSX_UNCOMPRESSED = 10 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_XLSX_ENTRIES = 500
MAX_TEXT_CHARS = 32_767
# Elements outside the cells (styles, theme, workbook, relationships): a workbook saved by
# Excel has a few thousand.
OTHER_ELEMENTS = 50_000
_CHUNK = 64 * 1024
SHEET_NAMESPACES = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "strict" Open XML
}
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)$")


class OfficeRefusal(Exception):
    """Raised by a part check (or the guard itself): the file is refused with this message."""


_Refused = OfficeRefusal


@dataclass(frozen=True)
class OfficeLimits:
    """What an Office file (a zip of XML parts: .xlsx, .docx) may hold before its reader, which
    trusts it, opens it. The zip limits are judged from its directory; the rest while each XML
    part streams through expat, stopping at the first one exceeded."""

    max_uncompressed: int
    max_ratio: int
    max_entries: int
    # Elements over all the parts together.
    max_elements: int
    # One run of text or one attribute value.
    max_text_chars: int
    damaged: str
    too_many_elements: str
    too_long_text: str
    too_long_attribute: str
    # Elements inside one another (lxml, which the readers use, stops at 256 with an error).
    max_depth: int = 100
    # Attributes of one element, and their characters together.
    max_attributes: int = 64
    # Characters of text over all the parts together (None: only per run of text).
    max_total_text: int | None = None
    too_long_document: str = ""


# Limits on any zip of an Office or OFD file, judged from its directory before unpacking.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 5000


ENCRYPTED_MEMBER = "文件中有加密的内容，无法读取：请另存为不加密的文件后重新上传。"


def open_archive(
    data: bytes,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
    max_ratio: float = MAX_COMPRESSION_RATIO,
    max_entries: int = MAX_ZIP_ENTRIES,
    damaged: str = "文件已损坏，无法识别为 Word 或 Excel 文件。",
) -> zipfile.ZipFile:
    """The zip inside an Office file, refused (ValidationError in Chinese) when it has too many
    entries or would unpack to too much (zip bombs), judged from its directory before anything
    is unpacked. zipfile never returns more bytes than an entry declares (it stops there and
    fails the CRC), so the declared sizes are a true bound. Also used for uploaded sheets
    (metrics/tabular.py), with tighter limits; `damaged` is the message for a file that is not
    a readable zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError(damaged) from None
    if len(entries) > max_entries:
        raise ValidationError("文件内部结构异常（条目过多），已拒绝。")
    # An encrypted member cannot be read without its password (zipfile raises RuntimeError),
    # and two members of one name let each reader take a different one: both refused here.
    if any(e.flag_bits & 0x1 for e in entries):
        raise ValidationError(ENCRYPTED_MEMBER)
    if len({e.filename for e in entries}) != len(entries):
        raise ValidationError("文件内部结构异常（有重名的部件），已拒绝。")
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if total > max_uncompressed or total / packed > max_ratio:
        raise ValidationError("文件解压后体积异常（疑似压缩炸弹），已拒绝。")
    return archive


# A per-part check of one element, `(namespace, local name, attributes)`; raises `_Refused`.
ElementCheck = Callable[[str, str, dict], None]


def check_office_file(
    data: bytes, limits: OfficeLimits, *, part_check: Callable[[], ElementCheck] | None = None
) -> None:
    """Refuse the file (ValidationError in Chinese) unless its zip stays within `limits` and
    each of its XML parts is well-formed, declares no DTD or entity (billion laughs, XXE) and
    stays within the element and text budgets; `part_check` makes a fresh check for each part
    (the sheet's rows and columns, for a workbook)."""
    archive = open_archive(
        data,
        max_uncompressed=limits.max_uncompressed,
        max_ratio=limits.max_ratio,
        max_entries=limits.max_entries,
        damaged=limits.damaged,
    )
    # Every part that looks like XML is scanned, whatever its name: the readers find parts by
    # the relationships, so a sheet or a document could be stored under any name.
    budget = _Budget(limits.max_elements, limits.max_total_text)
    try:
        for entry in archive.infolist():
            if entry.is_dir():
                continue
            with archive.open(entry) as stream:
                head = stream.read(_CHUNK)
                if not _looks_like_xml(head):
                    if entry.filename.lower().endswith((".xml", ".rels")):
                        raise _Refused(limits.damaged)  # lxml would fail on it
                    # An image or other binary part, read to its end so that a bad CRC is
                    # found here rather than when the reader copies the picture.
                    while stream.read(_CHUNK):
                        pass
                    continue
                _scan(stream, head, budget, limits, part_check() if part_check else None)
    except _Refused as refused:
        raise ValidationError([str(refused)]) from None
    except (
        expat.ExpatError,
        zipfile.BadZipFile,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,  # an encrypted member, should one slip past open_archive
        ValueError,
    ):
        raise ValidationError([limits.damaged]) from None


def check_xlsx(data: bytes, *, max_rows: int, max_columns: int) -> None:
    """Refuse the file unless each of its parts is well-formed XML without a DTD, every sheet
    has at most `max_rows` rows and no content beyond column `max_columns`, and the texts are
    of a size a cell can hold. The readers then open it with the same bounds."""
    limits = OfficeLimits(
        max_uncompressed=MAX_XLSX_UNCOMPRESSED,
        max_ratio=MAX_XLSX_RATIO,
        max_entries=MAX_XLSX_ENTRIES,
        # Each cell is a <c> with a <v> or <is><t>, and each string of the shared table a
        # <si><t>: about four elements per cell at most.
        max_elements=max_rows * (max_columns * 4 + 2) * 2 + OTHER_ELEMENTS,
        max_text_chars=MAX_TEXT_CHARS,
        damaged=DAMAGED,
        too_many_elements="表格内容过多，超出填报表的容量，已拒绝。",
        too_long_text="表格中有过长的内容（单元格文字超过 32767 个字符），已拒绝。",
        too_long_attribute="表格中有过长的内容，已拒绝。",
    )
    check_office_file(data, limits, part_check=lambda: _sheet_check(max_rows, max_columns))


def _looks_like_xml(head: bytes) -> bool:
    start = head.lstrip(b" \t\r\n")
    return start.startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe", b"\xfe\xff"))


class _Budget:
    """What is left for the whole file while its parts stream through."""

    def __init__(self, elements: int, text: int | None):
        self.elements = elements
        self.text = text


def rows_message(max_rows: int) -> str:
    return (
        f"表格行数超过上限：填报表最多 {max_rows} 行（指标数加余量），"
        "请只保留指标数据行后重新上传。"
    )


def columns_message(max_columns: int) -> str:
    return f"表格列数超过上限：填报表只使用前 {max_columns} 列，请删除右侧多余的内容后重新上传。"


def _sheet_check(max_rows: int, max_columns: int) -> ElementCheck:
    """The rows and columns of one part, as openpyxl would read them."""
    state = {"rows": 0, "row": 0, "cells": 0, "column": 0, "strings": 0}

    def check(namespace: str, local: str, attrs: dict) -> None:
        if namespace not in SHEET_NAMESPACES:
            return  # openpyxl reads cells only in the sheet namespace; the budget still counts
        if local == "row":
            state["rows"] += 1
            ref = attrs.get("r", "")
            state["row"] = int(ref) if ref.isdigit() else state["row"] + 1
            state["cells"] = state["column"] = 0
            if state["rows"] > max_rows:
                raise _Refused(rows_message(max_rows))
        elif local == "c":
            state["cells"] += 1
            match = _CELL_REF.match(attrs.get("r", ""))
            state["column"] = _column_number(match.group(1)) if match else state["column"] + 1
            # A row has at most max_columns cells that matter; twice that allows for
            # formatted empty cells, no more.
            if state["cells"] > 2 * max_columns:
                raise _Refused(columns_message(max_columns))
        elif local in ("v", "is", "f"):
            # A value: it must lie inside the rows and columns a sheet of figures has.
            if state["column"] > max_columns:
                raise _Refused(columns_message(max_columns))
            if state["row"] > max_rows:
                raise _Refused(rows_message(max_rows))
        elif local == "si":
            state["strings"] += 1
            if state["strings"] > max_rows * max_columns:
                raise _Refused("表格中的文字条目过多，超出填报表的容量，已拒绝。")

    return check


def _scan(
    stream, head: bytes, budget: _Budget, limits: OfficeLimits, check: ElementCheck | None
) -> None:
    """One part through expat, each limit counted as it streams and refused at the first one
    exceeded: linear in the part, with memory bounded by a chunk and one element's attributes
    (expat's ordered_attributes keeps no dict of a hostile element's thousand names)."""
    parser = _parser(budget, limits, check)
    # expat holds a start tag whole before it calls `start`: a tag of a hundred attributes of
    # 300,000 characters would be buffered (and its values copied) first. So the bytes since
    # the last ">" are counted as they arrive, and more than any text or tag within the
    # limits could take (4 bytes a character at most) is refused before expat sees them.
    longest = 4 * limits.max_text_chars + _CHUNK
    since_tag_end = 0
    chunk = head
    while chunk:
        last = chunk.rfind(b">")
        if last < 0:
            since_tag_end += len(chunk)
        else:
            if since_tag_end + chunk.find(b">") > longest:
                raise _Refused(limits.too_long_attribute)
            since_tag_end = len(chunk) - last - 1
        if since_tag_end > longest:
            raise _Refused(limits.too_long_attribute)
        parser.Parse(chunk, False)
        chunk = stream.read(_CHUNK)
    parser.Parse(b"", True)


def _parser(budget: _Budget, limits: OfficeLimits, check: ElementCheck | None):
    """An expat parser whose handlers refuse a DTD or an entity, and count the elements, the
    depth, the attributes and the text against `limits` and the file's `budget`."""
    text_chars = [0]
    depth = [0]

    def refuse_dtd(*args):
        raise _Refused("文件包含不允许的 XML 声明（DTD 或实体），已拒绝。")

    def start(name, attrs):
        budget.elements -= 1
        if budget.elements < 0:
            raise _Refused(limits.too_many_elements)
        depth[0] += 1
        if depth[0] > limits.max_depth:
            raise _Refused("文件内部结构嵌套过深，已拒绝。")
        if len(attrs) > limits.max_attributes:
            raise _Refused(limits.too_long_attribute)
        if sum(len(value) for value in attrs.values()) > limits.max_text_chars:
            raise _Refused(limits.too_long_attribute)
        if check is not None:
            namespace, _, local = name.rpartition(" ")
            check(namespace, local, attrs)
        text_chars[0] = 0

    def end(name):
        depth[0] -= 1

    def text(data):
        text_chars[0] += len(data)
        if text_chars[0] > limits.max_text_chars:
            raise _Refused(limits.too_long_text)
        if budget.text is not None:
            budget.text -= len(data)
            if budget.text < 0:
                raise _Refused(limits.too_long_document or limits.too_long_text)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.UnparsedEntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


# --- writing ---------------------------------------------------------------------------------

# What makes Excel, LibreOffice or a CSV reader start a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def set_value(cell, value) -> None:
    """Put `value` in an openpyxl cell; text always stays text.

    openpyxl turns any string starting with "=" into a live formula, so a remark such as
    `=HYPERLINK("http://…"&A2,"点击核对")` would run in the reviewer's Excel. Every string is
    therefore written as a string cell (`data_type = "s"`, an inline string in the file, never
    an `<f>` formula), and one starting with `= + - @`, a tab or a carriage return also gets
    the cell's "quote prefix" style, which tells Excel and LibreOffice to keep it text even
    when someone edits the cell and presses Enter. This is chosen over prefixing the text
    with `'`: the cell holds exactly what the clerk wrote (readable, searchable, and the same
    when the sheet is read back by the portal), and Excel shows the apostrophe only in its
    formula bar, as it does for text typed with one. Numbers, dates and empty cells are
    written unchanged.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def append_row(sheet, values) -> list:
    """`sheet.append(values)` through `set_value`; the cells, to style them."""
    from openpyxl.cell.cell import Cell

    cells = []
    for value in values:
        cell = Cell(sheet)
        set_value(cell, value)
        cells.append(cell)
    sheet.append(cells)
    return cells


def shows_places(cells, places: int | None) -> None:
    """Number cells of a computed indicator show its decimal places (95.0, not 95), as every
    other face prints it (metrics.numbers.plain)."""
    if places:
        for cell in cells:
            cell.number_format = "0." + "0" * places
