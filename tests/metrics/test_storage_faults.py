"""A full or read-only file store during an evidence upload: the API answers 503
storage_unavailable, the web a Chinese page, and nothing stays behind (no row, no new empty
figure, no partial file)."""

import errno
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.demo import DEMO_PASSWORD
from metrics import services
from metrics.models import Evidence, Figure, Indicator, ReportingPeriod, User
from tests import factories
from tests.api.conftest import token_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"%" * 4096
COUNT = "biz_inhouse_counsel"  # 区司法局's; no figure yet in the open period 2027


def refusing_store(monkeypatch, code=errno.ENOSPC):
    """The store writes part of the file, then the disk is full (or the directory read-only)."""

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as half:
            half.write(content.read()[: content.size // 2])
        raise OSError(code, "No space left on device" if code == errno.ENOSPC else "Denied")

    monkeypatch.setattr(FileSystemStorage, "_save", _save)


def files_under(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


@pytest.fixture
def setting(demo_data, media):
    factories.period("2027")
    clerk = User.objects.get(username="clerk_sfj")
    figures = Figure.objects.count()
    return clerk, figures


def _nothing_stored(media, figures):
    assert not Evidence.objects.exists()
    assert Figure.objects.count() == figures
    assert files_under(media) == []  # neither the file nor a half of it under another name


def test_the_api_answers_503_storage_unavailable_and_keeps_nothing(setting, media, monkeypatch):
    clerk, figures = setting
    refusing_store(monkeypatch)
    response = token_client(clerk).post(
        "/api/v1/evidence/",
        {"period": "2027", "indicator": COUNT, "file": SimpleUploadedFile("台账.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": "storage_unavailable",
        "message": "存储空间不足，文件未能保存，请联系管理员。",
    }
    _nothing_stored(media, figures)


def test_a_read_only_store_says_so(setting, media, monkeypatch):
    clerk, figures = setting
    refusing_store(monkeypatch, errno.EACCES)
    response = token_client(clerk).post(
        "/api/v1/evidence/",
        {"period": "2027", "indicator": COUNT, "file": SimpleUploadedFile("台账.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert "无写入权限" in response.json()["message"]
    _nothing_stored(media, figures)


def test_the_web_upload_shows_a_chinese_page_without_a_trace(setting, media, monkeypatch):
    clerk, figures = setting
    client = Client(raise_request_exception=False)
    assert client.login(username=clerk.username, password=DEMO_PASSWORD)
    refusing_store(monkeypatch)
    response = client.post(
        f"/figures/2027/{COUNT}/evidence/", {"file": SimpleUploadedFile("台账.pdf", PDF)}
    )
    assert response.status_code == 503
    page = response.content.decode()
    assert "存储空间不足，文件未能保存，请联系管理员。" in page
    assert 'href="/"' in page and "返回首页" in page
    for leak in ("Traceback", "OSError", "No space left", "Errno"):
        assert leak not in page
    _nothing_stored(media, figures)


def test_a_failure_after_the_file_was_written_removes_it(setting, media, monkeypatch):
    """The rows fail once the file is complete on disk: the file goes again."""
    from django.db import DatabaseError

    clerk, figures = setting

    def failing_comment(*args, **kwargs):
        raise DatabaseError("the comment could not be written")

    monkeypatch.setattr("metrics.services.evidence.FigureComment.objects.create", failing_comment)
    with pytest.raises(DatabaseError):
        services.add_evidence(
            indicator=Indicator.objects.get(code=COUNT),
            period=ReportingPeriod.objects.get(code="2027"),
            upload=SimpleUploadedFile("台账.pdf", PDF),
            user=clerk,
        )
    _nothing_stored(media, figures)


def test_once_there_is_room_again_the_upload_is_stored_whole(setting, media, monkeypatch):
    clerk, _ = setting
    api = token_client(clerk)

    def upload():
        return api.post(
            "/api/v1/evidence/",
            {"period": "2027", "indicator": COUNT, "file": SimpleUploadedFile("台账.pdf", PDF)},
            format="multipart",
        )

    with monkeypatch.context() as full_disk:
        refusing_store(full_disk)
        assert upload().status_code == 503
    assert upload().status_code == 201
    item = Evidence.objects.get()
    assert files_under(media) == [item.file.name]
    assert (media / item.file.name).read_bytes() == PDF
