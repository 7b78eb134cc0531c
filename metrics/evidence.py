"""Checking uploaded evidence (佐证材料) by its content, never by its name."""

import hashlib
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import olefile
from django.core.exceptions import ValidationError

from lawgov.spreadsheets import open_archive

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# An Office file is a zip; these bound what it may unpack to (zip bombs).
MAX_CONTENT_TYPES_XML = 1024 * 1024

ACCEPTED_LABEL = (
    "PDF、OFD、PNG、JPG 图片、Word（.docx、.doc）、WPS 文字（.wps）或 Excel（.xlsx、.xls）"
)
# The file input's accept list on the figure page (templates/metrics/figure.html).
ACCEPTED_EXTENSIONS = ".pdf,.ofd,.png,.jpg,.jpeg,.docx,.doc,.wps,.xlsx,.xls"
# An OLE2 compound file (the Office 97–2003 formats and WPS 文字) starts with these bytes.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str
    inline: bool  # safe to show in the browser rather than download


PDF = FileKind(".pdf", "application/pdf", "PDF", True)
PNG = FileKind(".png", "image/png", "PNG 图片", True)
JPEG = FileKind(".jpg", "image/jpeg", "JPG 图片", True)
DOCX = FileKind(
    ".docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word 文档",
    False,
)
XLSX = FileKind(
    ".xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel 表格",
    False,
)

# The formats before Office 2007, and WPS 文字 (which writes a Word 97 document: the same
# WordDocument stream; told apart from .doc by the name the clerk gave it).
DOC = FileKind(".doc", "application/msword", "Word 文档", False)
WPS = FileKind(".wps", "application/vnd.ms-works", "WPS 文字文档", False)
XLS = FileKind(".xls", "application/vnd.ms-excel", "Excel 表格", False)
# OFD (GB/T 33190-2016, the Chinese fixed-layout format): a zip whose root holds OFD.xml.
OFD = FileKind(".ofd", "application/ofd", "OFD 版式文件", False)
MAX_OLE_DIRECTORY_ENTRIES = 10000

_OFFICE = {
    DOCX: ("word/document.xml", b"wordprocessingml.document.main+xml"),
    XLSX: ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
}


def sniff(data: bytes, name: str = "") -> FileKind:
    """What the bytes are, or a ValidationError in Chinese. `name`, the name the file came
    with, only tells a WPS 文字 document from a Word 97 one: both are the same content."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    if data.startswith(OLE2_MAGIC):
        return _compound_kind(data, name)
    raise ValidationError(f"不支持的文件类型：只能上传{ACCEPTED_LABEL}。")


def _compound_kind(data: bytes, name: str) -> FileKind:
    """A .doc/.wps (a WordDocument stream) or an .xls (a Workbook or Book stream), read from
    the compound file's directory; anything else in that wrapping (an .msi, a .ppt, a damaged
    file) is refused."""
    try:
        ole = olefile.OleFileIO(data)
        try:
            streams = ole.listdir(streams=True, storages=False)
        finally:
            ole.close()
    except Exception:  # olefile raises many kinds on a damaged file; each means the same
        raise ValidationError("文件已损坏，无法识别为 Word、WPS 或 Excel 文件。") from None
    if len(streams) > MAX_OLE_DIRECTORY_ENTRIES:
        raise ValidationError("文件内部结构异常（条目过多），已拒绝。")
    top = {path[0] for path in streams if len(path) == 1}
    if "WordDocument" in top:
        return WPS if PurePath(name or "").suffix.lower() == ".wps" else DOC
    if "Workbook" in top or "Book" in top:
        return XLS
    raise ValidationError(f"不支持的文件类型：只能上传{ACCEPTED_LABEL}。")


def _office_kind(data: bytes) -> FileKind:
    archive = open_archive(data)
    entries = archive.infolist()
    names = {e.filename: e for e in entries}
    if "OFD.xml" in names:
        return _ofd_kind(archive, names["OFD.xml"])
    types = names.get("[Content_Types].xml")
    if types is None or types.file_size > MAX_CONTENT_TYPES_XML:
        raise ValidationError(f"不支持的文件类型：只能上传{ACCEPTED_LABEL}。")
    try:
        content_types = archive.read(types)
    except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError):
        raise ValidationError("文件已损坏，无法识别为 Word 或 Excel 文件。") from None
    for kind, (part, marker) in _OFFICE.items():
        if part in names and marker in content_types:
            return kind
    raise ValidationError(f"不支持的文件类型：只能上传{ACCEPTED_LABEL}。")


def _ofd_kind(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> FileKind:
    """An OFD file: its entry file OFD.xml names the document body (ofd:DocBody)."""
    if entry.file_size > MAX_CONTENT_TYPES_XML:
        raise ValidationError(f"不支持的文件类型：只能上传{ACCEPTED_LABEL}。")
    try:
        main = archive.read(entry)
    except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError):
        raise ValidationError("文件已损坏，无法识别为 OFD 文件。") from None
    if b"DocBody" not in main:
        raise ValidationError(f"不支持的文件类型：只能上传{ACCEPTED_LABEL}。")
    return OFD


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, refusing anything over the size limit before reading it."""
    limit_mb = MAX_EVIDENCE_BYTES // (1024 * 1024)
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(f"文件过大：单个文件不能超过 {limit_mb} MB。")
    chunks, size = [], 0
    for chunk in upload.chunks():
        size += len(chunk)
        if size > MAX_EVIDENCE_BYTES:
            raise ValidationError(f"文件过大：单个文件不能超过 {limit_mb} MB。")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise ValidationError("文件是空的。")
    return data


_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")


def display_name(client_name: str, kind: FileKind) -> str:
    """A name to show and to offer on download: the base name only, no control or path
    characters, the extension the content really has."""
    base = PurePath((client_name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    stem = _UNSAFE.sub("_", PurePath(base).stem).strip(" ._") or "佐证材料"
    return f"{stem[:100]}{kind.extension}"


def stored_name(kind: FileKind, *, period_code: str) -> str:
    """Where the file goes under MEDIA_ROOT: generated, never derived from the user's name."""
    return f"{period_code}/{uuid.uuid4().hex}{kind.extension}"  # upload_to adds evidence/


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
