"""Write operations for 从文档导入 before its acceptance: an upload kept for review and the
reviewer's edits of its proposal, each with a ReportEvent naming who made it (accepting it is
reports.importing.accept.accept_import)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from metrics.models import ReportingPeriod

from ..access import require_import_documents
from ..models import DocumentImport, ReportEvent, ReportTemplate
from .accept import ALREADY_ACCEPTED
from .store import paragraphs_json


@transaction.atomic
def start_import(
    *,
    user,
    source_name: str,
    paragraphs,
    period: ReportingPeriod,
    name: str = "",
    document: ReportTemplate | None = None,
    layout: str = "",
) -> DocumentImport:
    """A document read into `paragraphs` (reports.importing.reader), kept for the reviewer to
    edit its proposal: an update of `document`, or a new document `name` in `layout`."""
    require_import_documents(user)
    record = DocumentImport.objects.create(
        source_name=source_name[:200],
        paragraphs=paragraphs_json(paragraphs),
        period=period,
        name="" if document else name[:200],
        document=document,
        layout="" if document else layout,
        created_by=user,
    )
    ReportEvent.objects.create(
        action=ReportEvent.Action.IMPORT_STARTED,
        document_import=record,
        actor=user,
        detail={
            "source_name": record.source_name,
            "period": period.code,
            "paragraphs": len(record.paragraphs),
        },
    )
    return record


@transaction.atomic
def save_import_edits(
    *, document_import: DocumentImport, user, edits: list[list], reset: bool = False
) -> DocumentImport:
    """Add the reviewer's `edits` to the import's, or with `reset` drop them all. An import
    accepted since the page was read (a second tab, a double click) is refused (code
    already_accepted): the record of what was accepted stays as it was."""
    require_import_documents(user)
    record = DocumentImport.objects.select_for_update().get(pk=document_import.pk)
    if record.accepted_at is not None:
        raise ValidationError(ALREADY_ACCEPTED, code="already_accepted")
    before = list(record.edits)
    record.edits = [] if reset else [*before, *edits]
    if record.edits != before:
        record.save(update_fields=["edits"])
        ReportEvent.objects.create(
            action=ReportEvent.Action.IMPORT_RESET if reset else ReportEvent.Action.IMPORT_EDITED,
            document_import=record,
            actor=user,
            detail={"dropped": len(before)} if reset else {"edits": list(edits)},
        )
    return record
