"""REST API for the catalogue, periods, figures and their workflow, one module per resource:
`catalogue`, `periods`, `figures`, `evidence`, `reminders` (and `common`, what several
of them share). Views are thin: they read with `metrics.selectors` and write with
`metrics.services`, exactly as the web UI does. Values are Decimal throughout and leave the
API as decimal strings. Routed by `metrics.api.urls`."""

from rest_framework import status

from lawgov.api import register_refusals

from ..progress import COMPUTED_INDICATOR, RETIRED_INDICATOR
from .catalogue import DepartmentViewSet, IndicatorViewSet, SectionViewSet
from .evidence import EvidenceUploadView, EvidenceView
from .figures import FigureViewSet
from .periods import PeriodViewSet
from .reminders import ReminderView

# The catalogue's and the calendar's refusals a machine tells apart (metrics.services): the
# state of the data forbids it (409), or the input is wrong in a named way (400).
register_refusals(
    {
        "code_frozen": status.HTTP_409_CONFLICT,
        "section_not_empty": status.HTTP_409_CONFLICT,
        "department_in_use": status.HTTP_409_CONFLICT,
        "figures_awaiting_review": status.HTTP_409_CONFLICT,
        "indicator_in_use": status.HTTP_409_CONFLICT,
        "already": status.HTTP_409_CONFLICT,
        "period_exists": status.HTTP_409_CONFLICT,
        "state_conflict": status.HTTP_409_CONFLICT,
        "formula_invalid": status.HTTP_400_BAD_REQUEST,
        "department_retired": status.HTTP_400_BAD_REQUEST,
        "deadline_invalid": status.HTTP_400_BAD_REQUEST,
        # A write to a computed or a retired indicator (metrics.progress.not_entered).
        COMPUTED_INDICATOR: status.HTTP_400_BAD_REQUEST,
        RETIRED_INDICATOR: status.HTTP_400_BAD_REQUEST,
    }
)

__all__ = [
    "DepartmentViewSet",
    "EvidenceUploadView",
    "EvidenceView",
    "FigureViewSet",
    "IndicatorViewSet",
    "PeriodViewSet",
    "ReminderView",
    "SectionViewSet",
]
