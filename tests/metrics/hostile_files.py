"""Crafted .xlsx and .csv files that once tied up the server, and a normal sheet to compare.

Built by hand (zip + XML) because openpyxl would not write them; used by
tests/metrics/test_hostile_sheets.py and bench/bench_hostile_files.py.
"""

import io
import random
import zipfile

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="{MAIN_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_EMPTY_STRINGS = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}"/>'


def xlsx(
    sheet_xml, *, shared_strings: str | bytes = _EMPTY_STRINGS, sheet_data=None, dilute=False
) -> bytes:
    """A minimal workbook of one sheet. `sheet_xml` is the whole part, or `sheet_data` the
    inside of <sheetData> (str or an iterable of byte chunks, for large parts). `dilute` adds an
    incompressible "image" so that the whole file unpacks to at most 50 times its size: what
    an attacker does to slip under a compression-ratio check."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
        if sheet_data is None:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        else:
            with archive.open("xl/worksheets/sheet1.xml", "w") as part:
                part.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}">'.encode())
                part.write((sheet_xml or "").encode())
                part.write(b"<sheetData>")
                for chunk in [sheet_data] if isinstance(sheet_data, str) else sheet_data:
                    part.write(chunk.encode() if isinstance(chunk, str) else chunk)
                part.write(b"</sheetData></worksheet>")
        if dilute:
            entries = archive.infolist()
            unpacked = sum(e.file_size for e in entries)
            packed = sum(e.compress_size for e in entries)
            padding = max(0, unpacked // 50 - packed)
            archive.writestr(
                zipfile.ZipInfo("xl/media/image1.png"), random.Random(1).randbytes(padding)
            )
    return buffer.getvalue()


def _text(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _figure_row(line, code, value):
    return f'<row r="{line}">{_text(f"A{line}", code)}<c r="B{line}"><v>{value}</v></c></row>'


HEADER = f'<row r="1">{_text("A1", "code")}{_text("B1", "value")}</row>'


def huge_dimension_claim(*, dilute=False) -> bytes:
    """Claims A1:XFD1048576 and has a value in its last cell: openpyxl padded every row to
    16,384 columns and filled a million rows in between."""
    return xlsx(
        '<dimension ref="A1:XFD1048576"/>',
        sheet_data=HEADER
        + _figure_row(2, "biz_inhouse_counsel", 3)
        + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        dilute=dilute,
    )


def dimension_claim_only() -> bytes:
    """The same claim over a normal two-row sheet: nothing hostile once the claim is ignored."""
    return xlsx(
        '<dimension ref="A1:XFD1048576"/>',
        sheet_data=HEADER + _figure_row(2, "biz_inhouse_counsel", 3),
    )


def sparse_rows(count=150_000, step=5, dilute=False) -> bytes:
    """Many rows, far apart: each gap became empty rows, each padded to the sheet's width."""
    rows = (f'<row r="{n * step}"><c r="A{n * step}"><v>{n}</v></c></row>' for n in range(1, count))
    return xlsx('<dimension ref="A1:Z1000000"/>', sheet_data=rows, dilute=dilute)


def many_empty_rows(count=500_000, dilute=False) -> bytes:
    return xlsx(None, sheet_data=(f'<row r="{n}"/>' for n in range(1, count)), dilute=dilute)


def wide_rows(rows=20, columns=16_384, dilute=False) -> bytes:
    """Rows of 16,384 cells each."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, columns + 1)]

    def chunks():
        for r in range(1, rows + 1):
            yield f'<row r="{r}">' + "".join(f'<c r="{x}{r}"><v>1</v></c>' for x in letters)
            yield "</row>"

    return xlsx(None, sheet_data=chunks(), dilute=dilute)


def zip_bomb(megabytes=50, dilute=False) -> bytes:
    """A sheet part that unpacks to `megabytes` of whitespace (about 1,000 times its size)."""
    block = b" " * (1024 * 1024)
    return xlsx(None, sheet_data=[HEADER.encode(), *([block] * megabytes)], dilute=dilute)


def billion_laughs(*, dilute=False) -> bytes:
    """The classic entity expansion, in the shared-strings part openpyxl reads first."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return xlsx(
        None,
        shared_strings=strings,
        sheet_data='<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        dilute=dilute,
    )


def external_entity(path="/etc/passwd", dilute=False) -> bytes:
    """XXE: an entity naming a file on the server, in a cell's text."""
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file://{path}">]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
        f'<row r="1">{_text("A1", "code")}</row>'
        f'<row r="2">{_text("A2", "&x;")}<c r="B2"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx(sheet, dilute=dilute)


def many_shared_strings(count=500_000, dilute=False) -> bytes:
    strings = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}">' + "<si><t>x</t></si>" * count
    return xlsx(None, shared_strings=strings + "</sst>", sheet_data=HEADER, dilute=dilute)


def normal_sheet(codes, *, remark="含撤回 2 起") -> bytes:
    """A legitimate code,value,remark sheet with one row per code (inline strings)."""
    rows = [HEADER] + [
        f'<row r="{n}">{_text(f"A{n}", code)}<c r="B{n}"><v>{n}</v></c>{_text(f"C{n}", remark)}</row>'
        for n, code in enumerate(codes, start=2)
    ]
    return xlsx(None, sheet_data="".join(rows))


HOSTILE_XLSX = {
    "huge dimension claim": huge_dimension_claim,
    "many sparse rows": sparse_rows,
    "500,000 empty rows": many_empty_rows,
    "wide rows (20 × 16,384 cells)": wide_rows,
    "zip bomb (50 MB inside)": zip_bomb,
    "billion laughs": billion_laughs,
    "external entity (XXE)": external_entity,
    "500,000 shared strings": many_shared_strings,
}

HOSTILE_CSV = {
    "csv: a million blank lines": lambda: b"code,value\n" + b"\n" * 1_000_000,
    "csv: one 4 MB line": lambda: b"code,value\n" + b"x" * (4 * 1024 * 1024) + b"\n",
    "csv: 5,000 columns": lambda: b"code,value\n" + b",".join([b"1"] * 5_000) + b"\n",
    "csv: NUL bytes": lambda: b"code,value\nbiz_inhouse_counsel,3\x00\n",
}
