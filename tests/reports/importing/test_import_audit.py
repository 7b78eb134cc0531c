"""从文档导入's writes go through reports.importing.services (start_import, save_import_edits): each
upload and each change of the proposal leaves a ReportEvent naming who made it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from metrics.models import ReportingPeriod, User
from reports.importing import services as import_services
from reports.importing.reader import read_text
from reports.models import DocumentImport, ReportEvent
from tests.reports.importing.test_import_views import _upload

Action = ReportEvent.Action


def _trail(record):
    return [
        (e.action, e.actor.username)
        for e in ReportEvent.objects.filter(document_import=record).order_by("id")
    ]


def test_the_upload_edits_and_reset_leave_audit_rows(reviewer_client):
    response = _upload(reviewer_client)
    record = DocumentImport.objects.get()
    started = ReportEvent.objects.get(document_import=record)
    assert (started.action, started.actor.username) == (Action.IMPORT_STARTED, "reviewer")
    assert started.detail["source_name"] == record.source_name

    reviewer_client.post(response.url, {"action": "save", "bind_0": "-"})
    edited = ReportEvent.objects.filter(document_import=record).latest("id")
    assert edited.action == Action.IMPORT_EDITED and edited.detail == {"edits": [["unbind", 0]]}

    reviewer_client.post(response.url, {"action": "save"})  # nothing changed: no row
    reviewer_client.post(response.url, {"action": "reset"})
    record.refresh_from_db()
    assert record.edits == []
    assert _trail(record) == [
        (Action.IMPORT_STARTED, "reviewer"),
        (Action.IMPORT_EDITED, "reviewer"),
        (Action.IMPORT_RESET, "reviewer"),
    ]


def test_an_accepted_import_is_not_edited_and_leaves_no_row(reviewer_client):
    response = _upload(reviewer_client)
    record = DocumentImport.objects.get()
    DocumentImport.objects.filter(pk=record.pk).update(accepted_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        import_services.save_import_edits(
            document_import=record,
            user=User.objects.get(username="reviewer"),
            edits=[["unbind", 0]],
        )
    assert getattr(refused.value, "code", None) == "already_accepted"
    page = reviewer_client.post(response.url, {"action": "save", "bind_0": "-"}, follow=True)
    assert "已经接受" in page.content.decode()
    record.refresh_from_db()
    assert record.edits == []
    assert _trail(record) == [(Action.IMPORT_STARTED, "reviewer")]


def test_only_the_office_starts_an_import(demo_data):
    clerk = User.objects.get(username="clerk_sfj")
    with pytest.raises(PermissionDenied):
        import_services.start_import(
            user=clerk,
            source_name="粘贴的文本",
            paragraphs=read_text("2025年共受理行政复议案件45件。"),
            period=ReportingPeriod.objects.get(code="2025"),
            name="法治简报",
        )
    assert not DocumentImport.objects.exists() and not ReportEvent.objects.exists()


def test_an_upload_reads_in_the_one_history(reviewer_client):
    _upload(reviewer_client)
    record = DocumentImport.objects.get()
    response = reviewer_client.get("/history/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "文档导入" in page
    # The event of the upload names the document, not a report job it does not have.
    assert page.count(record.source_name) >= 2
