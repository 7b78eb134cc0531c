"""Evidence files: checked by content, size-limited, stored under a generated name outside the
web root, served only to those who may see the department's figures."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from metrics import evidence, services
from metrics.models import CommentKind, Evidence, Figure, FigureComment, FigureStatus, Indicator
from tests import factories
from tests.metrics.compound_files import MAGIC, compound_file

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _docx() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("行政复议案件台账")
    document.save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


OFD_MAIN = (
    b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
    b'DocType="OFD" Version="1.0"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
    b"</ofd:DocBody></ofd:OFD>"
)


@pytest.fixture
def indicator(db):
    return Indicator.objects.get(code="biz_review_cases_received")


def _upload(indicator, period, user, data, name="材料.pdf"):
    return services.add_evidence(
        indicator=indicator, period=period, user=user, upload=SimpleUploadedFile(name, data)
    )


def stored_files(media) -> list[str]:
    """Every file under the test's MEDIA_ROOT, relative to it."""
    if not media.exists():
        return []
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def assert_nothing_stored(media, figures_before: int = 0) -> None:
    """A refused upload leaves no Evidence row, no 上传 comment, no new (empty) figure
    and no file on disk."""
    assert not Evidence.objects.exists()
    assert not FigureComment.objects.filter(kind=CommentKind.EVIDENCE).exists()
    assert Figure.objects.count() == figures_before
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("data", "name", "stored_ext", "content_type"),
    [
        (PDF, "台账.pdf", ".pdf", "application/pdf"),
        (PNG, "照片.png", ".png", "image/png"),
        (JPEG, "照片.JPG", ".jpg", "image/jpeg"),
        (_docx(), "说明.docx", ".docx", evidence.DOCX.content_type),
        (_xlsx(), "明细.xlsx", ".xlsx", evidence.XLSX.content_type),
        (compound_file("WordDocument"), "说明.doc", ".doc", "application/msword"),
        (compound_file("WordDocument"), "情况说明.wps", ".wps", evidence.WPS.content_type),
        (compound_file("Workbook"), "明细.xls", ".xls", "application/vnd.ms-excel"),
        (compound_file("Book"), "旧明细.XLS", ".xls", "application/vnd.ms-excel"),
        (
            _zip({"OFD.xml": OFD_MAIN, "Doc_0/Document.xml": b"<x/>"}),
            "决定书.ofd",
            ".ofd",
            "application/ofd",
        ),
        # By content, not by name: a Word 97 file called .xls is stored as the .doc it is.
        (compound_file("WordDocument"), "明细.xls", ".doc", "application/msword"),
    ],
)
def test_accepted_types(data, name, stored_ext, content_type, period, clerk, indicator, media):
    item = _upload(indicator, period, clerk, data, name)
    assert item.content_type == content_type
    assert item.file.name.startswith("evidence/2026/") and item.file.name.endswith(stored_ext)
    assert name.rsplit(".", 1)[0] not in item.file.name  # never the user's name
    assert (media / item.file.name).read_bytes() == data
    assert item.figure.status == FigureStatus.DRAFT and item.figure.value is None
    assert item.figure.comments.get().text.startswith("上传：")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "报告.pdf", "不支持的文件类型"),
        (b"<html><script>alert(1)</script></html>", "a.png", "不支持的文件类型"),
        (b"GIF89a" + b"\x00" * 20, "a.gif", "不支持的文件类型"),
        (_zip({"readme.txt": b"hello"}), "a.docx", "不支持的文件类型"),
        (_zip({"[Content_Types].xml": b"<Types/>", "x.xml": b"1"}), "a.xlsx", "不支持的文件类型"),
        (b"PK\x03\x04broken", "a.docx", "已损坏"),
        # The old Office wrapping holding something else (a PowerPoint, an installer).
        (compound_file("PowerPoint Document"), "a.doc", "不支持的文件类型"),
        (compound_file("MsiDigitalSignatureEx"), "a.xls", "不支持的文件类型"),
        (MAGIC + b"\x00" * 600, "a.doc", "已损坏"),
        (compound_file("WordDocument")[:700], "a.wps", "已损坏"),
        (_zip({"OFD.xml": b"<ofd:OFD/>"}), "a.ofd", "不支持的文件类型"),
        (b"", "empty.pdf", "空"),
    ],
)
def test_refused_by_content(data, name, message, period, clerk, indicator, media):
    with pytest.raises(ValidationError, match=message):
        _upload(indicator, period, clerk, data, name)
    assert_nothing_stored(media)


def test_zip_bomb_is_refused(period, clerk, indicator, media):
    bomb = _zip(
        {
            "[Content_Types].xml": b"wordprocessingml.document.main+xml",
            "word/document.xml": b"0" * (50 * 1024 * 1024),
        }
    )
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ValidationError, match="压缩炸弹"):
        _upload(indicator, period, clerk, bomb, "a.docx")
    assert_nothing_stored(media)


def test_size_limit(period, clerk, indicator, media, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_EVIDENCE_BYTES", 1024)
    with pytest.raises(ValidationError, match="文件过大"):
        _upload(indicator, period, clerk, PDF + b"0" * 2000)
    assert_nothing_stored(media)


def _pdf_of(size: int) -> bytes:
    """A PDF of exactly ``size`` bytes (blank lines before its end)."""
    end = b"%%EOF\n"
    head = PDF[: -len(end)]
    return head + b"\n" * (size - len(head) - len(end)) + end


def test_size_limit_is_ten_megabytes(period, clerk, indicator, media):
    ten_mb = 10 * 1024 * 1024
    with pytest.raises(ValidationError, match="文件过大：单个文件不能超过 10 MB"):
        _upload(indicator, period, clerk, _pdf_of(ten_mb + 1))
    assert_nothing_stored(media)

    stored = _upload(indicator, period, clerk, _pdf_of(ten_mb))
    assert stored.file.size == ten_mb
    assert len(stored_files(media)) == 1


def test_display_name_is_safe():
    assert evidence.display_name("../../etc/passwd.pdf", evidence.PDF) == "passwd.pdf"
    assert evidence.display_name("C:\\Users\\张三\\台账.PDF", evidence.PDF) == "台账.pdf"
    assert evidence.display_name('a<b>"c.png', evidence.PNG) == "a_b_c.png"
    assert evidence.display_name("", evidence.PDF) == "佐证材料.pdf"
    assert evidence.display_name("photo.pdf", evidence.JPEG) == "photo.jpg"


def test_only_the_departments_clerk_uploads(period, indicator, media, reviewer, gaj_clerk):
    for user in (reviewer, gaj_clerk):
        with pytest.raises(PermissionDenied, match="不能为区司法局的数据上传佐证材料"):
            _upload(indicator, period, user, PDF)
    assert_nothing_stored(media)


def test_no_uploads_to_submitted_figures_or_locked_periods(period, clerk, indicator, media):
    services.save_figure(indicator=indicator, period=period, value=Decimal(3), user=clerk)
    Figure.objects.update(status=FigureStatus.SUBMITTED)
    with pytest.raises(ValidationError, match="已报送"):
        _upload(indicator, period, clerk, PDF)
    locked = factories.period("2025", locked=True)
    with pytest.raises(ValidationError, match="已锁定"):
        _upload(indicator, locked, clerk, PDF)
    assert_nothing_stored(media, figures_before=1)
    assert Figure.objects.get().status == FigureStatus.SUBMITTED


def test_file_is_removed_when_the_rows_cannot_be_saved(
    period, clerk, indicator, media, monkeypatch
):
    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(FigureComment.objects, "create", fail)
    with pytest.raises(DatabaseError):
        _upload(indicator, period, clerk, PDF)
    assert_nothing_stored(media)


def test_delete_removes_the_file_and_is_recorded(
    period, clerk, indicator, media, django_capture_on_commit_callbacks
):
    item = _upload(indicator, period, clerk, PDF)
    path = media / item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_evidence(item=item, user=clerk)
    assert not path.exists()
    assert [c.text for c in item.figure.comments.all()] == ["上传：材料.pdf", "删除：材料.pdf"]


def test_download_only_for_users_who_see_the_department(
    client, period, clerk, reviewer, leader, gaj_clerk, indicator, media
):
    item = _upload(indicator, period, clerk, PDF, "../台账.pdf")
    url = f"/evidence/{item.pk}/"
    for user in (clerk, reviewer, leader):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "%E5%8F%B0%E8%B4%A6.pdf" in response["Content-Disposition"]  # 台账.pdf
    client.force_login(gaj_clerk)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    assert client.get("/media/" + item.file.name).status_code == 404  # not in the web root


def test_upload_and_delete_through_the_figure_page(client, period, clerk, gaj_clerk, media):
    client.force_login(clerk)
    page = "/figures/2026/biz_review_cases_received/"
    response = client.post(page + "evidence/", {"file": SimpleUploadedFile("x.pdf", PDF)})
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert "x.pdf" in client.get(page).content.decode()
    assert stored_files(media) == [item.file.name]
    response = client.post(page + "evidence/", {"file": SimpleUploadedFile("x.pdf", b"MZ..")})
    assert "不支持的文件类型" in client.get(page).content.decode()
    assert Evidence.objects.get() == item
    assert stored_files(media) == [item.file.name]
    client.force_login(gaj_clerk)
    assert client.post(f"/evidence/{item.pk}/delete/").status_code == 403
    assert (
        client.post(page + "evidence/", {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code
        == 403
    )
    assert Evidence.objects.get() == item
    assert stored_files(media) == [item.file.name]


@pytest.mark.parametrize("stream", ["WordDocument", "Workbook"])
def test_a_damaged_compound_file_is_refused_in_chinese_whatever_the_damage(stream):
    """Every cut and every flipped byte of the directory: a Chinese refusal or the kind the
    content is, never an exception of the reader's own."""
    whole = compound_file(stream)
    damaged = [whole[:cut] for cut in range(8, len(whole), 61)]
    for offset in range(512, 1536, 7):  # the FAT and the directory sectors
        flipped = bytearray(whole)
        flipped[offset] ^= 0xFF
        damaged.append(bytes(flipped))
    for data in damaged:
        try:
            kind = evidence.sniff(data, "x.doc")
        except ValidationError as exc:
            assert re.search(r"[\u4e00-\u9fff]", exc.messages[0])
        else:
            assert kind in (evidence.DOC, evidence.XLS)
