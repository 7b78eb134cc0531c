"""/api/v1/ routes of the catalogue, periods, figures, evidence, reminders, 修改历史, the area tree and its roll-ups."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import (
    DepartmentViewSet,
    EvidenceUploadView,
    EvidenceView,
    FigureViewSet,
    IndicatorViewSet,
    PeriodViewSet,
    ReminderView,
    SectionViewSet,
)
from .areas import AreaViewSet
from .history import HistoryView
from .rollup import RollupView

router = SimpleRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("sections", SectionViewSet, basename="section")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("periods", PeriodViewSet, basename="period")
router.register("figures", FigureViewSet, basename="figure")
router.register("areas", AreaViewSet, basename="area")

urlpatterns = [
    *router.urls,
    path("evidence/", EvidenceUploadView.as_view(), name="evidence-upload"),
    path("evidence/<int:pk>/", EvidenceView.as_view(), name="evidence-download"),
    path("reminders/", ReminderView.as_view(), name="reminders"),
    path("history/", HistoryView.as_view(), name="history-list"),
    path("rollup/", RollupView.as_view(), name="rollup"),
]
