"""Read queries on departments, periods and figures."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from .models import (
    Department,
    Figure,
    FigureComment,
    FigureStatus,
    Indicator,
    Notice,
    Reminder,
    ReportingPeriod,
    ValidationRule,
)
from .rules import department_findings
from .validation import change_ratio, plain


def period_values(*, period: ReportingPeriod) -> dict[str, Decimal | None]:
    return dict(Figure.objects.filter(period=period).values_list("indicator__code", "value"))


def active_rules():
    return ValidationRule.objects.filter(active=True).select_related("left", "right")


def rules_touching(*, department: Department):
    return active_rules().filter(Q(left__department=department) | Q(right__department=department))


def get_period(*, code: str) -> ReportingPeriod:
    return ReportingPeriod.objects.get(code=code)


def previous_period(*, period: ReportingPeriod) -> ReportingPeriod | None:
    return ReportingPeriod.objects.filter(code=period.previous_code).first()


def departments_visible_to(*, user):
    if user.has_perm("metrics.view_all_figures"):
        return Department.objects.all()
    if user.department_id:
        return Department.objects.filter(pk=user.department_id)
    return Department.objects.none()


def current_period() -> ReportingPeriod | None:
    """The period people are working on: the latest open one, else the latest."""
    from .models import PeriodState

    periods = ReportingPeriod.objects.order_by("-end")
    return periods.filter(state=PeriodState.OPEN).first() or periods.first()


def department_progress(*, department: Department, period: ReportingPeriod) -> dict:
    """A clerk's view: each indicator of the department with this period's figure (or None)."""
    from .models import FigureStatus, Indicator

    figures = {
        f.indicator_id: f
        for f in Figure.objects.filter(period=period, indicator__department=department)
    }
    rows = [
        (indicator, figures.get(indicator.pk))
        for indicator in Indicator.objects.filter(department=department).select_related("section")
    ]
    filled = sum(1 for _, f in rows if f is not None and f.value is not None)
    return {
        "department": department,
        "rows": rows,
        "expected": len(rows),
        "filled": filled,
        "missing": len(rows) - filled,
        "returned": sum(1 for _, f in rows if f is not None and f.status == FigureStatus.RETURNED),
        "approved": sum(1 for _, f in rows if f is not None and f.status == FigureStatus.APPROVED),
    }


def progress_by_department(*, period: ReportingPeriod):
    """Per department: indicators expected and figures filled / submitted / approved / returned,
    counted by the database."""
    from django.db.models import Count

    from .models import FigureStatus

    in_period = Q(indicators__figures__period=period)

    def count(extra):
        return Count("indicators__figures", filter=in_period & extra, distinct=True)

    return Department.objects.annotate(
        expected=Count("indicators", distinct=True),
        filled=count(Q(indicators__figures__value__isnull=False)),
        submitted=count(Q(indicators__figures__status=FigureStatus.SUBMITTED)),
        approved=count(Q(indicators__figures__status=FigureStatus.APPROVED)),
        returned=count(Q(indicators__figures__status=FigureStatus.RETURNED)),
    ).order_by("order", "code")


# ---------------------------------------------------------------------------------------
# Entry and review sheets


def previous_values(
    *, period: ReportingPeriod, department: Department | None = None
) -> dict[str, Decimal | None]:
    """Values of the previous comparable period (2026Q3 → 2025Q3), by indicator code."""
    figures = Figure.objects.filter(period__code=period.previous_code)
    if department is not None:
        figures = figures.filter(indicator__department=department)
    return dict(figures.values_list("indicator__code", "value"))


@dataclass
class SheetRow:
    indicator: Indicator
    figure: Figure | None
    previous: Decimal | None
    findings: list = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.figure.status if self.figure else ""

    @property
    def value(self):
        return self.figure.value if self.figure else None

    @property
    def version(self) -> int:
        return self.figure.version if self.figure else 0

    @property
    def editable(self) -> bool:
        return self.figure is None or self.figure.status in (
            FigureStatus.DRAFT,
            FigureStatus.RETURNED,
        )

    @property
    def change(self) -> Decimal | None:
        ratio = change_ratio(self.value, self.previous)
        return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"))

    @property
    def errors(self):
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self):
        return [f for f in self.findings if f.is_warning]

    @property
    def pending(self):
        return [f for f in self.findings if f.severity == "pending"]


@dataclass
class Sheet:
    department: Department
    period: ReportingPeriod
    sections: list  # [(Section, [SheetRow])]
    findings: list

    @property
    def rows(self) -> list[SheetRow]:
        return [row for _, rows in self.sections for row in rows]

    def row(self, code: str) -> SheetRow | None:
        return next((r for r in self.rows if r.indicator.code == code), None)

    @property
    def counts(self) -> dict:
        rows = self.rows
        statuses = [r.status for r in rows]
        return {
            "expected": len(rows),
            "filled": sum(1 for r in rows if r.value is not None),
            "missing": sum(1 for r in rows if r.value is None),
            "draft": statuses.count(FigureStatus.DRAFT),
            "submitted": statuses.count(FigureStatus.SUBMITTED),
            "returned": statuses.count(FigureStatus.RETURNED),
            "approved": statuses.count(FigureStatus.APPROVED),
            "editable": sum(1 for r in rows if r.editable),
            # Not yet sent (missing or draft); returned ones are counted as returned only,
            # so that the header's parts add up to the total.
            "unsent": len(rows)
            - statuses.count(FigureStatus.SUBMITTED)
            - statuses.count(FigureStatus.APPROVED)
            - statuses.count(FigureStatus.RETURNED),
        }


def department_sheet(
    *, department: Department, period: ReportingPeriod, with_comments: bool = False
) -> Sheet:
    """Every indicator of a department with this period's figure, the previous value, its
    evidence and what the rules say, grouped by the speech's sections, in a fixed number of
    queries."""
    indicators = list(
        Indicator.objects.filter(department=department).select_related("section", "department")
    )
    figures_qs = (
        Figure.objects.filter(period=period, indicator__department=department)
        .select_related("updated_by")
        .prefetch_related("evidence")
    )
    if with_comments:
        figures_qs = figures_qs.prefetch_related(
            Prefetch(
                "comments", queryset=FigureComment.objects.select_related("author").order_by("id")
            )
        )
    figures = {f.indicator_id: f for f in figures_qs}
    previous = previous_values(period=period, department=department)
    values = period_values(period=period)
    findings = department_findings(
        department=department,
        indicators=indicators,
        rules=list(rules_touching(department=department)),
        values=values,
        previous=previous,
    )
    by_code: dict[str, list] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    sections: list = []
    for indicator in indicators:
        row = SheetRow(
            indicator=indicator,
            figure=figures.get(indicator.pk),
            previous=previous.get(indicator.code),
            findings=by_code.get(indicator.code, []),
        )
        if not sections or sections[-1][0].pk != indicator.section_id:
            sections.append((indicator.section, []))
        sections[-1][1].append(row)
    return Sheet(department=department, period=period, sections=sections, findings=findings)


def review_queue(*, period: ReportingPeriod, today=None):
    """Departments with their progress in the period and whether they were reminded today."""
    today = today or timezone.localdate()
    return progress_by_department(period=period).annotate(
        reminded_today=Exists(
            Reminder.objects.filter(department=OuterRef("pk"), period=period, date=today)
        )
    )


def departments_behind(*, period: ReportingPeriod):
    """Departments with figures not yet submitted (missing, draft or returned)."""
    return [
        d for d in progress_by_department(period=period) if d.submitted + d.approved < d.expected
    ]


def reminders_not_emailed(*, since: datetime.datetime):
    """Reminders whose email never went out (the broker was down when they were made)."""
    return Reminder.objects.filter(emailed_at__isnull=True, created_at__gte=since).order_by("id")


def notices_for(*, department: Department, limit: int = 5):
    return Notice.objects.filter(department=department).select_related("period")[:limit]


def get_figure(*, period: ReportingPeriod, indicator: Indicator) -> Figure | None:
    return Figure.objects.filter(period=period, indicator=indicator).first()


def periods_to_lock(*, today, grace_days: int = 0):
    from .models import PeriodState

    return ReportingPeriod.objects.filter(
        state=PeriodState.OPEN, deadline__lt=today - datetime.timedelta(days=grace_days)
    )


def period_export_rows(*, period: ReportingPeriod):
    """Every indicator of every department with its figure in the period, for the reviewers'
    workbook: one query for the figures, one for the indicators, one for the previous values."""
    figures = {
        f.indicator_id: f for f in Figure.objects.filter(period=period).select_related("updated_by")
    }
    previous = previous_values(period=period)
    indicators = Indicator.objects.select_related("section", "department").order_by(
        "department__order", "department__code", "section__order", "order", "code"
    )
    return [(i, figures.get(i.pk), previous.get(i.code)) for i in indicators]


# ---------------------------------------------------------------------------------------
# History

HISTORY_FIELDS = [
    ("value", "数值"),
    ("remark", "备注"),
    ("explanation", "上报说明"),
    ("status", "状态"),
    ("return_reason", "退回原因"),
]


@dataclass
class HistoryEntry:
    when: datetime.datetime
    user: object
    reason: str
    version: int
    changes: list  # [(label, old, new)]


def _shown(field_name, value):
    if value is None or value == "":
        return "—"
    if field_name == "value":
        return plain(value)
    if field_name == "status":
        return FigureStatus(value).label
    return str(value)


def figure_history(*, figure: Figure) -> list[HistoryEntry]:
    """Each saved state of the figure against the one before it, newest first."""
    records = list(
        figure.history.select_related("history_user").order_by("history_date", "history_id")
    )
    entries = []
    before = None
    for record in records:
        changes = []
        for name, label in HISTORY_FIELDS:
            old = getattr(before, name) if before is not None else None
            new = getattr(record, name)
            if before is None and (new is None or new == ""):
                continue
            if before is None or old != new:
                changes.append((label, _shown(name, old), _shown(name, new)))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user,
                reason=record.history_change_reason or "",
                version=record.version,
                changes=changes,
            )
        )
        before = record
    entries.reverse()
    return entries
