"""Storing a built job's files: all of them and the job's success together, or none and the
job failed with the reason (a full or read-only file store)."""

import hashlib
import logging

from django.db import transaction
from django.utils import timezone

from lawgov.faults import StorageUnavailable, discard, save_file

from . import job_events
from .models import JobStatus, ReportJob, home_area_id

logger = logging.getLogger(__name__)


def save(job: ReportJob, files: dict[str, bytes]) -> ReportJob:
    """Store the built files and mark the job succeeded, together: a job never names files
    that are not there, and no file stays behind a job that does not name it."""
    written: list[str] = []
    committing = False
    try:
        with transaction.atomic():
            job = ReportJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
            if job.status == JobStatus.SUCCEEDED:  # a duplicate delivery finished first
                return job
            stem = _file_stem(job)
            for field, data in files.items():
                _store(job, field, data, f"{stem}.{field}", written)
            job.status = JobStatus.SUCCEEDED
            job.finished_at = timezone.now()
            # Only what the build changed (not the frozen snapshot again).
            job.save(update_fields=[*_BUILT_FIELDS, "status", "finished_at"])
            job_events.announce(job.pk)
            committing = True
    except StorageUnavailable as exc:
        _discard_all(job, written)
        return storage_failure(job, exc)
    except BaseException:
        if not committing:  # a failed commit may yet have committed: keep what it names
            _discard_all(job, written)
        raise
    return job


def _file_stem(job: ReportJob) -> str:
    """2026-speech… → 2026-final-7: the speech's files keep the names they always had, another
    document's name its code, and a document of an area other than the installation's own
    names the area's code (2026-370102-final-9)."""
    slug = job.template_version.template.slug
    prefix = job.period.code if slug == "speech" else f"{job.period.code}-{slug}"
    if job.area_id != home_area_id():
        prefix = f"{prefix}-{job.area.code}"
    return f"{prefix}-{job.kind}-{job.pk}"


# Why a job failed when the file store refused its files; nothing of them stays behind.
STORAGE_FULL = "存储空间不足，生成失败，请联系管理员后重试。"
STORAGE_DENIED = "存储目录无写入权限，生成失败，请联系管理员后重试。"


def storage_failure(job: ReportJob, exc: StorageUnavailable) -> ReportJob:
    logger.error("report job %s: the file store refused its files: %s", job.pk, exc)
    return fail(job, STORAGE_FULL if exc.no_space else STORAGE_DENIED)


_BUILT_FIELDS = [
    f"{field}{suffix}" for field in ("pdf", "docx", "ofd") for suffix in ("", "_size", "_sha256")
]


def _store(job: ReportJob, field: str, data: bytes, name: str, written: list[str]) -> None:
    """Write one of the job's files under its fixed name, replacing a half-done attempt's:
    complete or not at all (never a 0-byte or partial file)."""
    file_field = getattr(job, field)
    path = file_field.field.generate_filename(job, name)
    file_field.name = save_file(file_field.storage, path, data, overwrite=True)
    written.append(file_field.name)
    setattr(job, f"{field}_size", len(data))
    setattr(job, f"{field}_sha256", hashlib.sha256(data).hexdigest())


def _discard_all(job: ReportJob, names: list[str]) -> None:
    for name in names:
        discard(job.pdf.storage, name)


def fail(job: ReportJob, message: str) -> ReportJob:
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=message, finished_at=timezone.now()
    )
    job_events.announce(job.pk)
    job.refresh_from_db()
    return job
