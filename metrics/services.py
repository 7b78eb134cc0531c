"""Write operations on figures. Each runs in one transaction, takes the acting user and leaves
its audit trail (django-simple-history) with a reason."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from . import access, selectors
from .models import Department, Figure, FigureStatus, Indicator, ReportingPeriod
from .rules import evaluate_all
from .validation import check_value, parse_value

EDITABLE_BY_CLERK = (FigureStatus.DRAFT, FigureStatus.RETURNED)


class FigureConflict(Exception):
    """The figure changed since the editor loaded it; `figure` holds what is stored now."""

    def __init__(self, figure: Figure):
        self.figure = figure
        super().__init__(f"figure {figure.pk} is at version {figure.version}")


def _record(figure: Figure, *, user, reason: str) -> None:
    """Name the acting user and the reason in the history row the next save writes."""
    figure._history_user = user if user is not None and user.is_authenticated else None
    figure._change_reason = reason


def _ensure_open(period: ReportingPeriod) -> None:
    if period.is_locked:
        raise ValidationError(f"{period.label}已锁定，不能再修改数据。")


@transaction.atomic
def save_figure(
    *,
    indicator: Indicator,
    period: ReportingPeriod,
    value: Decimal | None,
    remark: str = "",
    user,
    expected_version: int | None = None,
    reason: str = "填报",
) -> Figure:
    """A clerk saves one figure of their department as a draft."""
    access.require(
        access.can_enter_figures(user, indicator.department),
        f"您不能填报{indicator.department.name}的数据。",
    )
    _ensure_open(period)
    if value is not None:
        check_value(indicator, value)
    figure = Figure.objects.select_for_update().filter(indicator=indicator, period=period).first()
    if figure is None:
        if expected_version not in (None, 0):
            raise FigureConflict(Figure(indicator=indicator, period=period, version=0))
        figure = Figure(
            indicator=indicator, period=period, value_type=indicator.value_type, version=0
        )
    else:
        if expected_version is not None and expected_version != figure.version:
            raise FigureConflict(figure)
        if figure.status not in EDITABLE_BY_CLERK:
            raise ValidationError(
                f"{indicator.name}{figure.get_status_display()}，不能再修改；如需更正请联系审核员退回。"
            )
    if figure.pk and figure.value == value and figure.remark == remark:
        return figure
    figure.value = value
    figure.remark = remark
    figure.updated_by = user
    figure.version += 1
    _record(figure, user=user, reason=reason)
    figure.save()
    return figure


@transaction.atomic
def submit_figures(*, department: Department, period: ReportingPeriod, user) -> list[Figure]:
    """Send a department's figures for a period to the reviewers: all or none."""
    access.require(
        access.can_enter_figures(user, department), f"您不能报送{department.name}的数据。"
    )
    _ensure_open(period)
    indicators = list(department.indicators.all())
    figures = {
        f.indicator_id: f
        for f in Figure.objects.select_for_update().filter(
            period=period, indicator__department=department
        )
    }
    problems = [
        f"{indicator.name}尚未填写。"
        for indicator in indicators
        if figures.get(indicator.pk) is None or figures[indicator.pk].value is None
    ]
    values = selectors.period_values(period=period)
    for result in evaluate_all(selectors.rules_touching(department=department), values):
        if result.is_error:
            problems.append(result.message)
    if problems:
        raise ValidationError(problems)
    to_submit = [f for f in figures.values() if f.status in EDITABLE_BY_CLERK]
    if not to_submit:
        raise ValidationError("没有需要报送的数据：全部数据均已报送或已审核。")
    for figure in to_submit:
        figure.status = FigureStatus.SUBMITTED
        figure.updated_by = user
        figure.version += 1
        _record(figure, user=user, reason="报送")
        figure.save()
    return to_submit


@dataclass(frozen=True)
class FigureRow:
    """One row of an import file; `line` is the row number people see in the sheet."""

    line: int
    code: str
    value: object
    remark: str = ""


@transaction.atomic
def import_figures(
    *,
    period: ReportingPeriod,
    rows: list[FigureRow],
    user=None,
    approve: bool = False,
    source: str = "导入",
    department: Department | None = None,
) -> list[Figure]:
    """Write every row or none: any bad row refuses the whole file, naming each bad row.

    `department` limits the file to one department's indicators (a clerk's upload);
    without it the import is administrative and may touch any indicator.
    """
    if period.is_locked:
        raise ValidationError([f"{period.label}已锁定，不能导入数据。"])
    indicators = {i.code: i for i in Indicator.objects.select_related("department")}
    errors: list[str] = []
    parsed: dict[str, tuple[Indicator, Decimal, str]] = {}
    seen_lines: dict[str, int] = {}
    for row in rows:
        code = (row.code or "").strip()
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(f"第{row.line}行：未知的指标代码“{code}”。")
            continue
        if department is not None and indicator.department_id != department.pk:
            errors.append(f"第{row.line}行：指标“{indicator.name}”不属于{department.name}。")
            continue
        if code in seen_lines:
            errors.append(f"第{row.line}行：指标“{code}”与第{seen_lines[code]}行重复。")
            continue
        seen_lines[code] = row.line
        try:
            value = parse_value(indicator, row.value)
        except ValidationError as exc:
            errors.append(f"第{row.line}行（{code}）：{' '.join(exc.messages)}")
            continue
        if value is None:
            errors.append(f"第{row.line}行（{code}）：数值为空。")
            continue
        parsed[code] = (indicator, value, (row.remark or "").strip())
    if not rows:
        errors.append("文件中没有数据行。")
    existing = {
        f.indicator.code: f
        for f in Figure.objects.select_for_update()
        .select_related("indicator")
        .filter(period=period, indicator__code__in=parsed)
    }
    if department is not None:
        for code, figure in existing.items():
            if figure.status not in EDITABLE_BY_CLERK:
                errors.append(
                    f"第{seen_lines[code]}行：{figure.indicator.name}{figure.get_status_display()}，不能再修改。"
                )
    if approve and not errors:
        # Approved figures skip the submit step, so its blocking rules are checked here.
        values = selectors.period_values(period=period)
        values.update({code: value for code, (_, value, _) in parsed.items()})
        rules = selectors.active_rules().filter(
            Q(left__code__in=parsed) | Q(right__code__in=parsed)
        )
        errors += [r.message for r in evaluate_all(rules, values) if r.is_error]
    if errors:
        raise ValidationError(errors)

    status = FigureStatus.APPROVED if approve else FigureStatus.DRAFT
    reason = f"{source}（审核通过）" if approve else source
    saved = []
    for code, (indicator, value, remark) in parsed.items():
        figure = existing.get(code) or Figure(
            indicator=indicator, period=period, value_type=indicator.value_type, version=0
        )
        figure.value = value
        figure.remark = remark
        figure.status = status
        figure.updated_by = user
        figure.version += 1
        _record(figure, user=user, reason=reason)
        figure.save()
        saved.append(figure)
    return saved
