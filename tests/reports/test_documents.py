"""Several documents per period: pick one on the report page, build it, the archive and the
comparison per document, the API, build_report --template, deadlines on the dashboard, and
the public version reviewed from a final build."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from metrics.models import ReportingPeriod
from reports import documents, services
from reports.models import (
    ANNUAL_REPORT_SLUG,
    JobStatus,
    Layout,
    ReportEvent,
    ReportJob,
    ReportKind,
    ReportTemplate,
    TemplateVersion,
)
from tests import factories

BRIEF = (
    "# {district}{period}法治简报\n"
    "## 行政复议\n"
    "全年受理行政复议案件{biz_review_cases_received}起。依法纠错，保障权利。\n"
    "办结{biz_review_cases_closed}起。\n"
    "本段仅供内部参考。\n"
)


@pytest.fixture
def brief(demo_data):
    """A third document, with a public version, that uses only entered codes."""
    document = ReportTemplate.objects.create(
        name="法治简报",
        slug="brief",
        layout=Layout.REPORT,
        has_public_version=True,
        position=30,
        deadlines=[{"label": "报送", "month": 1, "day": 15}],
    )
    TemplateVersion.objects.create(template=document, number=1, text=BRIEF)
    return document


@pytest.fixture
def final_brief(brief, leader_user, media):
    period = ReportingPeriod.objects.get(code="2025")
    job = services.create_report_job(period=period, kind="final", user=leader_user, template=brief)
    job = services.run_report_job(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def test_migrations_make_the_speech_and_the_annual_report(db):
    speech = documents.default_document()
    assert (speech.slug, speech.layout, speech.current_version.number) == ("speech", "speech", 1)
    annual = ReportTemplate.objects.get(slug=ANNUAL_REPORT_SLUG)
    assert annual.name == "法治政府建设年度报告" and annual.layout == Layout.REPORT
    assert annual.has_public_version
    assert "## 主要举措和成效" in annual.current_version.text


def test_leader_picks_a_document_builds_it_and_the_archive_lists_it_per_document(
    eager_tasks, leader_client, media, django_capture_on_commit_callbacks
):
    page = leader_client.get("/reports/?period=2025").content.decode()
    assert "法治政府建设年度报告" in page and 'name="document"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(
            "/reports/", {"period": "2025", "kind": "draft", "document": ANNUAL_REPORT_SLUG}
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and job.document.slug == ANNUAL_REPORT_SLUG
    assert job.status == JobStatus.SUCCEEDED
    download = leader_client.get(f"/reports/jobs/{job.pk}/download/pdf/")
    assert (
        "法治政府建设年度报告" in download["Content-Disposition"]
        or "%E6%B3%95" in (download["Content-Disposition"])
    )
    with django_capture_on_commit_callbacks(execute=True):
        leader_client.post("/reports/", {"period": "2025", "kind": "draft"})
    speech_job = ReportJob.objects.exclude(pk=job.pk).get()
    assert speech_job.document.slug == "speech"
    # The page of each document lists its own jobs only.
    annual_page = leader_client.get(f"/reports/?period=2025&document={ANNUAL_REPORT_SLUG}")
    speech_page = leader_client.get("/reports/?period=2025&document=speech")
    assert f'href="/reports/jobs/{job.pk}/">#{job.pk}</a></td>' in annual_page.content.decode()
    assert f'href="/reports/jobs/{job.pk}/">#{job.pk}</a></td>' not in (
        speech_page.content.decode()
    )
    rows = {row.document.slug: row for row in documents.archive(period=job.period)}
    assert [j.pk for j in rows[ANNUAL_REPORT_SLUG].jobs] == [job.pk]
    assert [j.pk for j in rows["speech"].jobs] == [speech_job.pk]


def test_what_changed_compares_with_the_same_document_only(brief, leader_user, media):
    period = ReportingPeriod.objects.get(code="2025")
    speech = services.create_report_job(period=period, kind="draft", user=leader_user)
    services.run_report_job(job_id=speech.pk)
    first = services.create_report_job(
        period=period, kind="draft", user=leader_user, template=brief
    )
    services.run_report_job(job_id=first.pk)
    second = services.create_report_job(
        period=period, kind="draft", user=leader_user, template=brief
    )
    assert documents.previous_successful_job(job=first) is None
    assert documents.previous_successful_job(job=second) == first


def test_api_lists_documents_and_takes_one(eager_tasks, leader_user, media, client):
    token = factories.api_token(leader_user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    listed = client.get("/api/v1/reports/documents/", **headers).json()
    codes = [d["code"] for d in listed]
    assert codes[:2] == ["speech", ANNUAL_REPORT_SLUG]
    annual = listed[1]
    assert annual["layout"] == "report" and annual["has_public_version"] is True
    assert annual["deadlines"][0] == {"label": "报送", "month": 3, "day": 1}
    response = client.post(
        "/api/v1/reports/",
        {"period": "2025", "kind": "draft", "document": ANNUAL_REPORT_SLUG},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 202, response.content
    job = client.get(response.json()["url"], **headers).json()
    assert job["document"] == ANNUAL_REPORT_SLUG
    only = client.get(f"/api/v1/reports/?document={ANNUAL_REPORT_SLUG}", **headers).json()
    assert [j["id"] for j in only["results"]] == [job["id"]]
    refused = client.post(
        "/api/v1/reports/",
        {"period": "2025", "kind": "public"},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code == 400


def test_schema_describes_documents(client, leader_user):
    token = factories.api_token(leader_user)
    schema = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert "/api/v1/reports/documents/" in schema["paths"]
    request = schema["components"]["schemas"]["ReportRequestInputRequest"]["properties"]
    assert "document" in request


def test_build_report_selects_a_document(demo_data, media, tmp_path):
    pdf = tmp_path / "annual.pdf"
    call_command(
        "build_report", "--period", "2025", "--draft", "--template", ANNUAL_REPORT_SLUG,
        "--output", str(pdf),
    )  # fmt: skip
    job = ReportJob.objects.get()
    assert job.document.slug == ANNUAL_REPORT_SLUG and pdf.read_bytes().startswith(b"%PDF")
    call_command(
        "build_report", "--period", "2025", "--draft", "--template", "法治政府建设年度报告",
        "--output", str(pdf),
    )  # fmt: skip
    call_command("build_report", "--period", "2025", "--draft", "--output", str(pdf))
    assert ReportJob.objects.order_by("-pk").first().document.slug == "speech"
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("build_report", "--period", "2025", "--template", "nope", "--output", str(pdf))


def test_deadlines_follow_the_period_year(db):
    annual = ReportTemplate.objects.get(slug=ANNUAL_REPORT_SLUG)
    period = factories.period("2026")
    due = annual.due_dates(period)
    assert [(d.label, d.date) for d in due] == [
        ("报送", datetime.date(2027, 3, 1)),
        ("公开", datetime.date(2027, 4, 1)),
    ]
    upcoming = documents.deadlines(period=period, today=datetime.date(2027, 2, 20))
    assert [(d.document.slug, d.label, d.days_left) for d in upcoming] == [
        (ANNUAL_REPORT_SLUG, "报送", 9),
        (ANNUAL_REPORT_SLUG, "公开", 40),
    ]


def test_dashboard_shows_deadlines_with_days_left(leader_client, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2027, 2, 20))
    page = leader_client.get("/dashboard/?period=2026").content.decode()
    assert 'id="deadlines"' in page
    assert "2027年3月1日" in page and "还有 9 天" in page
    assert "2027年4月1日" in page and "还有 40 天" in page


def test_reviewer_marks_what_is_not_public_and_builds_the_public_version(
    eager_tasks, final_brief, reviewer_client, reviewer_user, django_capture_on_commit_callbacks
):
    page = reviewer_client.get(f"/reports/jobs/{final_brief.pk}/public/")
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        'name="paragraph" value="3"' in text
        and 'name="figure" value="biz_review_cases_received"' in text
    )
    assert "本段仅供内部参考。" in text
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            f"/reports/jobs/{final_brief.pk}/public/",
            {"paragraph": ["4"], "figure": ["biz_review_cases_received"]},
        )
    public = ReportJob.objects.get(kind=ReportKind.PUBLIC)
    assert response.status_code == 302 and response["Location"] == f"/reports/jobs/{public.pk}/"
    assert public.status == JobStatus.SUCCEEDED, public.error
    assert public.source == final_brief
    assert public.exclusions == {"paragraphs": [4], "codes": ["biz_review_cases_received"]}
    event = ReportEvent.objects.get()
    assert event.actor == reviewer_user and event.job == public
    # Both versions are archived for the period, per document.
    row = next(
        r for r in documents.archive(period=final_brief.period) if r.document.slug == "brief"
    )
    assert row.latest_final == final_brief and row.latest_public == public
    panel = reviewer_client.get("/reports/?period=2025&document=brief").content.decode()
    assert "公开版" in panel


def test_public_version_pdf_leaves_out_the_marked_and_keeps_the_rest(
    eager_tasks, final_brief, reviewer_user, django_capture_on_commit_callbacks
):
    import subprocess

    with django_capture_on_commit_callbacks(execute=True):
        public = services.request_public_version(
            job=final_brief, user=reviewer_user, paragraphs=[4], codes=["biz_review_cases_received"]
        )
    public.refresh_from_db()
    with public.pdf.open("rb") as f:
        pdf = f.read()
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    text = "".join(text.split())
    assert "本段仅供内部参考" not in text
    assert "全年受理行政复议案件" not in text
    assert "依法纠错，保障权利。" in text and "办结" in text
    with final_brief.pdf.open("rb") as f:
        final_text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=f.read(), capture_output=True
        ).stdout.decode()
    assert "本段仅供内部参考" in final_text


def test_public_version_needs_the_permission_and_a_final_build(
    final_brief, leader_user, reviewer_user, brief
):
    with pytest.raises(PermissionDenied):
        services.request_public_version(job=final_brief, user=leader_user, paragraphs=[1])
    draft = services.create_report_job(
        period=final_brief.period, kind="draft", user=reviewer_user, template=brief
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.request_public_version(job=draft, user=reviewer_user, paragraphs=[1])
    with pytest.raises(ValidationError):
        services.request_public_version(job=final_brief, user=reviewer_user, paragraphs=[99])
    assert not ReportJob.objects.filter(kind=ReportKind.PUBLIC).exists()
