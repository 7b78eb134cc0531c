"""A clerk's writes on their department's figures: one figure, a draft sheet, a submit."""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from .. import access, selectors
from ..models import (
    CommentKind,
    Department,
    Figure,
    FigureComment,
    FigureStatus,
    Indicator,
    ReportingPeriod,
)
from ..progress import not_entered
from ..rules import department_findings
from ..texts import EXPLANATION, REMARK, clean_text
from ..validation import parse_value
from ._common import (
    EDITABLE_BY_CLERK,
    FigureConflict,
    conflict_message,
    created_meanwhile,
    ensure_entered,
    ensure_unlocked,
    insert_figure,
    record,
    save_figures,
    write_figure,
)


@transaction.atomic
def save_figure(
    *,
    indicator: Indicator,
    period: ReportingPeriod,
    value: object,
    remark: str = "",
    user,
    expected_version: int | None = None,
    reason: str = "填报",
    explanation: str | None = None,
    unit: Department | None = None,
) -> Figure:
    """A clerk saves one figure of their unit (`unit`, by default the unit the clerk enters
    for when it reports the indicator, else the indicator's own department) as a draft (a returned figure stays
    returned until it is submitted again). `value` is what was typed or sent (text, a number,
    a Decimal or None for "not filled yet"), parsed here after the permission check, so that a
    foreign figure is refused whatever the value. `explanation` None leaves 上报说明 as it is."""
    unit = unit or _unit_for(user, indicator)
    _may_enter(user, indicator, period, unit)
    value = parse_value(indicator, value)
    remark = clean_text(remark, kind=REMARK)
    if explanation is not None:
        explanation = clean_text(explanation, kind=EXPLANATION)
    figure = _figure_to_edit(indicator, period, unit, expected_version=expected_version)
    if explanation is None:
        explanation = figure.explanation
    if (
        figure.pk
        and figure.value == value
        and figure.remark == remark
        and figure.explanation == explanation
    ):
        return figure
    figure.value = value
    figure.remark = remark
    figure.explanation = explanation
    figure.updated_by = user
    figure.version += 1
    record(figure, user=user, reason=reason)
    if figure.pk is not None:
        write_figure(figure)
        return figure
    if not insert_figure(figure):  # another session created the same figure meanwhile
        if expected_version is None:  # "whatever is stored": write over the other's figure
            return save_figure(
                indicator=indicator,
                period=period,
                value=value,
                remark=remark,
                user=user,
                reason=reason,
                explanation=explanation,
                expected_version=None,
                unit=unit,
            )
        current = Figure.objects.select_related("updated_by").get(
            indicator=indicator, period=period, unit=unit
        )
        raise FigureConflict(current)
    return figure


def _unit_for(user, indicator: Indicator) -> Department:
    """The unit a clerk's write on `indicator` is for: theirs when it reports the indicator,
    else the indicator's own department (which the permission check then refuses)."""
    unit = access.entering_unit(user)
    if unit is not None and access.reports(unit, indicator):
        return unit
    return indicator.department


def _may_enter(user, indicator: Indicator, period: ReportingPeriod, unit: Department) -> None:
    access.require(
        access.can_enter_indicator(user, indicator, unit),
        f"您不能填报{unit.name}的“{indicator.name}”数据。"
        if access.can_enter_figures(user, unit)
        else f"您不能填报{unit.name}的数据。",
    )
    ensure_unlocked(unit, period)
    ensure_entered(indicator, period)


def _figure_to_edit(
    indicator: Indicator,
    period: ReportingPeriod,
    unit: Department,
    *,
    expected_version: int | None,
) -> Figure:
    """The stored figure, locked, or a new one; refused when it changed since
    `expected_version` or is no longer the clerk's to change."""
    figure = (
        Figure.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, period=period, unit=unit)
        .first()
    )
    if figure is None:
        if expected_version not in (None, 0):
            raise FigureConflict(Figure(indicator=indicator, period=period, version=0))
        return Figure.blank(indicator=indicator, period=period, unit=unit, version=0)
    if expected_version is not None and expected_version != figure.version:
        raise FigureConflict(figure)
    if figure.status not in EDITABLE_BY_CLERK:
        raise ValidationError(
            f"{indicator.name}{figure.get_status_display()}，不能再修改；如需更正请联系审核员退回。"
        )
    return figure


@transaction.atomic
def submit_figures(
    *, department: Department, period: ReportingPeriod, user, force: bool = False
) -> list[Figure]:
    """Send a department's figures for a period to the reviewers: all or none.

    Refused, with messages keyed by indicator code (ValidationError.error_dict), when a
    figure is missing or an error rule fails. A warning (a warning rule, a change of more
    than ±50% against the previous period) refuses a plain submit; `force` (强制上报) sends
    the figures anyway provided each warned figure carries a written 上报说明.
    """
    access.require(
        access.can_enter_figures(user, department), f"您不能报送{department.name}的数据。"
    )
    ensure_unlocked(department, period)
    indicators = list(selectors.entered_indicators(period=period, department=department))
    by_pk = {i.pk: i for i in indicators}
    figures = {
        f.indicator_id: f
        for f in Figure.objects.select_for_update(of=("self",)).filter(
            period=period, unit=department, indicator_id__in=list(by_pk)
        )
    }
    for figure in figures.values():
        figure.indicator = by_pk[figure.indicator_id]  # no query per figure below
    errors = _missing(indicators, figures)

    def add(code, message):
        errors.setdefault(code, []).append(message)

    findings = department_findings(
        department=department,
        indicators=indicators,
        rules=list(selectors.rules_touching(department=department)),
        values=selectors.rule_values(period=period, unit=department),
        previous=selectors.rule_previous(period=period, department=department),
    )
    for finding in findings:
        if finding.is_error:
            add(finding.code, finding.message)
    if errors:
        raise ValidationError(errors)
    to_submit = [f for f in figures.values() if f.status in EDITABLE_BY_CLERK]
    if not to_submit:
        raise ValidationError("没有需要报送的数据：全部数据均已报送或已审核。")
    by_code = {f.indicator.code: f for f in to_submit}
    warnings = [w for w in findings if w.is_warning and w.code in by_code]
    if warnings and not force:
        for warning in warnings:
            add(warning.code, warning.message)
        errors[NON_FIELD_ERRORS] = [
            "存在需要说明的预警。请核实数据，在相应指标的“上报说明”中写明原因后点击“强制上报”。"
        ]
        raise ValidationError(errors)
    for warning in warnings:
        if not by_code[warning.code].explanation.strip():
            add(warning.code, f"{warning.message}（强制上报须填写上报说明）")
    if errors:
        raise ValidationError(errors)
    _mark_submitted(to_submit, warned={w.code for w in warnings}, user=user)
    return to_submit


def _missing(indicators: list[Indicator], figures: dict[int, Figure]) -> dict[str, list[str]]:
    """A message by code for each indicator without a value yet."""
    return {
        indicator.code: [f"{indicator.name}尚未填写。"]
        for indicator in indicators
        if figures.get(indicator.pk) is None or figures[indicator.pk].value is None
    }


def _mark_submitted(to_submit: list[Figure], *, warned: set[str], user) -> None:
    """Each figure sent, with a history row; a warned one (强制上报) leaves its 上报说明 in the
    figure's thread."""
    explanations = []
    for figure in to_submit:
        figure.status = FigureStatus.SUBMITTED
        figure.updated_by = user
        figure.version += 1
        forced = figure.indicator.code in warned
        record(figure, user=user, reason="强制上报" if forced else "报送")
        if forced:
            explanations.append(
                FigureComment(
                    figure=figure,
                    author=user,
                    kind=CommentKind.EXPLANATION,
                    text=figure.explanation.strip(),
                )
            )
    save_figures(to_submit)
    FigureComment.objects.bulk_create(explanations)


@dataclass(frozen=True)
class Entry:
    """One row of the entry form as typed: raw text, and the version the clerk loaded."""

    code: str
    value: str
    remark: str = ""
    explanation: str | None = None
    version: int | None = None


class DraftResult:
    """What a draft save did: `saved` the figures stored as typed (written or already so),
    `written` the codes of those this save changed; `errors` the messages of each refused row
    by indicator code (a value that is not valid, or a stale row); `conflicts` the figure
    stored now for each stale row (also in `errors`)."""

    def __init__(self) -> None:
        self.saved: list[Figure] = []
        self.written: list[str] = []
        self.errors: dict[str, list[str]] = {}
        self.conflicts: dict[str, Figure] = {}

    @property
    def refused(self) -> list[str]:
        return list(self.errors)

    @property
    def complete(self) -> bool:
        """True when no typed row was refused."""
        return not self.errors

    def refuse(self, code: str, messages: list[str], current: Figure | None = None) -> None:
        self.errors[code] = list(messages)
        if current is not None:
            self.conflicts[code] = current


@transaction.atomic
def save_draft(
    *, department: Department, period: ReportingPeriod, entries: list[Entry], user
) -> DraftResult:
    """Save what the clerk typed on the entry form, incomplete or not, row by row in one
    transaction: every valid row is saved; a row whose value is not valid, or which changed
    since the clerk loaded it (its version is stale), is refused and left as stored, with its
    message in the result (nothing typed is lost: the form shows it again next to the field).

    Raises only for the request as a whole (PermissionDenied, a locked period, a code of
    another department); then nothing is saved."""
    access.require(
        access.can_enter_figures(user, department), f"您不能填报{department.name}的数据。"
    )
    ensure_unlocked(department, period)
    indicators = {i.code: i for i in Indicator.objects.filter(access.reported_by(department))}
    entered = {i.code for i in selectors.entered_indicators(period=period, department=department)}
    figures = {
        f.indicator_id: f
        for f in Figure.objects.select_for_update(of=("self",)).filter(
            period=period, unit=department
        )
    }
    result = DraftResult()
    changed: list[tuple[str, Figure]] = []
    for entry in entries:
        indicator = indicators.get(entry.code)
        if indicator is None:
            raise ValidationError(f"指标“{entry.code}”不属于{department.name}。")
        if entry.code not in entered:
            # A computed or retired indicator is never written; the form says why.
            result.refuse(entry.code, [not_entered(indicator, period)[1]])
            continue
        figure = _draft_row(
            entry,
            indicator=indicator,
            figure=figures.get(indicator.pk),
            period=period,
            unit=department,
            user=user,
            result=result,
        )
        if figure is not None:
            changed.append((entry.code, figure))
    _write_draft(changed, result, period=period, unit=department)
    return result


def _draft_row(
    entry: Entry,
    *,
    indicator: Indicator,
    figure: Figure | None,
    period: ReportingPeriod,
    unit: Department,
    user,
    result: DraftResult,
) -> Figure | None:
    """The figure to write for one typed row, changed in memory; None when there is nothing
    to write (a read-only row, nothing typed, stored as typed already) or the row is refused
    (its message in `result`)."""
    if figure is not None and figure.status not in EDITABLE_BY_CLERK:
        return None  # read-only rows are shown, never written
    stored_version = figure.version if figure else 0
    if entry.version is not None and entry.version != stored_version:
        current = figure or Figure(indicator=indicator, period=period, version=0)
        result.refuse(entry.code, [conflict_message(figure)], current)
        return None
    try:
        value = parse_value(indicator, entry.value)
        remark = clean_text(entry.remark, kind=REMARK)
        explanation = (
            None if entry.explanation is None else clean_text(entry.explanation, kind=EXPLANATION)
        )
    except ValidationError as exc:
        result.refuse(entry.code, exc.messages)
        return None
    if figure is None:
        if value is None and not remark:
            return None  # nothing typed for a figure that does not exist yet
        figure = Figure.blank(indicator=indicator, period=period, unit=unit, version=0)
    if explanation is None:
        explanation = figure.explanation
    if figure.pk and (figure.value, figure.remark, figure.explanation) == (
        value,
        remark,
        explanation,
    ):
        result.saved.append(figure)  # stored as typed already: nothing to write
        return None
    figure.value, figure.remark, figure.explanation = value, remark, explanation
    figure.updated_by = user
    figure.version += 1
    record(figure, user=user, reason="填报")
    return figure


def _write_draft(
    changed: list[tuple[str, Figure]], result: DraftResult, *, period, unit: Department
) -> None:
    """Write the changed rows in a fixed number of queries. A figure another session created
    meanwhile (the unique constraint) refuses that row as a conflict; the others are written."""
    try:
        with transaction.atomic():
            save_figures([figure for _, figure in changed])
    except IntegrityError as exc:
        if not created_meanwhile(exc):
            raise
        created = {
            f.indicator_id: f
            for f in Figure.objects.select_related("updated_by").filter(
                period=period,
                unit=unit,
                indicator_id__in=[f.indicator_id for _, f in changed if not f.pk],
            )
        }
        for code, figure in changed:
            if figure.pk is None and figure.indicator_id in created:
                current = created[figure.indicator_id]
                result.refuse(code, [conflict_message(current)], current)
        changed = [(c, f) for c, f in changed if c not in result.errors]
        with transaction.atomic():
            save_figures([figure for _, figure in changed])
    for code, figure in changed:
        result.saved.append(figure)
        result.written.append(code)
