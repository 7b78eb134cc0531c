"""Read queries for reports: the figures a template needs, frozen into a snapshot."""

from dataclasses import dataclass

from django.utils import timezone

from metrics import selectors as metrics_selectors
from metrics.areas import home_area
from metrics.change import kind_of
from metrics.computed import CURRENT, computed_values
from metrics.models import Area, Figure, FigureStatus, Indicator, ReportingPeriod
from metrics.numbers import plain
from metrics.office import district_name

from . import area_figures
from .carry_over import carry_over
from .models import JobStatus, ReportJob, ReportKind, ReportTemplate
from .rendering import parse_template
from .rendering.standing import standing, table_gaps


def active_template() -> ReportTemplate:
    return ReportTemplate.objects.order_by("id").first()


def known_codes() -> set[str]:
    return set(Indicator.objects.values_list("code", flat=True))


def placeholder_codes(text: str) -> list[str]:
    """Indicator codes a template text refers to, in order of first use."""
    return parse_template(text).codes()


def figure_snapshot(
    *,
    period: ReportingPeriod,
    codes: list[str],
    area: Area | None = None,
    table_codes: list[str] = (),
) -> dict:
    """What the renderer needs and nothing else: the figures of `codes` for `period` in `area`
    (the installation's own area when None), with the previous comparable period's values, as
    JSON-ready strings. A computed indicator (metrics.computed) is there like any other, with
    what it lacks (`computed_entry`). Which figures an area reads and which it rolls up from the
    units below it: reports.area_figures. With `table_codes` (the comparison tables' columns,
    Template.table_codes), snapshot["areas"] holds the area's children with those figures."""
    home = home_area()
    area = area or home
    whole = area is None or area.pk == home.pk
    indicators = list(
        Indicator.objects.filter(code__in=codes).select_related("department", "reporting_kind")
    )
    plan = area_figures.plan(area=area, period=period, indicators=indicators, whole=whole)
    direct = _direct_entries(
        period=period, plan=plan, indicators=[i for i in indicators if i.code not in plan.rolled]
    )
    rolled_codes = [i.code for i in indicators if i.code in plan.rolled]
    rolled = area_figures.roll(
        area=area, period=period, tree=plan.tree, codes=[*rolled_codes, *table_codes]
    )
    previous = area_figures.roll_previous(area=area, period=period, codes=rolled_codes)
    figures = {}
    for indicator in indicators:
        if indicator.code in plan.rolled:
            figures[indicator.code] = area_figures.rolled_entry(
                indicator, rolled.get(indicator.code), previous.get(indicator.code)
            )
        elif indicator.code in direct:
            figures[indicator.code] = direct[indicator.code]
    snapshot = {
        "district_name": _area_name(area, whole),
        "period": period.code,
        "period_label": period.label,
        "figures": figures,
    }
    if table_codes and area is not None:
        snapshot["areas"] = area_figures.child_areas(
            area=area, period=period, rolled=rolled, codes=list(table_codes)
        )
    return snapshot


def _area_name(area: Area | None, whole: bool) -> str:
    """{district}: the installation's own area is named as the office set it (系统设置, which
    renames it); any other area by its short name (its name when it has none)."""
    if whole or area is None:
        return district_name()
    return area.short_name or area.name


def _direct_entries(*, period, plan, indicators) -> dict[str, dict]:
    """The indicators an area reads from the one unit reporting them: that unit's figure as
    entered (value, status), and the installation's own computed indicators."""
    area = plan.area
    computed = (
        computed_values(period=period, basis=CURRENT)
        if any(i.is_computed for i in indicators)
        else {}
    )
    codes = [i.code for i in indicators]
    current_rows = Figure.objects.filter(period=period, indicator__code__in=codes)
    previous_rows = metrics_selectors.comparable_figures().filter(
        period__code=period.previous_code, indicator__code__in=codes
    )
    if area is not None:
        current_rows = current_rows.filter(unit__area__path__startswith=area.path)
        previous_rows = previous_rows.filter(unit__area__path__startswith=area.path)
    current = {f.indicator_id: f for f in current_rows}
    previous = dict(previous_rows.values_list("indicator_id", "value"))
    figures = {}
    for indicator in indicators:
        if indicator.is_computed:
            if indicator.code in computed:
                figures[indicator.code] = computed_entry(computed[indicator.code])
            continue
        figure = current.get(indicator.pk)
        has_value = figure is not None and figure.value is not None
        figures[indicator.code] = {
            "value": _text(figure.value) if has_value else None,
            "status": figure.status if figure is not None else "missing",
            "name": indicator.name,
            "unit": indicator.unit,
            "department": _department(indicator, plan),
            "previous": _text(previous.get(indicator.pk)),
            "change": kind_of(indicator.value_type),
        }
    return figures


def _department(indicator: Indicator, plan) -> str:
    """Who reported the figure: the indicator's department in the installation's own area (as
    it always read), the area's one unit of the reporting kind elsewhere."""
    if plan.whole:
        return indicator.department.name
    unit = plan.units.get(indicator.reporting_kind_id)
    return unit[1] if unit is not None else indicator.department.name


def _text(value):
    return None if value is None else plain(value)


INVALID = "invalid"


def computed_entry(item) -> dict:
    """A computed indicator in the snapshot: its value from the inputs as they stand (a final
    report needs them all approved, so there it is the value from approved inputs), and in
    `gaps` the inputs it lacks (missing, or not approved), each with its department, so that a
    draft's marker and the final report's refusal name the INPUT; a division by zero is a gap
    of the indicator itself, with its Chinese reason."""
    missing = {i.code for i in item.missing_inputs}
    lacking = [
        {
            "code": i.code,
            "name": i.label,
            "department": i.department,
            "status": "missing" if i.code in missing else (i.status or "missing"),
            "value": None if i.code in missing or i.value is None else plain(i.value),
            "previous": i.previous,
        }
        for i in [*item.missing_inputs, *item.unapproved_inputs]
    ]
    if item.approved:
        status = FigureStatus.APPROVED.value
    elif item.value is None and not item.missing_inputs:
        status = INVALID
    elif item.missing_inputs:
        status = "missing"
    else:
        status = FigureStatus.SUBMITTED.value
    return {
        "value": _text(item.value),
        "status": status,
        "name": item.name,
        "unit": item.unit,
        "department": item.indicator.department.name,
        "previous": _text(item.previous),
        "change": item.change.kind,
        "places": item.places,
        "computed": True,
        "formula": item.formula_text,
        "gaps": lacking,
        "reason": item.reason if item.value is None and not item.missing_inputs else "",
    }


def gaps(snapshot: dict) -> list[dict]:
    """Figures a final report cannot be built without: missing, or not yet approved. For a
    computed indicator, the inputs it lacks (with their departments), or itself when it cannot
    be computed (a division by zero), with the reason; for a rolled-up one, each child area or
    unit that has not reported it approved (code@child, the child as its department)."""
    found: dict[str, dict] = {}
    for code, entry in snapshot["figures"].items():
        reason = standing(entry)
        if reason is not None and entry.get("lacking"):
            # A rolled-up figure (reports.area_figures): the children it waits for.
            for lacking in entry["lacking"]:
                found.setdefault(lacking["code"], lacking)
        elif reason == "computed":
            lacking_inputs = entry.get("gaps") or []
            for lacking in lacking_inputs:
                found.setdefault(lacking["code"], lacking)
            if entry["status"] == INVALID or not lacking_inputs:
                found.setdefault(code, {"code": code, **entry})
        elif reason is not None:
            found.setdefault(code, {"code": code, **entry})
    return list(found.values())


def document_gaps(snapshot: dict, table_codes: list[str]) -> list[dict]:
    """What a final document lacks: its figures' gaps (`gaps`), then its comparison tables'
    (rendering.standing.table_gaps), each named once (a district's figure missing from the
    city's value and from its row of the table is one gap, code@district)."""
    found: dict[str, dict] = {}
    for gap in [*gaps(snapshot), *table_gaps(snapshot, table_codes)]:
        found.setdefault(gap["code"], gap)
    return list(found.values())


def gaps_by_department(gap_list: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for gap in gap_list:
        grouped.setdefault(gap["department"], []).append(gap)
    return grouped


def jobs_for_period(*, period: ReportingPeriod):
    return ReportJob.objects.filter(period=period).select_related(
        "requested_by", "template_version", "period"
    )


def job_status(*, job_id: int) -> str | None:
    """A job's status as stored now (None: no such job); what the job page's long poll reads."""
    return ReportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()


def _snapshot_entry_text(entry: dict) -> str:
    """A figure of a snapshot as the job page shows it: 64（已审核） / 未填."""
    value, status = entry.get("value"), entry.get("status")
    label = FigureStatus(status).label if status in FigureStatus.values else ""
    if value is None:
        return f"未填（{label}）" if label else "未填"
    return f"{value}（{label}）" if label else str(value)


def snapshot_changes(*, old: dict, new: dict) -> list[dict]:
    """Figures whose value or status differ between two reports' snapshots."""
    changes = []
    for code, entry in new["figures"].items():
        before = old["figures"].get(code, {})
        if before.get("value") != entry["value"] or before.get("status") != entry["status"]:
            changes.append(
                {
                    "code": code,
                    "name": entry["name"],
                    "old": before.get("value"),
                    "new": entry["value"],
                    "old_text": _snapshot_entry_text(before),
                    "new_text": _snapshot_entry_text(entry),
                }
            )
    return changes


@dataclass(frozen=True)
class CarriedOver:
    """本年度沿用上年文稿: the text a new version would start from, shown before saving."""

    text: str
    source: str  # which text it came from, in words
    year: int
    changes: list


def carried_over(*, template: ReportTemplate, period: ReportingPeriod | None) -> CarriedOver:
    """The version the final build of `template` for the same period a year earlier used
    (2026 for 2027, 2026Q3 for 2027Q3; else the current version), with last year's own year
    written as {year} (reports.carry_over)."""
    current = template.current_version
    year = (period.parsed_code.year if period is not None else timezone.localdate().year) - 1
    previous_code = period.previous_code if period is not None else str(year)
    last_final = (
        ReportJob.objects.filter(
            template_version__template=template,
            kind=ReportKind.FINAL,
            status=JobStatus.SUCCEEDED,
            period__code=previous_code,
        )
        .select_related("template_version", "period")
        .order_by("-requested_at")
        .first()
    )
    version = last_final.template_version if last_final else current
    source = (
        f"{last_final.period.label}正式稿所用的第{version.number}版"
        if last_final
        else f"当前第{version.number}版"
    )
    text, changes = carry_over(version.text, year)
    return CarriedOver(text=text, source=source, year=year, changes=changes)
