"""The metrics app's models, one module per concern; every name is importable from
metrics.models as before (and Django registers them all through this package)."""

from .approvals import AreaApproval
from .areas import AREA_CODE_MESSAGE, LEVEL_DEPTH, Area, AreaLevel, UnitKind, validate_area_code
from .calendar import DeadlineExtension, OfficeSettings
from .figures import CommentKind, Evidence, Figure, FigureComment, FigureStatus
from .indicators import (
    INDICATOR_CODE_MESSAGE,
    Indicator,
    IndicatorAlias,
    IndicatorCodeField,
    IndicatorQuerySet,
    RollUp,
    ValueType,
    default_rollup,
    entered_condition,
    rollup_fits,
    validate_indicator_code,
)
from .notices import Notice, Reminder
from .organisation import Department, Section, User
from .periods import PeriodState, ReportingPeriod
from .rules import RuleOperator, RuleSeverity, RuleTarget, ValidationRule
from .totals import AreaTotal, PeriodTotals, RollupGeneration, UnitSent

__all__ = [
    "AREA_CODE_MESSAGE",
    "LEVEL_DEPTH",
    "Area",
    "AreaApproval",
    "AreaTotal",
    "PeriodTotals",
    "RollupGeneration",
    "UnitSent",
    "AreaLevel",
    "RollUp",
    "UnitKind",
    "default_rollup",
    "rollup_fits",
    "validate_area_code",
    "INDICATOR_CODE_MESSAGE",
    "CommentKind",
    "DeadlineExtension",
    "Department",
    "Evidence",
    "Figure",
    "FigureComment",
    "FigureStatus",
    "Indicator",
    "IndicatorAlias",
    "IndicatorCodeField",
    "IndicatorQuerySet",
    "Notice",
    "OfficeSettings",
    "PeriodState",
    "Reminder",
    "ReportingPeriod",
    "RuleOperator",
    "RuleSeverity",
    "RuleTarget",
    "Section",
    "User",
    "ValidationRule",
    "ValueType",
    "entered_condition",
    "validate_indicator_code",
]
