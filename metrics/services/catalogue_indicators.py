"""The 法制办 keeps the catalogue's indicators: a new one, a change, its retirement and its
restoring; the formulas checked against the whole catalogue. The rules every catalogue write
follows are in metrics.services.catalogue."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lawgov.locks import hold
from lawgov.versions import require_current

from .. import formula_graph, formulas, indicator_names, totals
from ..models import (
    Figure,
    FigureStatus,
    Indicator,
    PeriodState,
)
from ..periods import PeriodCode
from ._common import record
from .catalogue import (
    ALREADY,
    CODE_FROZEN,
    DEPARTMENT_RETIRED,
    FIGURES_AWAITING_REVIEW,
    FORMULA_INVALID,
    INDICATOR_CODES_LOCK,
    INDICATOR_FIELDS,
    INDICATOR_IN_USE,
    _baseline,
    _full_clean,
    _manager,
    _reason,
    _refuse,
    _required_reason,
    code_references,
    formula_users,
    suggest_code,
)


def shown_indicator(indicator: Indicator) -> dict:
    """An indicator's current values as a refused editor is shown them (lawgov.versions)."""
    return {
        "名称": indicator.name,
        "代码": indicator.code,
        "单位": indicator.unit,
        "填报说明": indicator.help_text,
        "计算公式": indicator.formula,
    }


def _lock_catalogue() -> None:
    """Serialise the writes that decide what the formulas may read (setting, changing or
    restoring a formula, retiring what one reads): each checks the whole catalogue for
    cycles and retired inputs, so two such writes at once could each pass against the
    other's old state and together save a cycle. Every indicator row is locked, in one
    order, before anything is read; FOR NO KEY UPDATE, so that figures (whose rows point
    at their indicator) are still saved meanwhile. Taken first in each service, before the
    indicator's own row, so two of them never deadlock."""
    list(Indicator.objects.select_for_update(no_key=True).order_by("pk").values_list("pk"))


def _catalogue(exclude_pk=None) -> dict:
    return {
        code: formula_graph.CatalogueEntry(
            name=name, formula=formula, retired=retired_on is not None
        )
        for code, name, formula, retired_on in Indicator.objects.exclude(pk=exclude_pk).values_list(
            "code", "name", "formula", "retired_on"
        )
    }


def _check_indicator(indicator: Indicator, *, before: Indicator | None) -> None:
    """The rules beyond the model's fields, each by field in Chinese. A formula written with
    names (【受理行政复议案件】) is stored with codes."""
    errors = {}
    indicator.formula = (indicator.formula or "").strip()
    if any(mark in indicator.formula for mark in "【[]】"):
        try:
            indicator.formula = formulas.names_to_codes(
                indicator.formula, indicator_names.codes_by_name()
            )
        except formulas.FormulaError as exc:
            raise ValidationError(
                {"formula": [ValidationError(str(exc), code=FORMULA_INVALID)]}
            ) from None
    department = indicator.department if indicator.department_id else None
    department_changed = before is None or before.department_id != indicator.department_id
    if department is not None and department.is_retired and department_changed:
        errors["department"] = [
            ValidationError(f"“{department.name}”已停用，不能负责指标。", code=DEPARTMENT_RETIRED)
        ]
    if indicator.formula:
        if indicator.lower_bound is not None or indicator.upper_bound is not None:
            errors["lower_bound"] = [ValidationError("计算指标不设上下限。")]
        if indicator.decimal_places is None or not 0 <= indicator.decimal_places <= 4:
            errors["decimal_places"] = [ValidationError("小数位数应为 0–4。")]
        if indicator.code:
            try:
                formula_graph.check(
                    indicator.formula,
                    code=indicator.code,
                    catalogue=_catalogue(exclude_pk=indicator.pk),
                    name=indicator.name,
                )
            except formulas.FormulaError as exc:
                errors["formula"] = [ValidationError(str(exc), code=FORMULA_INVALID)]
    elif indicator.decimal_places:
        errors["decimal_places"] = [ValidationError("只有计算指标设小数位数。")]
    if before is not None and indicator.pk is not None:
        has_figures = Figure.objects.filter(indicator_id=indicator.pk).exists()
        if has_figures and before.value_type != indicator.value_type:
            errors["value_type"] = [ValidationError("该指标已有填报数据，不能更改数值类型。")]
        if has_figures and bool(before.formula) != bool(indicator.formula):
            errors["formula"] = [
                ValidationError("该指标已有填报数据，不能在填报指标与计算指标之间转换。")
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_indicator(*, user, code: str = "", reason: str = "", **fields) -> Indicator:
    """A new indicator; without a code, the suggested one (suggest_code)."""
    _manager(user)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    _lock_catalogue()
    indicator = Indicator(**fields)
    indicator.settle_tree_fields()
    if indicator.decimal_places is None:
        indicator.decimal_places = 0
    code = (code or "").strip()
    indicator.code = code or suggest_code(
        name=indicator.name or "", section=indicator.section if indicator.section_id else None
    )
    if indicator.order in (None, 0) and indicator.section_id:
        top = Indicator.objects.filter(section_id=indicator.section_id).aggregate(m=Max("order"))
        indicator.order = (top["m"] or 0) + 1
    _full_clean(indicator, lambda: _check_indicator(indicator, before=None), new_code=True)
    record(indicator, user=user, reason=_reason(reason, "新增指标"))
    indicator.save()
    return indicator


@transaction.atomic
def update_indicator(
    *,
    indicator: Indicator,
    user,
    reason: str = "",
    code: str | None = None,
    expected_version: str | None = None,
    **fields,
) -> Indicator:
    """Change the fields given. The code only while nothing refers to it; the owning
    department only while none of its figures in an open period awaits review (drafts and
    returned figures move with the indicator)."""
    _manager(user)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    # A code change and a template save one after the other (reports takes the same lock
    # before it checks a template's codes), so no template is left naming a code gone.
    hold(INDICATOR_CODES_LOCK)
    _lock_catalogue()
    # FOR NO KEY UPDATE (as _lock_catalogue): the area totals' builder inserts rows pointing
    # at the indicator and must not wait on this while the figures moved here wait on it.
    before = Indicator.objects.select_for_update(no_key=True).get(pk=indicator.pk)
    require_current(before, expected_version, what="该指标", shown=shown_indicator(before))
    _baseline(before)
    indicator = Indicator.objects.select_related("section", "department").get(pk=before.pk)
    for name, value in fields.items():
        setattr(indicator, name, value)
    if "department" in fields or "department_id" in fields:
        indicator.reporting_kind_id = None  # the new department's kind
    indicator.settle_tree_fields()
    if code is not None and code.strip() != before.code:
        refs = code_references(before)
        if refs:
            _refuse(
                "code",
                "指标代码已被引用，不能再修改：" + "；".join(refs) + "。",
                CODE_FROZEN,
            )
        indicator.code = code.strip()
    _full_clean(
        indicator,
        lambda: _check_indicator(indicator, before=before),
        new_code=indicator.code != before.code,
    )
    _check_first_period(indicator, before=before)
    moved = _figures_to_move(indicator, before=before)
    text = _reason(reason, "修改指标")
    record(indicator, user=user, reason=text)
    indicator.save()
    if moved:
        _move_figures(moved, indicator=indicator, user=user, reason=text)
    if moved or any(getattr(indicator, f) != getattr(before, f) for f in _WHO_REPORTS):
        totals.invalidate()  # other units report it, in other periods, or its figures moved
    return indicator


# What decides who reports an indicator in which period: the area totals and the units'
# sent figures (metrics.totals) count by it.
_WHO_REPORTS = ("reporting_kind_id", "first_period_id", "retired_on", "formula")


def _check_first_period(indicator: Indicator, *, before: Indicator) -> None:
    """A later first period (从…起填报) is refused while figures exist before it."""
    if indicator.first_period_id and indicator.first_period_id != before.first_period_id:
        earlier = (
            Figure.objects.filter(indicator=before, period__start__lt=indicator.first_period.start)
            .values_list("period__code", flat=True)
            .distinct()
        )
        if earlier:
            labels = "、".join(sorted(PeriodCode.parse(c).label for c in earlier))
            _refuse(
                "first_period",
                f"该指标在{labels}已有数据，起始报告期不能晚于这些报告期。",
                INDICATOR_IN_USE,
            )


def _figures_to_move(indicator: Indicator, *, before: Indicator) -> list[Figure]:
    """With a new owning department, the open periods' unsubmitted figures that move with the
    indicator; refused while one of them awaits review."""
    if before.department_id == indicator.department_id:
        return []
    open_figures = Figure.objects.filter(indicator=before, period__state=PeriodState.OPEN)
    waiting = open_figures.filter(status=FigureStatus.SUBMITTED).select_related("period")
    waiting = list(waiting)
    if waiting:
        periods = "、".join(sorted({f.period.label for f in waiting}))
        _refuse(
            "department",
            f"该指标在{periods}有已报送、待审核的数据，审核员会看到它在未报送它的部门之下："
            f"请先审核或退回后再更换填报部门。",
            FIGURES_AWAITING_REVIEW,
        )
    # Approved ones too: the new department is the open periods' one reporting unit, and it
    # must find the figure it would otherwise enter a second time. Locked periods keep the
    # unit that reported them.
    return list(open_figures)


def _move_figures(moved: list[Figure], *, indicator: Indicator, user, reason: str) -> None:
    """The open periods' figures are now reported by the new department (the unit of the
    indicator's kind); each gets a history row saying so (its past ones stay)."""
    from simple_history.utils import bulk_update_with_history

    note = f"指标改由{indicator.department.name}填报：{reason}"
    for figure in moved:
        figure.unit_id = indicator.department_id
        record(figure, user=user, reason=note)
    bulk_update_with_history(moved, Figure, ["unit"], default_user=user, default_change_reason=note)


@transaction.atomic
def retire_indicator(
    *, indicator: Indicator, user, reason: str, on: datetime.date | None = None
) -> Indicator:
    """Retire from `on` (today by default): not entered in periods starting after that day;
    past figures, snapshots and reports stay as they were."""
    _manager(user)
    text = _required_reason(reason, "停用指标")
    _lock_catalogue()
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _baseline(indicator)
    if indicator.retired_on is not None:
        _refuse("retired_on", f"该指标已于{indicator.retired_on:%Y-%m-%d}停用。", ALREADY)
    readers = [other for other in formula_users(indicator.code) if other.retired_on is None]
    if readers:
        names = "、".join(f"“{other.name}”（{other.code}）" for other in readers)
        _refuse(
            "retired_on",
            f"计算指标{names}的公式引用该指标，请先修改或停用这些计算指标。",
            INDICATOR_IN_USE,
        )
    indicator.retired_on = on or timezone.localdate()
    _full_clean(indicator)
    record(indicator, user=user, reason=f"停用：{text}")
    indicator.save()
    totals.invalidate()  # not entered in the periods after it
    return indicator


@transaction.atomic
def restore_indicator(*, indicator: Indicator, user, reason: str = "") -> Indicator:
    _manager(user)
    _lock_catalogue()
    indicator = (
        Indicator.objects.select_for_update().select_related("department").get(pk=indicator.pk)
    )
    _baseline(indicator)
    if indicator.retired_on is None:
        _refuse("retired_on", "该指标未停用。", ALREADY)
    if indicator.department.is_retired:
        _refuse(
            "department",
            f"填报部门“{indicator.department.name}”已停用：请先恢复该部门或更换填报部门。",
            DEPARTMENT_RETIRED,
        )
    if indicator.formula:
        try:
            formula_graph.check(
                indicator.formula,
                code=indicator.code,
                catalogue=_catalogue(indicator.pk),
                name=indicator.name,
            )
        except formulas.FormulaError as exc:
            _refuse("formula", str(exc), FORMULA_INVALID)
    indicator.retired_on = None
    record(indicator, user=user, reason=f"恢复：{_reason(reason, '恢复指标')}")
    indicator.save()
    totals.invalidate()  # entered again
    return indicator


# ---------------------------------------------------------------------------------------
