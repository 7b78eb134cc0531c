"""REST API for the catalogue, periods, figures and their workflow, one module per resource:
`catalogue`, `periods`, `figures`, `evidence`, `reminders`, `me` (and `common`, what several
of them share). Views are thin: they read with `metrics.selectors` and write with
`metrics.services`, exactly as the web UI does. Values are Decimal throughout and leave the
API as decimal strings. The views `lawgov.api_urls` routes are re-exported here."""

from .catalogue import DepartmentViewSet, IndicatorViewSet, SectionViewSet
from .evidence import EvidenceUploadView, EvidenceView
from .figures import FigureViewSet
from .me import MeView
from .periods import PeriodViewSet
from .reminders import ReminderView

__all__ = [
    "DepartmentViewSet",
    "EvidenceUploadView",
    "EvidenceView",
    "FigureViewSet",
    "IndicatorViewSet",
    "MeView",
    "PeriodViewSet",
    "ReminderView",
    "SectionViewSet",
]
