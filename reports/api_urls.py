"""/api/v1/reports/: report jobs, their status and their files."""

from rest_framework.routers import SimpleRouter

from .api import ReportJobViewSet

router = SimpleRouter()
router.register("reports", ReportJobViewSet, basename="report")

urlpatterns = router.urls
