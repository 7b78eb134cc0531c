"""The OFD beside the PDF and Word: every role that may download the PDF gets the OFD, on
the web pages and through the API; the others are refused the same way."""

import io
import zipfile

import pytest
from rest_framework.test import APIClient

from accounts.demo import DEMO_PASSWORD
from metrics.models import User
from reports.models import ReportJob
from tests import factories


@pytest.fixture
def built_job(eager_tasks, leader_client, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        leader_client.post("/reports/", {"period": "2025", "kind": "final"})
    job = ReportJob.objects.get()
    assert job.status == "succeeded"
    return job


def _is_ofd(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "OFD.xml" in package.namelist() and "Doc_0/Document.xml" in package.namelist()


def test_a_build_writes_the_ofd_and_the_leader_downloads_it_beside_pdf_and_word(
    built_job, leader_client
):
    page = leader_client.get(f"/reports/jobs/{built_job.pk}/").content.decode()
    assert "下载 PDF" in page and "下载 Word" in page and "下载 OFD" in page
    assert built_job.ofd.name.endswith(".ofd") and built_job.ofd_size and built_job.ofd_sha256
    response = leader_client.get(f"/reports/jobs/{built_job.pk}/download/ofd/")
    assert response.status_code == 200
    assert (
        "attachment" in response["Content-Disposition"]
        and ".ofd" in response["Content-Disposition"]
    )
    data = b"".join(response.streaming_content)
    assert _is_ofd(data) and len(data) == built_job.ofd_size


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("leader", True), ("reviewer", True), ("clerk_sfj", False)],
)
def test_web_download_follows_the_pdf_download(built_job, client, username, allowed):
    assert client.login(username=username, password=DEMO_PASSWORD)
    pdf = client.get(f"/reports/jobs/{built_job.pk}/download/pdf/")
    ofd = client.get(f"/reports/jobs/{built_job.pk}/download/ofd/")
    assert ofd.status_code == pdf.status_code == (200 if allowed else 403)
    if allowed:
        assert _is_ofd(b"".join(ofd.streaming_content))


def test_anonymous_web_download_goes_to_login(built_job, client):
    client.logout()  # the leader built the job with this client
    response = client.get(f"/reports/jobs/{built_job.pk}/download/ofd/")
    assert response.status_code == 302 and "login" in response["Location"]


def _api(username: str | None) -> APIClient:
    client = APIClient()
    if username:
        user = User.objects.get(username=username)
        client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")
    return client


@pytest.mark.parametrize(
    ("username", "expected"),
    [("leader", 200), ("reviewer", 200), ("clerk_sfj", 403), (None, 401)],
)
def test_api_download_follows_the_pdf_download(built_job, username, expected):
    client = _api(username)
    pdf = client.get(f"/api/v1/reports/{built_job.pk}/pdf/")
    ofd = client.get(f"/api/v1/reports/{built_job.pk}/ofd/")
    assert ofd.status_code == pdf.status_code == expected
    if expected == 200:
        assert ofd["Content-Type"] == "application/ofd"
        assert _is_ofd(b"".join(ofd.streaming_content))
        detail = client.get(f"/api/v1/reports/{built_job.pk}/").json()
        assert detail["ofd_url"] == f"/api/v1/reports/{built_job.pk}/ofd/"
        assert detail["ofd_size"] == built_job.ofd_size


def test_api_refuses_an_unfinished_job_with_a_stable_code(leader_user, demo_data):
    from metrics.models import ReportingPeriod
    from reports import services

    job = services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"), kind="final", user=leader_user
    )
    response = _api("leader").get(f"/api/v1/reports/{job.pk}/ofd/")
    assert response.status_code == 404 and response.json()["code"] == "not_ready"


def test_build_report_writes_the_ofd_where_asked(demo_data, media, tmp_path):
    from django.core.management import call_command

    pdf, ofd = tmp_path / "speech.pdf", tmp_path / "speech.ofd"
    call_command("build_report", period="2025", output=str(pdf), ofd=str(ofd), stdout=io.StringIO())
    job = ReportJob.objects.get()
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _is_ofd(ofd.read_bytes()) and ofd.stat().st_size == job.ofd_size


def test_a_job_built_before_the_ofd_has_no_ofd_link_and_a_clear_refusal(built_job, leader_client):
    ReportJob.objects.filter(pk=built_job.pk).update(ofd="", ofd_size=None, ofd_sha256="")
    page = leader_client.get(f"/reports/jobs/{built_job.pk}/").content.decode()
    assert "下载 PDF" in page and "下载 OFD" not in page
    assert leader_client.get(f"/reports/jobs/{built_job.pk}/download/ofd/").status_code == 404
    response = _api("leader").get(f"/api/v1/reports/{built_job.pk}/ofd/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    detail = _api("leader").get(f"/api/v1/reports/{built_job.pk}/").json()
    assert detail["ofd_url"] is None and detail["pdf_url"]
