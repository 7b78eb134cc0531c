"""Figures taken from an imported document (从文档导入): last year's speech or report states
them, so they are recorded as approved for its period — even a locked one, which is the point
of importing last year's document.

An existing figure is never changed: when the document states another value, the whole
import is refused with every such figure named (`ImportConflict`), before anything is
written; an equal value is left alone.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import access
from ..models import Figure, FigureStatus, Indicator, IndicatorAlias, ReportingPeriod
from ..numbers import NOT_FILLED, plain, shown
from ..texts import REASON, clean_text
from ..validation import check_value
from ._common import record, save_figures

_NOT_ALLOWED = "只有法制办（指标目录管理员）可以从文档导入数据。"


class ImportConflict(ValidationError):
    """Figures of the period whose stored value differs from the document's: `conflicts` is
    [(indicator name, stored value, document value)], the values as text."""

    def __init__(self, conflicts: list[tuple[str, str, str]]):
        self.conflicts = conflicts
        lines = [
            f"“{name}”已有数据 {stored}，文档中为 {shown}" for name, stored, shown in conflicts
        ]
        super().__init__(
            "以下指标在该报告期已有不同的数据，导入未进行（已有数据不会被修改）："
            + "；".join(lines),
            code="import_conflict",
        )


def _stored(figure: Figure) -> str:
    return shown(figure.value, empty=NOT_FILLED)


def import_conflicts(
    *, period: ReportingPeriod, values: dict[str, Decimal]
) -> list[tuple[str, str, str]]:
    """The figures of `period` whose stored value differs from `values` (read only)."""
    figures = Figure.objects.filter(period=period, indicator__code__in=list(values)).select_related(
        "indicator"
    )
    return [
        (f.indicator.name, _stored(f), plain(values[f.indicator.code]))
        for f in sorted(figures, key=lambda f: f.indicator.code)
        if f.value is None or f.value != values[f.indicator.code]
    ]


@transaction.atomic
def record_imported_figures(
    *, user, period: ReportingPeriod, values: dict[str, Decimal], source: str
) -> list[Figure]:
    """Approved figures for the indicators of `values` that have none in `period`; the
    history of each names the imported document `source`. Returns the figures created."""
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    access.require(access.can_manage_catalogue(user), _NOT_ALLOWED)
    source = clean_text(source, kind=REASON) or "导入的文档"
    values = {code: value for code, value in values.items()}
    for code, value in values.items():
        if not isinstance(value, Decimal):
            raise TypeError(f"{code}: values are Decimal, not {type(value).__name__}")
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(values))}
    unknown = sorted(set(values) - set(indicators))
    if unknown:
        raise ValidationError(f"指标代码“{'、'.join(unknown)}”不在指标目录中。")
    computed = sorted(i.name for i in indicators.values() if i.is_computed)
    if computed:
        raise ValidationError(f"“{'、'.join(computed)}”是计算指标，由公式得出，不能导入数据。")
    retired = sorted(i.name for i in indicators.values() if i.is_retired_for(period))
    if retired:
        raise ValidationError(f"“{'、'.join(retired)}”在{period.label}已停用。")
    # The period row is held so that two imports of it cannot both see "no figure" and race.
    # FOR NO KEY UPDATE: the area totals' builder inserts rows pointing at the period
    # (metrics.totals) and must not wait on this while the figures here wait on it.
    ReportingPeriod.objects.select_for_update(no_key=True).filter(pk=period.pk).first()
    conflicts = import_conflicts(period=period, values=values)
    if conflicts:
        raise ImportConflict(conflicts)
    existing = set(
        Figure.objects.filter(period=period, indicator__code__in=list(values)).values_list(
            "indicator__code", flat=True
        )
    )
    errors = []
    new = []
    for code in sorted(set(values) - existing):
        indicator, value = indicators[code], values[code]
        try:
            check_value(indicator, value)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        figure = Figure.blank(
            indicator=indicator,
            period=period,
            value=value,
            status=FigureStatus.APPROVED,
            updated_by=user,
        )
        record(figure, user=user, reason=f"从导入的文档《{source}》取得")
        new.append(figure)
    if errors:
        raise ValidationError(errors)
    save_figures(new)
    return new


ALIAS_MAX_CHARS = 60


@transaction.atomic
def add_indicator_aliases(
    *, user, aliases: dict[str, list[str]], source: str
) -> list[IndicatorAlias]:
    """Phrases a reviewer bound by hand to an indicator (by code), kept as its aliases (别名)
    so that the next import of the same office's text binds them itself; a phrase already
    the name or an alias is skipped. The history of each names the document `source`."""
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    access.require(access.can_manage_catalogue(user), _NOT_ALLOWED)
    source = clean_text(source, kind=REASON) or "导入的文档"
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(aliases))}
    existing = set(
        IndicatorAlias.objects.filter(indicator__code__in=list(aliases)).values_list(
            "indicator__code", "phrase"
        )
    )
    created = []
    for code in sorted(aliases):
        indicator = indicators.get(code)
        if indicator is None:
            raise ValidationError(f"指标代码“{code}”不在指标目录中。")
        for phrase in sorted(set(aliases[code])):
            phrase = (phrase or "").strip()[:ALIAS_MAX_CHARS]
            if not phrase or phrase == indicator.name or (code, phrase) in existing:
                continue
            alias = IndicatorAlias(indicator=indicator, phrase=phrase)
            record(alias, user=user, reason=f"审核人在导入《{source}》时指定")
            alias.save()
            existing.add((code, phrase))
            created.append(alias)
    return created
