"""THE test at the portal's level: a document the portal printed, imported as a new document
through accept_import, prints the same again; and one written elsewhere too."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from metrics import services as metrics_services
from metrics.models import Department, Figure, FigureStatus, Indicator, ReportingPeriod
from reports import services
from reports.importing.accept import accept_import
from reports.importing.proposal import propose
from reports.importing.reader import read_docx
from reports.importing.store import catalogue, known_values, site_values
from reports.models import ANNUAL_REPORT_SLUG, JobStatus, ReportTemplate
from reports.rendering import parse_template
from tests.reports.speech import pdf_text

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "法治简报示例.docx"


def _period(code="2025"):
    return ReportingPeriod.objects.get(code=code)


def _final(user, template, capture):
    with capture(execute=True):
        job = services.request_report(period=_period(), kind="final", user=user, template=template)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def _proposal(data: bytes, period):
    return propose(
        read_docx(data), catalogue(), site_values=site_values(period), known=known_values(period)
    )


def _placeholders(text):
    """The figures' placeholders (site values aside: the district is written back only as a
    whole place name, 示范区, and the year as {year}, so those differ from a hand template)."""
    return [(p.code, p.filter) for p in parse_template(text).placeholders() if not p.is_site_value]


def _counts():
    return (
        Indicator.objects.count(),
        Figure.objects.count(),
        ReportTemplate.objects.count(),
        Figure.history.count(),
    )


@pytest.mark.parametrize("slug", ["speech", ANNUAL_REPORT_SLUG])
def test_a_built_document_imported_prints_the_same(
    slug, eager_tasks, media, leader_user, reviewer_user, django_capture_on_commit_callbacks
):
    original = ReportTemplate.objects.get(slug=slug)
    job = _final(leader_user, original, django_capture_on_commit_callbacks)
    period = _period()
    proposal = _proposal(job.docx.read(), period)
    assert all(not item.new for item in proposal.items)
    assert proposal.new_indicators == ()
    assert _placeholders(proposal.template_text()) == _placeholders(original.current_version.text)
    before = _counts()
    document = accept_import(
        user=reviewer_user,
        proposal=proposal,
        document_name=f"{original.name}（导入）",
        period=period,
    )
    indicators, figures, templates, history = _counts()
    assert (indicators, figures, history) == (before[0], before[1], before[3])
    assert templates == before[2] + 1
    assert document.layout == original.layout
    assert period.is_locked
    again = _final(leader_user, document, django_capture_on_commit_callbacks)
    assert pdf_text(again.pdf.read()) == pdf_text(job.pdf.read())


def test_the_reference_speech_binds_all_33_figures(
    eager_tasks, media, leader_user, django_capture_on_commit_callbacks
):
    speech = ReportTemplate.objects.get(slug="speech")
    job = _final(leader_user, speech, django_capture_on_commit_callbacks)
    proposal = _proposal(job.docx.read(), _period())
    assert len(_placeholders(proposal.template_text())) == 32  # and the district:
    assert "法治{district}建设" in proposal.template_text()
    assert all(not i.new for i in proposal.items)


def _sample_proposal(period):
    return _proposal(SAMPLE.read_bytes(), period)


def test_a_document_written_elsewhere(
    eager_tasks, media, leader_user, reviewer_user, django_capture_on_commit_callbacks
):
    period = _period()
    sfj = Department.objects.get(name="区司法局")
    proposal = _sample_proposal(period)
    assert proposal.new_indicators, "the sample has figures the catalogue lacks"
    assert any(not i.new for i in proposal.bound()), "and some it has"
    literal_texts = {x.text for _, x in proposal.literals}
    assert {"2025", "12348"} <= literal_texts | {t[:4] for t in literal_texts}
    document = accept_import(
        user=reviewer_user,
        proposal=proposal,
        document_name="法治简报（导入）",
        period=period,
        default_department=sfj,
        first_period=_period("2026"),
    )
    assert document.layout == "report"
    period.refresh_from_db()
    assert period.is_locked
    for indicator in proposal.new_indicators:
        created = Indicator.objects.get(code=indicator.code)
        assert created.department == sfj
        figure = Figure.objects.get(indicator=created, period=period)
        assert figure.status == FigureStatus.APPROVED
        (row,) = figure.history.all()
        assert "法治简报（导入）" in row.history_change_reason
        assert row.history_user == reviewer_user
    job = _final(leader_user, document, django_capture_on_commit_callbacks)
    import io
    import re

    from docx import Document

    original = "".join(p.text for p in Document(io.BytesIO(SAMPLE.read_bytes())).paragraphs)
    assert pdf_text(job.pdf.read()) == re.sub(r"\s+", "", original)


def test_a_row_without_a_department_creates_nothing(reviewer_user):
    period = _period()
    proposal = _sample_proposal(period)
    before = _counts()
    with pytest.raises(ValidationError, match="尚未选择填报部门") as refused:
        accept_import(user=reviewer_user, proposal=proposal, document_name="简报", period=period)
    assert "第" in refused.value.messages[0]
    assert _counts() == before


def test_one_missing_department_among_others_creates_nothing(reviewer_user):
    period = _period()
    proposal = _sample_proposal(period)
    numbers = [i.number for i in proposal.items if i.new]
    for number in numbers[1:]:
        try:
            proposal = proposal.set_department(number, "sfj")
        except ValidationError:
            pass
    before = _counts()
    with pytest.raises(ValidationError, match="尚未选择填报部门"):
        accept_import(user=reviewer_user, proposal=proposal, document_name="简报", period=period)
    assert _counts() == before


def test_a_conflicting_figure_refuses_and_creates_nothing(reviewer_user):
    period = _period()
    proposal = _sample_proposal(period)
    existing = next(i for i in proposal.bound() if not i.new)
    Figure.objects.filter(indicator__code=existing.code, period=period).update(value=Decimal(7777))
    before = _counts()
    with pytest.raises(metrics_services.ImportConflict) as refused:
        accept_import(
            user=reviewer_user,
            proposal=proposal,
            document_name="简报",
            period=period,
            default_department=Department.objects.get(code="sfj"),
        )
    (conflict,) = refused.value.conflicts
    assert conflict[1] == "7777"
    assert "已有不同的数据" in refused.value.messages[0]
    assert _counts() == before


def test_a_clerk_cannot_accept(demo_data):
    from metrics.models import User

    clerk = User.objects.filter(username__startswith="clerk_").first()
    with pytest.raises(Exception, match="只有法制办"):
        accept_import(
            user=clerk, proposal=_sample_proposal(_period()), document_name="x", period=_period()
        )
