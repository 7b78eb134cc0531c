"""A generator of hostile Office files (.docx and .xlsx): each kind of damage the portal's
readers have met, applied to a normal file, so that every upload of either kind can be tried
with all of them (tests/reports/importing/test_hostile_documents.py,
tests/metrics/test_hostile_office_sheets.py).

Each case is (name, bytes, words the refusal must contain). The files are built by hand (zip +
XML) because no writer would produce them."""

import io
import os
import struct
import zipfile
import zlib

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="png" ContentType="image/png"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
_DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>'
    "</Relationships>"
)


def tiny_png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def document_xml(body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}">'
        f"<w:body>{body}</w:body></w:document>"
    )


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


NORMAL_BODY = paragraph("关于法治政府建设情况的报告") + paragraph("一、全年受理行政复议案件45件。")


def package(members, *, encrypted=(), stored=()) -> bytes:
    """A zip of (name, bytes or str) in order; names in `encrypted` flagged as encrypted (their
    bytes left plain: a reader asks for a password all the same), those in `stored` not
    compressed. Duplicate names are kept."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            if isinstance(data, str):
                data = data.encode()
            archive.writestr(info, data)
    data = buffer.getvalue()
    for name in encrypted:
        data = _flag_encrypted(data, name)
    return data


def _flag_encrypted(data: bytes, name: str) -> bytes:
    """Set the "encrypted" bit of member `name` in its local header and in the directory
    (zipfile clears it when writing)."""
    raw = bytearray(data)
    encoded = name.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        offsets = [i.header_offset for i in archive.infolist() if i.filename == name]
    for offset in offsets:
        raw[offset + 6] |= 0x1
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack("<H", raw[at + 28 : at + 30])[0]
        if raw[at + 46 : at + 46 + length] == encoded:
            raw[at + 8] |= 0x1
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


def docx(body: str | bytes = NORMAL_BODY, *, extra=(), dilute=False, **options) -> bytes:
    """A .docx whose document.xml holds `body`. `dilute` adds incompressible noise so that
    the whole file unpacks to at most 50 times its size: what an attacker does to slip under
    the compression-ratio check and reach the XML checks."""
    document = document_xml(body) if isinstance(body, str) else body
    if dilute:
        extra = [*extra, ("word/media/noise.bin", os.urandom(len(document) // 50 + 1))]
    members = [
        ("[Content_Types].xml", _DOCX_TYPES),
        ("_rels/.rels", _DOCX_RELS),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", _DOCUMENT_RELS),
        ("word/media/image1.png", tiny_png()),
        *extra,
    ]
    return package(members, **options)


def with_bad_crc(data: bytes, marker: bytes) -> bytes:
    """`data` with one byte of the stored member holding `marker` changed after the CRC was
    written: the reader that copies that member out fails its check."""
    at = data.index(marker) + len(marker) - 1
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def _picture_with_bad_crc() -> bytes:
    marker = b"IEND"
    data = docx(stored=("word/media/image1.png",))
    return with_bad_crc(data, marker)


def deep(levels: int) -> str:
    return (
        "<w:p>" + "<w:sdt><w:sdtContent>" * levels + "</w:sdtContent></w:sdt>" * levels + "</w:p>"
    )


def hostile_docx_cases():
    """(name, bytes, words the refusal must contain) for each kind of hostile .docx."""
    many = "".join(paragraph("段") for _ in range(100_000))
    attributes = " ".join(f'w:a{i}="{"x" * 299_000}"' for i in range(150))
    # 48 MB of text that does not compress (hex of random bytes), so no zip check stops it.
    huge_text = os.urandom(24 * 1024 * 1024).hex()
    return [
        ("nesting deeper than 256", docx(deep(300)), "嵌套过深"),
        ("a part that is not XML", docx(b"this is not XML at all"), "无法读取该 Word 文件"),
        ("an encrypted member", docx(encrypted=("word/document.xml",)), "加密"),
        ("a picture with a bad CRC", _picture_with_bad_crc(), "无法读取该 Word 文件"),
        (
            "a duplicate document.xml",
            docx(extra=[("word/document.xml", document_xml(paragraph("第二份")))]),
            "重名",
        ),
        ("100,000 paragraphs", docx(many, dilute=True), "段落过多"),
        (
            "150 attributes of 299k characters",
            docx(f"<w:p {attributes}><w:r><w:t>x</w:t></w:r></w:p>", dilute=True),
            "过长的内容",
        ),
        ("a 48 MB paragraph", docx(paragraph(huge_text)), "过长"),
    ]


# --- .xlsx --------------------------------------------------------------------------------


def rebuilt(data: bytes, *, replace=None, extra=(), dilute=False, **options) -> bytes:
    """A copy of the zip `data` with members replaced by name, more appended (`dilute`: with
    incompressible noise, as for ``docx``)."""
    replace = replace or {}
    if dilute:
        size = sum(len(v) for v in replace.values())
        extra = [*extra, ("xl/media/noise.bin", os.urandom(size // 50 + 1))]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [
            (i.filename, replace.get(i.filename, archive.read(i))) for i in archive.infolist()
        ]
    return package([*members, *extra], **options)


def hostile_xlsx_cases(normal: bytes, sheet="xl/worksheets/sheet1.xml"):
    """(name, bytes, words the refusal must contain) for each kind of hostile .xlsx, made from
    the `normal` workbook (its first sheet stored at `sheet`)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    deep_sheet = (
        f'<worksheet xmlns="{ns}"><sheetData>'
        + "<x>" * 300
        + "</x>" * 300
        + "</sheetData></worksheet>"
    )
    attributes = " ".join(f'a{i}="{"x" * 30_000}"' for i in range(150))
    picture = tiny_png()
    return [
        ("nesting deeper than 256", rebuilt(normal, replace={sheet: deep_sheet}), "嵌套过深"),
        ("a part that is not XML", rebuilt(normal, replace={sheet: b"not XML"}), "无法读取"),
        ("an encrypted member", rebuilt(normal, encrypted=(sheet,)), "加密"),
        (
            "a picture with a bad CRC",
            with_bad_crc(
                rebuilt(
                    normal,
                    extra=[("xl/media/image1.png", picture)],
                    stored=("xl/media/image1.png",),
                ),
                b"IEND",
            ),
            "无法读取",
        ),
        ("a duplicate sheet", rebuilt(normal, extra=[(sheet, deep_sheet)]), "重名"),
        (
            "150 attributes of 30k characters",
            rebuilt(
                normal,
                replace={sheet: f'<worksheet xmlns="{ns}" {attributes}><sheetData/></worksheet>'},
                dilute=True,
            ),
            "过长的内容",
        ),
    ]
