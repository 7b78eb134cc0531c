"""Importing a sheet of figures (an upload, the API's bulk write, load_figures): all or nothing."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from .. import access, selectors
from ..computed import computed_over
from ..models import (
    Department,
    Figure,
    FigureStatus,
    Indicator,
    ReportingPeriod,
)
from ..progress import not_entered
from ..rules import evaluate_all
from ..texts import REMARK, clean_text
from ..validation import parse_value
from ._common import (
    EDITABLE_BY_CLERK,
    FigureConflict,
    changed_by,
    created_meanwhile,
    ensure_units_unlocked,
    record,
    save_figures,
)


@dataclass(frozen=True)
class FigureRow:
    """One row of an import file; `line` is the row number people see in the sheet."""

    line: int
    code: str
    value: object
    remark: str = ""
    # The figure's version when the row was prepared (a downloaded sheet, an API client);
    # None: not known, the row is written whatever the figure's version.
    version: int | None = None


def _stale_row_message(figure: Figure | None, name: str) -> str:
    if figure is None:
        return f"{name}在表格生成后已被删除，请重新下载填报表。"
    return (
        f"{name}在表格生成后{changed_by(figure)}；"
        "为免覆盖他人的修改，请重新下载填报表后再填写上传。"
    )


def import_figures(
    *,
    period: ReportingPeriod,
    rows: list[FigureRow],
    user,
    approve: bool = False,
    source: str = "导入",
    department: Department | None = None,
    skip_empty: bool = False,
) -> list[Figure]:
    """Write every row or none: any bad row refuses the whole file, naming each bad row (by
    its line and the indicator's name; a code only where the code itself is unknown).

    `department` limits the file to one department's indicators (a clerk's upload, the API's
    bulk write); without it the import is administrative (a reviewer, or the command line's
    system account) and may touch any indicator. `approve` marks the figures approved, which
    only a reviewer may do. `skip_empty` leaves out rows without a value (a clerk's sheet
    filled in part).

    One transaction. Two imports creating the same figure at once: the database's constraint
    lets one through and the other, having waited for it, reads the figures again under their
    locks and writes once more (in a savepoint) as if it had come second (a row sent with its
    version is then refused as stale, one without is written over). Should a third writer win
    that race too, the import is refused with the conflict (409) and the figure as it stands.
    """
    arguments = dict(
        period=period,
        rows=rows,
        user=user,
        approve=approve,
        source=source,
        department=department,
        skip_empty=skip_empty,
    )
    with transaction.atomic():
        for attempt in range(2):
            try:
                with transaction.atomic():
                    return _import_once(**arguments)
            except IntegrityError as exc:
                if not created_meanwhile(exc):
                    raise
                if attempt:
                    raise _conflict(period, rows) from exc


@dataclass
class _Parsed:
    """The rows read: by code, (indicator, value, remark), the versions sent and the lines."""

    indicators: dict[str, Indicator]
    values: dict[str, tuple[Indicator, Decimal, str]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    errors: list = field(default_factory=list)  # messages, or ValidationErrors with a code


def _import_once(
    *,
    period: ReportingPeriod,
    rows: list[FigureRow],
    user,
    approve: bool,
    source: str,
    department: Department | None,
    skip_empty: bool,
) -> list[Figure]:
    """One attempt of import_figures, inside its transaction."""
    _check_importer(user, department=department, approve=approve)
    if period.closed_for_entry:
        raise ValidationError([f"{period.label}{period.get_state_display()}，不能导入数据。"])
    parsed = _parse_rows(rows, period=period, department=department, skip_empty=skip_empty)
    errors = parsed.errors
    if not rows or (skip_empty and not parsed.values and not errors):
        errors.append("文件中没有数据行。" if not rows else "文件中没有填写任何数值。")
    # A clerk's file is their unit's figures; an administrative one each indicator's own
    # department's (the one reporting unit of a one-district installation).
    ensure_units_unlocked(
        [department]
        if department is not None
        else {i.department_id: i.department for i, _, _ in parsed.values.values()}.values(),
        period,
    )
    unit = {"unit": department} if department is not None else {"unit": F("indicator__department")}
    existing = {
        f.indicator.code: f
        for f in Figure.objects.select_for_update(of=("self",))
        .select_related("indicator", "updated_by")
        .filter(period=period, indicator__code__in=parsed.values, **unit)
    }
    to_write = _changed_codes(parsed, existing, approve=approve)
    errors += _write_problems(parsed, existing, to_write, approve=approve, department=department)
    if approve and not errors:
        errors += _approval_problems(parsed, period=period)
    if errors:
        raise ValidationError(errors)
    return _write(
        parsed,
        existing,
        to_write,
        period=period,
        user=user,
        approve=approve,
        source=source,
        unit=department,
    )


def _check_importer(user, *, department: Department | None, approve: bool) -> None:
    if department is not None and not approve:
        access.require(
            access.can_enter_figures(user, department), f"您不能导入{department.name}的数据。"
        )
    else:
        access.require(access.can_review(user), "只有审核员可以导入各部门的数据或直接审核通过。")


def _parse_rows(
    rows: list[FigureRow],
    *,
    period: ReportingPeriod,
    department: Department | None,
    skip_empty: bool,
) -> _Parsed:
    """Each row checked: a known indicator of the department, entered in the period, once, a
    value of its type (or left out when empty and `skip_empty`), a remark within its limit."""
    parsed = _Parsed(
        indicators={i.code: i for i in Indicator.objects.select_related("department__area")}
    )
    errors, seen_lines = parsed.errors, parsed.lines
    for row in rows:
        code = (row.code or "").strip()
        indicator = parsed.indicators.get(code)
        if indicator is None:
            errors.append(f"第{row.line}行：未知的指标代码“{code}”。")
            continue
        if department is not None and not access.reports(department, indicator):
            errors.append(f"第{row.line}行：指标“{indicator.name}”不属于{department.name}。")
            continue
        refusal = not_entered(indicator, period)
        if refusal is not None:  # with its stable code (computed_indicator …) for the API
            errors.append(ValidationError(f"第{row.line}行：{refusal[1]}", code=refusal[0]))
            continue
        if code in seen_lines:
            errors.append(f"第{row.line}行：指标“{indicator.name}”与第{seen_lines[code]}行重复。")
            continue
        seen_lines[code] = row.line
        try:
            value = parse_value(indicator, row.value)
        except ValidationError as exc:
            errors.append(f"第{row.line}行（{indicator.name}）：{' '.join(exc.messages)}")
            continue
        if value is None:
            if skip_empty:
                del seen_lines[code]
                continue
            errors.append(f"第{row.line}行（{indicator.name}）：数值为空。")
            continue
        try:
            remark = clean_text(row.remark, kind=REMARK)
        except ValidationError as exc:
            errors.append(f"第{row.line}行（{indicator.name}）：{' '.join(exc.messages)}")
            continue
        parsed.values[code] = (indicator, value, remark)
        if row.version is not None:
            parsed.versions[code] = row.version
    return parsed


def _changed_codes(parsed: _Parsed, existing: dict, *, approve: bool) -> list[str]:
    """A row that changes nothing writes nothing: it needs neither a current version nor an
    editable figure (the same value sent again for an approved figure is not an error)."""

    def unchanged(code) -> bool:
        figure, (_, value, remark) = existing.get(code), parsed.values[code]
        return (
            figure is not None
            and figure.value == value
            and figure.remark == remark
            and (not approve or figure.status == FigureStatus.APPROVED)
        )

    return [code for code in parsed.values if not unchanged(code)]


def _write_problems(
    parsed: _Parsed, existing: dict, to_write: list[str], *, approve: bool, department
) -> list[str]:
    """A row written over a figure changed since its version, or over a sent figure."""
    errors = []
    for code in to_write:
        figure = existing.get(code)
        current = figure.version if figure else 0
        line = parsed.lines[code]
        if code in parsed.versions and parsed.versions[code] != current:
            errors.append(f"第{line}行：{_stale_row_message(figure, parsed.indicators[code].name)}")
        # Only an approving import may change a sent figure: a draft import would quietly
        # take an approved figure back to a draft.
        if not approve and figure and figure.status not in EDITABLE_BY_CLERK:
            errors.append(
                f"第{line}行：{figure.indicator.name}{figure.get_status_display()}，不能再修改"
                + (
                    "。"
                    if department is not None
                    else "（管理导入可加 --approve 直接更正为已审核）。"
                )
            )
    return errors


def _approval_problems(parsed: _Parsed, *, period: ReportingPeriod) -> list[str]:
    """Approved figures skip the submit step, so its blocking rules are checked here."""
    values = selectors.period_values(period=period)
    values.update({code: value for code, (_, value, _) in parsed.values.items()})
    values.update(computed_over(period=period, values=values))
    rules = selectors.active_rules().filter(
        Q(left__code__in=parsed.values)
        | Q(right__code__in=parsed.values)
        | ~Q(left__formula="")
        | Q(right__isnull=False) & ~Q(right__formula="")
    )
    previous = selectors.rule_previous(period=period)
    return [r.message for r in evaluate_all(rules, values, previous) if r.is_error]


def _write(
    parsed: _Parsed,
    existing: dict,
    to_write: list[str],
    *,
    period: ReportingPeriod,
    user,
    approve: bool,
    source: str,
    unit: Department | None,
) -> list[Figure]:
    status = FigureStatus.APPROVED if approve else FigureStatus.DRAFT
    reason = f"{source}（审核通过）" if approve else source
    saved = []
    for code in to_write:
        indicator, value, remark = parsed.values[code]
        figure = existing.get(code) or Figure.blank(
            indicator=indicator, period=period, unit=unit, version=0
        )
        figure.value = value
        figure.remark = remark
        if approve or figure.status != FigureStatus.RETURNED:
            figure.status = status  # a returned figure stays returned until it is resubmitted
        figure.updated_by = user
        figure.version += 1
        record(figure, user=user, reason=reason)
        saved.append(figure)
    # New figures in one order for every writer, so that two imports creating the same ones
    # wait for each other instead of deadlocking.
    saved.sort(key=lambda f: (f.pk is None, f.indicator_id))
    with transaction.atomic():  # another writer may be creating one of these figures
        save_figures(saved)
    return saved


def _conflict(period: ReportingPeriod, rows: list[FigureRow]) -> FigureConflict:
    current = (
        Figure.objects.select_related("updated_by", "indicator")
        .filter(period=period, indicator__code__in=[(row.code or "").strip() for row in rows])
        .order_by("-updated_at", "-pk")
        .first()
    )
    return FigureConflict(current or Figure(period=period, version=0))
