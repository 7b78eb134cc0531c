"""Read queries about the documents the office writes (讲话稿, 年度报告 …): which there are,
their jobs per period, the previous report of the same document, their deadlines, and the
paragraphs a reviewer marks for a public version."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from metrics import access as figures_access
from metrics.areas import OFFICE_LEVELS, subtree, valid_during
from metrics.models import Area, ReportingPeriod

from . import rendering
from .models import (
    SPEECH_SLUG,
    JobStatus,
    ReportJob,
    ReportKind,
    ReportTemplate,
    TemplateVersion,
    home_area_id,
)
from .rendering.public import paragraph_codes


def documents():
    return ReportTemplate.objects.order_by("position", "id").prefetch_related(
        Prefetch("versions", queryset=TemplateVersion.objects.order_by("-number"))
    )


def default_document() -> ReportTemplate:
    """The speech, which everything asked for before there were several documents."""
    return (
        ReportTemplate.objects.filter(slug=SPEECH_SLUG).first()
        or ReportTemplate.objects.order_by("position", "id").first()
    )


def document_named(value: str | None) -> ReportTemplate | None:
    """A document by its code (slug) or its name; the speech for an empty value."""
    if not value:
        return default_document()
    value = value.strip()
    return (
        ReportTemplate.objects.filter(slug=value).first()
        or ReportTemplate.objects.filter(name=value).first()
    )


def jobs_for(
    *, period: ReportingPeriod, document: ReportTemplate | None = None, area: Area | None = None
):
    """The jobs of `period` (of one document, of one area's documents when given)."""
    jobs = ReportJob.objects.filter(period=period).select_related(
        "requested_by", "template_version__template", "period", "source", "area"
    )
    if document is not None:
        jobs = jobs.filter(template_version__template=document)
    if area is not None:
        jobs = jobs.filter(area=area)
    return jobs


@dataclass(frozen=True)
class ArchiveRow:
    document: ReportTemplate
    jobs: list[ReportJob]

    @property
    def latest(self) -> dict[str, ReportJob]:
        """The latest built job of each kind (草稿, 正式稿, 公开版)."""
        found: dict[str, ReportJob] = {}
        for job in self.jobs:  # newest first
            if job.status == JobStatus.SUCCEEDED:
                found.setdefault(job.kind, job)
        return found

    @property
    def latest_final(self):
        return self.latest.get(ReportKind.FINAL)

    @property
    def latest_public(self):
        return self.latest.get(ReportKind.PUBLIC)

    @property
    def latest_draft(self):
        return self.latest.get(ReportKind.DRAFT)


def archive(*, period: ReportingPeriod, area: Area | None = None) -> list[ArchiveRow]:
    """Each document with its jobs for `period` (of `area` when given), newest first."""
    by_document: dict[int, list[ReportJob]] = {}
    for job in jobs_for(period=period, area=area):
        by_document.setdefault(job.template_version.template_id, []).append(job)
    return [ArchiveRow(d, by_document.get(d.pk, [])) for d in documents()]


def previous_successful_job(*, job: ReportJob) -> ReportJob | None:
    """The last report of the same document, period and area built before `job` (public
    versions, which only leave things out of a final one, are not compared against)."""
    return (
        ReportJob.objects.filter(
            period=job.period,
            area_id=job.area_id,
            template_version__template_id=job.template_version.template_id,
            status=JobStatus.SUCCEEDED,
            requested_at__lt=job.requested_at,
        )
        .exclude(kind=ReportKind.PUBLIC)
        .order_by("-requested_at")
        .first()
    )


@dataclass(frozen=True)
class UpcomingDeadline:
    document: ReportTemplate
    period: ReportingPeriod
    label: str
    date: datetime.date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def deadlines(*, period: ReportingPeriod, today: datetime.date) -> list[UpcomingDeadline]:
    """Every document's deadlines for `period` (passed ones too), and those still ahead of
    every other period of the same kind that has started — the 2026 annual report's 报送 on
    1 March stays in view in January 2027 while 2027 is the period shown, or in December
    2026 when 2027's entry was opened early — soonest first, with the days left."""
    kind = period.parsed_code.kind
    shown = [period] + [
        p
        for p in ReportingPeriod.objects.filter(start__lte=today).exclude(pk=period.pk)
        if p.parsed_code.kind == kind
    ]
    found = []
    for document in documents():
        for each in shown:
            for d in document.due_dates(each):
                if each.pk == period.pk or d.date >= today:
                    found.append(
                        UpcomingDeadline(document, each, d.label, d.date, d.days_left(today))
                    )
    return sorted(found, key=lambda d: (d.date, d.document.position))


@dataclass(frozen=True)
class ReviewFigure:
    code: str
    name: str
    text: str


@dataclass(frozen=True)
class ReviewParagraph:
    index: int
    kind: str
    text: str
    figures: tuple[ReviewFigure, ...]

    @property
    def is_heading(self) -> bool:
        return self.kind != "paragraph" and self.kind != "flush"


def review_paragraphs(*, job: ReportJob) -> list[ReviewParagraph]:
    """The paragraphs of a final build as it was printed (its version and snapshot), each with
    the figures it prints, for the reviewer to mark what is not for publication."""
    speech = rendering.render_text(job.template_version.text, job.snapshot, "draft")
    figures = job.snapshot.get("figures") or {}
    out = []
    for index, paragraph in enumerate(speech.paragraphs):
        printed = {run.code: run.text for run in paragraph.runs if run.code}
        items = tuple(
            ReviewFigure(code, str((figures.get(code) or {}).get("name") or code), printed[code])
            for code in paragraph_codes(paragraph)
        )
        out.append(ReviewParagraph(index, paragraph.kind, paragraph.text, items))
    return out


def report_areas(*, user, period: ReportingPeriod) -> list[Area]:
    """The areas whose documents `user` may build and read for `period`: their own area and
    the areas with an office below it (the city's leader: the city and its districts; a
    district's: their district), in the tree's order."""
    scope = figures_access.scope_of(user)
    if scope is None:
        return []
    below = valid_during(
        subtree(scope).filter(level__in=OFFICE_LEVELS), start=period.start, end=period.end
    )
    return [scope, *below.exclude(pk=scope.pk).order_by("path")]


def jobs_in_scope(queryset, *, user):
    """Jobs of the areas inside what `user` sees: a job outside is as if it did not exist."""
    scope = figures_access.scope_of(user)
    if scope is None:
        return queryset
    return queryset.filter(area__path__startswith=scope.path)


def area_label(area: Area | None) -> str:
    """How titles and file names name a document's area: an area other than the
    installation's own by its name (甲区); the installation's own by nothing, as ever."""
    return area.name if area is not None and area.pk != home_area_id() else ""


def file_name(job: ReportJob, fmt: str) -> str:
    """A download's name: 2026年度讲话稿（正式稿）.pdf, and for an area other than the
    installation's own its name after the period: 2026年度甲区讲话稿（正式稿）.pdf."""
    area = area_label(job.area)
    return f"{job.period.label}{area}{job.document.file_title}（{job.get_kind_display()}）.{fmt}"
