"""What the write services share: the clerk-editable states, the conflict on a stale version,
the audit record of a save and the check that a period is open."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lawgov.domain_errors import DomainError

from .. import totals
from ..areas import is_within
from ..models import (
    AreaApproval,
    Department,
    Figure,
    ReportingPeriod,
)
from ..numbers import NOT_FILLED, plain, shown
from ..progress import CLERK_EDITABLE, State, not_entered

# The stored statuses a clerk may still change (metrics.progress.CLERK_EDITABLE, less the
# "empty" state, which is no stored status); the services check the period's lock apart.
EDITABLE_BY_CLERK = tuple(sorted(CLERK_EDITABLE - {State.EMPTY}))


class FigureConflict(DomainError):
    """The figure changed since the editor loaded it; `figure` holds what is stored now."""

    status_code = 409
    default_code = "conflict"
    default_detail = "该数据已被他人修改，请以最新数值为准后再保存。"

    def __init__(self, figure: Figure):
        self.figure = figure
        super().__init__(f"figure {figure.pk} is at version {figure.version}")

    def api_extra(self) -> dict:
        figure = self.figure
        return {
            "current": {
                "id": figure.pk,
                "value": None if figure.value is None else plain(figure.value),
                "status": figure.status,
                "version": figure.version,
            }
        }


def record(figure, *, user, reason: str) -> None:
    """Name the acting user and the reason in the history row the next save of `figure` (or
    any model with history) writes."""
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    figure._history_user = user
    figure._change_reason = reason


def ensure_entered(indicator, period: ReportingPeriod) -> None:
    """Refuse a write to an indicator nobody enters in `period` (metrics.progress.not_entered),
    with its stable code (computed_indicator, retired_indicator) for the API."""
    refusal = not_entered(indicator, period)
    if refusal is not None:
        code, message = refusal
        raise ValidationError(message, code=code)


def ensure_open(period: ReportingPeriod) -> None:
    if period.is_locked:
        raise ValidationError(f"{period.label}已锁定，不能再修改数据。")
    if period.is_planned:
        raise ValidationError(f"{period.label}尚未开放填报，请等法制办开放后再填写。")


# The API code of a write refused because an office above approved the area as a whole.
AREA_APPROVED = "area_approved"


def ensure_unlocked(unit: Department, period: ReportingPeriod) -> None:
    """Every write on a unit's figures of a period passes here: the period must be open and
    no office above may have approved the unit's area for it (an approval locks what is below
    it until it is withdrawn, metrics.services.area_approval)."""
    ensure_units_unlocked([unit], period)


def ensure_units_unlocked(units, period: ReportingPeriod) -> None:
    """ensure_unlocked for many units at once, in one query."""
    ensure_open(period)
    approvals = list(AreaApproval.objects.filter(period=period).select_related("area"))
    for unit in units:
        for approval in approvals:
            if is_within(unit.area, approval.area):
                area = approval.area.name
                raise ValidationError(
                    f"{area}{period.label}的数据已由上级审核确认，不能再修改或退回；"
                    f"如需更正，请先由上级撤回对{area}的审核确认。",
                    code=AREA_APPROVED,
                )


def changed_by(figure: Figure) -> str:
    """已被陈静于2026-11-30 15:41修改，当前值为 155: who got there first, and what stands."""
    by = figure.updated_by.display_name if figure.updated_by else "他人"
    when = timezone.localtime(figure.updated_at).strftime("%Y-%m-%d %H:%M")
    current = shown(figure.value, empty=NOT_FILLED)
    return f"已被{by}于{when}修改，当前值为 {current}"


def conflict_message(figure: Figure | None) -> str:
    if figure is None or figure.pk is None:
        return "该数据已被他人删除，请刷新页面。"
    return (
        f"该数据{changed_by(figure)}"
        f"（{figure.get_status_display()}）。您填写的内容未保存；核对后如仍以您的为准，请再次保存。"
    )


# What a write service may change on a figure; updated_at is set here, as auto_now would.
FIGURE_FIELDS = [
    "value",
    "remark",
    "explanation",
    "return_reason",
    "status",
    "updated_by",
    "updated_at",
    "version",
]


def save_figures(figures: list[Figure]) -> None:
    """Write many figures and their history rows (each with the user and reason `record`
    set) in a fixed number of queries, whatever their number."""
    now = timezone.now()
    for figure in figures:
        figure.updated_at = now
    existing = [f for f in figures if f.pk is not None]
    new = [f for f in figures if f.pk is None]
    if existing:
        bulk_update_with_history(existing, Figure, FIGURE_FIELDS)
    if new:
        bulk_create_with_history(new, Figure)
    totals.figures_written(figures)


def write_figure(figure: Figure) -> None:
    """Write one existing figure (its history row through `record`) and the area totals it
    changes (metrics.totals)."""
    figure.save()
    totals.figures_written([figure])


def created_meanwhile(exc: IntegrityError) -> bool:
    """The refusal of a second row for the same indicator, period and unit: another session
    created the figure after this one looked (PostgreSQL names the constraint, SQLite the
    columns)."""
    text = str(exc)
    return "figure_unique_indicator_period" in text or (
        "metrics_figure.indicator_id" in text and "metrics_figure.period_id" in text
    )


def insert_figure(figure: Figure) -> bool:
    """Insert a new figure under a savepoint: True, or False when another session created the
    same indicator's figure for the period meanwhile (the unique constraint let theirs
    through); any other refusal is raised."""
    try:
        with transaction.atomic():
            figure.save()
    except IntegrityError as exc:
        if not created_meanwhile(exc):
            raise
        return False
    totals.figures_written([figure])
    return True
