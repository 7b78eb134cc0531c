"""The entry and review sheets: every indicator a department enters in a period, with its
figure, the previous value, its evidence and what the rules say, by the speech's sections."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from .change import Change, indicator_change
from .computed import CURRENT, computed_values, visible_to
from .models import (
    CommentKind,
    Department,
    Figure,
    FigureComment,
    Indicator,
    ReportingPeriod,
)
from .progress import STATE_LABELS, Progress, clerk_may_edit, state_of
from .rules import department_findings
from .selectors import (
    area_approval_over,
    deadline_for,
    entered_indicators,
    period_values,
    previous_values,
    rules_touching,
)


@dataclass
class SheetRow:
    indicator: Indicator
    figure: Figure | None
    previous: Decimal | None
    findings: list = field(default_factory=list)
    period_locked: bool = False

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
    def state(self) -> str:
        return state_of(self.figure.status if self.figure else None, self.value)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def editable(self) -> bool:
        """The clerk may still change it (metrics.progress.clerk_may_edit)."""
        return clerk_may_edit(
            status=self.figure.status if self.figure else None, period_locked=self.period_locked
        )

    @property
    def change(self) -> Change:
        return indicator_change(self.indicator, self.value, self.previous)

    @property
    def thread(self) -> list:
        """The figure's comments, less those that repeat what the row shows in its own line
        (the current 上报说明 and 退回原因), so that nothing reads twice."""
        if self.figure is None:
            return []
        shown = {
            (CommentKind.EXPLANATION, self.figure.explanation.strip()),
            (CommentKind.RETURN, self.figure.return_reason.strip()),
        }
        return [c for c in self.figure.comments.all() if (c.kind, c.text.strip()) not in shown]

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
    # The department's computed indicators (metrics.computed, from current inputs), read only.
    computed: list = field(default_factory=list)
    # The department's own deadline (its extension, else the period's).
    deadline: datetime.date | None = None
    # The approval of the unit's area as a whole by the office above (read only until withdrawn).
    approval: object = None

    @property
    def rows(self) -> list[SheetRow]:
        return [row for _, rows in self.sections for row in rows]

    def row(self, code: str) -> SheetRow | None:
        return next((r for r in self.rows if r.indicator.code == code), None)

    @property
    def counts(self) -> Progress:
        return Progress.of_states(row.state for row in self.rows)

    @property
    def editable_count(self) -> int:
        return sum(1 for row in self.rows if row.editable)


def department_sheet(
    *, department: Department, period: ReportingPeriod, with_comments: bool = False, viewer=None
) -> Sheet:
    """Every indicator the department enters in this period with its figure, the previous
    value, its evidence and what the rules say (over computed indicators too), grouped by the
    speech's sections, in a fixed number of queries. Its computed indicators as `viewer`
    may see them (metrics.computed.visible_to; without a viewer, as the department's clerk)."""
    indicators = list(
        entered_indicators(period=period, department=department).select_related(
            "section", "department"
        )
    )
    figures = _sheet_figures(department=department, period=period, with_comments=with_comments)
    previous = previous_values(period=period, department=department)
    # As the viewer may see them: a rule's message names values, so a withheld one is not
    # there for the rules either (they read it as not yet there).
    computed = visible_to(
        computed_values(period=period, basis=CURRENT), user=viewer, department=department
    )
    values = (
        period_values(period=period)
        | {code: c.value for code, c in computed.items()}
        # the unit's own figures, already read (a township's, not the first one's)
        | {i.code: figures[i.pk].value for i in indicators if i.pk in figures}
    )
    # Approved above as a whole (the city approved the unit's district): read only.
    approval = area_approval_over(unit=department, period=period)
    locked = period.closed_for_entry or approval is not None
    findings = department_findings(
        department=department,
        indicators=indicators,
        rules=list(rules_touching(department=department)),
        values=values,
        previous=previous | {code: c.previous for code, c in computed.items()},
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
            period_locked=locked,
        )
        if not sections or sections[-1][0].pk != indicator.section_id:
            sections.append((indicator.section, []))
        sections[-1][1].append(row)
    return Sheet(
        department=department,
        period=period,
        sections=sections,
        findings=findings,
        computed=[c for c in computed.values() if c.indicator.department_id == department.pk],
        deadline=deadline_for(period=period, department=department),
        approval=approval,
    )


def _sheet_figures(
    *, department: Department, period: ReportingPeriod, with_comments: bool
) -> dict[int, Figure]:
    """The department's figures in the period by indicator id, with their evidence (and
    their comment threads, when asked)."""
    figures_qs = (
        Figure.objects.filter(period=period, unit=department)
        .select_related("updated_by")
        .prefetch_related("evidence")
    )
    if with_comments:
        figures_qs = figures_qs.prefetch_related(
            Prefetch(
                "comments", queryset=FigureComment.objects.select_related("author").order_by("id")
            )
        )
    return {f.indicator_id: f for f in figures_qs}
