"""Migration reports 0012 on existing jobs: each becomes the installation's own area's, its
frozen snapshot untouched, and it rebuilds byte for byte what its snapshot always made."""

import datetime
import io
import zipfile

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

SNAPSHOT = {
    "district_name": "示范",
    "period": "2025",
    "period_label": "2025年度",
    "figures": {
        "biz_review_cases_received": {
            "value": "118",
            "status": "approved",
            "name": "受理行政复议案件",
            "unit": "件",
            "department": "区司法局",
            "previous": "97",
            "change": "percent",
        }
    },
}


def _parts(package: bytes) -> dict[str, bytes]:
    """A Word file's or an OFD's parts: the same bytes in each, whatever moment the zip's
    entries were stamped with when written."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_jobs_become_the_home_areas_and_rebuild_byte_identically(media):
    from metrics.areas import home_area
    from reports import rendering, services
    from reports.models import JobStatus, ReportJob

    old = _migrate([("reports", "0011_ofd_file")])
    try:
        Period = old.get_model("metrics", "ReportingPeriod")
        Version = old.get_model("reports", "TemplateVersion")
        OldJob = old.get_model("reports", "ReportJob")
        period, _ = Period.objects.get_or_create(
            code="2025",
            defaults={
                "start": datetime.date(2025, 1, 1),
                "end": datetime.date(2025, 12, 31),
                "deadline": datetime.date(2026, 1, 15),
            },
        )
        version = Version.objects.get(template__slug="speech", number=1)
        ids = [
            OldJob.objects.create(
                period=period, kind=kind, template_version=version, snapshot=SNAPSHOT
            ).pk
            for kind in ("draft", "final")
        ]
        _latest()
        jobs = ReportJob.objects.filter(pk__in=ids).select_related("area", "template_version")
        assert {job.area for job in jobs} == {home_area()}
        assert all(job.snapshot == SNAPSHOT for job in jobs)

        draft = services.run_report_job(job_id=ids[0])
        assert draft.status == JobStatus.SUCCEEDED, draft.error
        pdf, ofd = rendering.render_pdf_and_ofd(
            rendering.parse_template(version.text),
            SNAPSHOT,
            mode="draft",
            layout="speech",
            font_dir=settings.REPORT_FONT_DIR,
            font_cache_dir=settings.REPORT_FONT_CACHE_DIR,
        )
        docx = rendering.render_docx(version.text, SNAPSHOT, mode="draft", layout="speech")
        with draft.pdf.open("rb") as f:
            assert f.read() == pdf
        with draft.docx.open("rb") as f:
            assert _parts(f.read()) == _parts(docx)
        with draft.ofd.open("rb") as f:
            built = _parts(f.read())
        expected = _parts(ofd)
        # OFD.xml is the package's DocInfo: a new DocID and creation date each build.
        assert built.pop("OFD.xml") and expected.pop("OFD.xml")
        assert built == expected
        # The files keep the names the installation's own documents always had.
        assert draft.pdf.name == f"reports/2025/2025-draft-{draft.pk}.pdf"
    finally:
        _latest()
