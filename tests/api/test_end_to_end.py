"""Done-when of issue 6: a script outside the portal, with tokens only, pushes a department's
figures, submits them, has a reviewer approve them, requests the final report and downloads
the PDF."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from accounts.demo import FIGURES_2025
from metrics import services
from metrics.models import Department, Figure, FigureStatus, Indicator, User
from reports.models import JobStatus, ReportJob
from tests import factories

from .conftest import token_client

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "api-example.py"


def test_push_submit_approve_and_download_the_final_report(
    users, sfj, media, eager_tasks, django_capture_on_commit_callbacks
):
    period = factories.period("2027")
    # Every other department has its 2027 figures approved already.
    others = Indicator.objects.entered().exclude(department=sfj)
    services.import_figures(
        period=period,
        rows=[
            services.FigureRow(line=n, code=i.code, value=FIGURES_2025[i.code])
            for n, i in enumerate(others, start=1)
        ],
        approve=True,
        source="测试准备",
        user=factories.command_line(),
    )
    clerk = token_client(users["clerk_own"])
    reviewer = token_client(users["reviewer"])

    codes = list(Indicator.objects.entered().filter(department=sfj).values_list("code", flat=True))
    pushed = clerk.post(
        "/api/v1/figures/bulk/",
        {
            "period": "2027",
            "department": "sfj",
            "figures": [
                {"code": c, "value": str(FIGURES_2025[c]), "remark": "接口"} for c in codes
            ],
        },
        format="json",
    )
    assert pushed.status_code == 200, pushed.json()
    assert pushed.json()["count"] == len(codes)
    assert {f["status"] for f in pushed.json()["figures"]} == {"draft"}

    submitted = clerk.post("/api/v1/periods/2027/departments/sfj/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["count"] == len(codes)

    approved = reviewer.post("/api/v1/periods/2027/departments/sfj/approve/", {}, format="json")
    assert approved.status_code == 200, approved.json()
    assert not Figure.objects.filter(period=period).exclude(status=FigureStatus.APPROVED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        requested = reviewer.post(
            "/api/v1/reports/", {"period": "2027", "kind": "final"}, format="json"
        )
    assert requested.status_code == 202, requested.json()
    job = ReportJob.objects.get()
    body = requested.json()
    assert body["id"] == job.pk and body["url"] == f"/api/v1/reports/{job.pk}/"
    assert requested["Location"].endswith(body["url"])

    status = reviewer.get(body["url"]).json()
    assert status["status"] == JobStatus.SUCCEEDED, status
    pdf = reviewer.get(status["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    docx = reviewer.get(f"/api/v1/reports/{job.pk}/docx/")
    assert b"".join(docx.streaming_content).startswith(b"PK")


def test_final_report_refused_while_figures_are_missing(users, p2026):
    leader = token_client(users["leader"])
    response = leader.post("/api/v1/reports/", {"period": "2026", "kind": "final"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "report_not_ready" and body["gaps"]
    assert {"code", "name", "department", "status", "value"} <= set(body["gaps"][0])
    assert not ReportJob.objects.exists()


def test_download_is_not_ready_until_the_job_succeeded(users, p2026):
    reviewer = token_client(users["reviewer"])
    response = reviewer.post("/api/v1/reports/", {"period": "2026"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job_id = response.json()["id"]
    for fmt in ("pdf", "docx"):
        refused = reviewer.get(f"/api/v1/reports/{job_id}/{fmt}/")
        assert refused.status_code == 404 and refused.json()["code"] == "not_ready"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_documented_example_script_against_a_live_server(
    live_server, eager_tasks, media, tmp_path, monkeypatch
):
    """docs/api-example.py (urllib only), run as another system would run it."""
    from accounts import demo

    demo.seed_demo()
    sfj = Department.objects.get(code="sfj")
    period = factories.period("2027")
    others = Indicator.objects.entered().exclude(department=sfj)
    services.import_figures(
        period=period,
        rows=[
            services.FigureRow(line=n, code=i.code, value=FIGURES_2025[i.code])
            for n, i in enumerate(others, start=1)
        ],
        approve=True,
        source="测试准备",
        user=factories.command_line(),
    )
    codes = Indicator.objects.entered().filter(department=sfj).values_list("code", flat=True)
    figures = tmp_path / "figures.json"
    figures.write_text(
        json.dumps([{"code": c, "value": str(FIGURES_2025[c])} for c in codes]), encoding="utf-8"
    )
    tokens = {
        name: factories.api_token(User.objects.get(username=name))
        for name in ("clerk_sfj", "reviewer")
    }
    spec = importlib.util.spec_from_file_location("api_example", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    monkeypatch.setattr(example, "BASE", live_server.url)
    monkeypatch.setenv("CLERK_TOKEN", tokens["clerk_sfj"])
    monkeypatch.setenv("REVIEWER_TOKEN", tokens["reviewer"])
    out = tmp_path / "report.pdf"
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "api-example.py",
            "--period",
            "2027",
            "--department",
            "sfj",
            str(figures),
            "--out",
            str(out),
        ],
    )
    assert example.main() == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert ReportJob.objects.get().status == JobStatus.SUCCEEDED
