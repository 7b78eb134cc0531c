"""The proposal of a stored import (DocumentImport): the catalogue from the database, the
document's paragraphs, and the reviewer's edits replayed in order.

Edits are stored as short lists, so that a reload (or another reviewer) sees the same
proposal: ["unbind", n], ["bind", n, code], ["rename", n, name], ["merge", a, b],
["set_department", n, code], ["unit", n, unit], ["value_type", n, type],
["default_department", code], ["set_section", n, code].
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from metrics import computed
from metrics.models import Figure, FigureStatus, Indicator, PeriodState, ReportingPeriod
from metrics.office import district_name

from .conflicts import Conflict, conflicts
from .naming import CatalogueEntry
from .proposal import Proposal, propose
from .reader import Paragraph

EDIT_KINDS = (
    "unbind",
    "bind",
    "rename",
    "merge",
    "set_department",
    "unit",
    "value_type",
    "default_department",
    "set_section",
    "first_period",
    "keep_year",
)


def catalogue() -> list[CatalogueEntry]:
    """The indicators in use (retired ones aside), as the proposal reads them."""
    rows = (
        Indicator.objects.filter(retired_on__isnull=True)
        .select_related("department", "section")
        .prefetch_related("aliases")
        .order_by("section__order", "order", "code")
    )
    return [
        CatalogueEntry(
            i.code,
            i.name,
            i.unit,
            i.value_type,
            i.department.code if i.department_id else None,
            i.section.code if i.section_id else None,
            i.is_computed,
            tuple(a.phrase for a in i.aliases.all()),
        )
        for i in rows
    ]


def known_values(period) -> dict:
    """What the period the text reports on already holds, by code: its approved figures and
    the computed values from them (the matching prefers an indicator whose value the
    document prints)."""
    if period is None:
        return {}

    values = dict(
        Figure.objects.filter(period=period, status=FigureStatus.APPROVED).values_list(
            "indicator__code", "value"
        )
    )
    for code, value in computed.computed_values(period=period).items():
        values[code] = value.outcome.value
    return values


def held_values(proposal: Proposal, period) -> dict:
    """What each bound indicator will hold in `period` once the import is accepted: its
    entered figure (any status; None when entered as 未填) where it has one, else the
    computed value — from the figures the import records (the document's own values of
    indicators without a figure) over the stored ones. Read only."""

    codes = {item.code for item in proposal.bound()}
    entered = dict(
        Figure.objects.filter(period=period, indicator__code__in=codes).values_list(
            "indicator__code", "value"
        )
    )
    overrides = {}
    for item in proposal.bound():
        if item.code not in entered:
            overrides.setdefault(item.code, item.found.estimate)
    held = dict(entered)
    for code, value in computed.computed_values(period=period, overrides=overrides).items():
        if code in codes and value.outcome.value is not None:
            held[code] = value.outcome.value
    return held


def conflicts_of(proposal: Proposal, period) -> list[Conflict]:
    """The numbers the period already holds otherwise (conflicts.conflicts)."""
    if period is None:
        return []
    names = dict(
        Indicator.objects.filter(code__in={i.code for i in proposal.bound()}).values_list(
            "code", "name"
        )
    )
    return conflicts(proposal.bound(), held_values(proposal, period), names)


def under_way_after(period):
    """The periods after `period` whose entry is open or done: a new indicator expected in
    them would add a required row to a clerk's entry already under way."""

    return ReportingPeriod.objects.filter(start__gt=period.start).exclude(state=PeriodState.PLANNED)


def default_first_period(period):
    """Where the new indicators of a document of `period` are expected from: that period
    itself unless a later one is under way (last year's report imported this year), then the
    first planned period after those; None when there is none — the reviewer chooses."""

    if period is None:
        return None
    latest = under_way_after(period).order_by("-start").first()
    if latest is None:
        return period
    return (
        ReportingPeriod.objects.filter(state=PeriodState.PLANNED, start__gt=latest.start)
        .order_by("start")
        .first()
    )


def first_period_of(proposal: Proposal, period):
    """The period the reviewer chose (or the default) for the new indicators."""

    if proposal.first_period:
        chosen = ReportingPeriod.objects.filter(code=proposal.first_period).first()
        if chosen is not None:
            return chosen
    return default_first_period(period)


def site_values(period) -> dict[str, str]:
    """The site values written back as placeholders: the district, and the period's name."""
    values = {"district": district_name()}
    if period is not None:
        values["period"] = period.label
        if period.code[:4].isdigit():
            values["year"] = period.code[:4]
    return values


def paragraphs_json(paragraphs) -> list[dict]:
    return [{"text": p.text, "level": p.level, "lead": p.lead} for p in paragraphs]


def paragraphs_from(data: list[dict]) -> tuple[Paragraph, ...]:
    return tuple(Paragraph(d["text"], int(d.get("level", 0)), d.get("lead", "")) for d in data)


def apply_edit(proposal: Proposal, edit: list) -> Proposal:
    """One stored edit; a ValidationError in Chinese when it does not apply."""
    if not edit or edit[0] not in EDIT_KINDS:
        raise ValidationError("未知的修改。")
    kind, *args = edit
    try:
        if kind == "unbind":
            return proposal.unbind(int(args[0]))
        if kind == "bind":
            return proposal.bind(int(args[0]), str(args[1]))
        if kind == "rename":
            return proposal.rename(int(args[0]), str(args[1]))
        if kind == "merge":
            return proposal.merge(int(args[0]), int(args[1]))
        if kind == "set_department":
            return proposal.set_department(int(args[0]), str(args[1] or "") or None)
        if kind == "default_department":
            return proposal.set_default_department(str(args[0] or "") or None)
        if kind == "keep_year":
            return proposal.keep_year(int(args[0]), int(args[1]))
        if kind == "first_period":
            return proposal.set_first_period(str(args[0] or "") or None)
        if kind == "set_section":
            return proposal.set_section(int(args[0]), str(args[1] or "") or None)
        if kind == "unit":
            return proposal.describe(int(args[0]), unit=str(args[1]))
        return proposal.describe(int(args[0]), value_type=str(args[1]))
    except (IndexError, TypeError, ValueError):
        raise ValidationError("修改的内容不完整。") from None


def proposal_of(record) -> Proposal:
    """The proposal of a DocumentImport with its edits; an edit that no longer applies (the
    catalogue changed meanwhile) is skipped."""
    proposal = propose(
        paragraphs_from(record.paragraphs),
        catalogue(),
        site_values=site_values(record.period),
        known=known_values(record.period),
    )
    for edit in record.edits or []:
        try:
            proposal = apply_edit(proposal, edit)
        except ValidationError:
            continue
    return proposal
