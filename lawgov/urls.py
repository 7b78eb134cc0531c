"""The site's addresses. Each app brings its own (by module name: this package imports no app)."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

handler404 = "lawgov.errors.page_not_found"

urlpatterns = [
    # Browsers ask for /favicon.ico on every page, the admin's too.
    path("favicon.ico", views.favicon),
    # The admin logs in through the portal's login page (password, then two-step code).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("", include("accounts.sign_in_urls")),
    path("", include("accounts.urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("reports.dashboard_urls")),
    path("api/", include("lawgov.api_urls")),
    path("", include("metrics.urls")),
]

# Unhandled exceptions: a Chinese page, 503 for a lost database or a full store (lawgov.errors).
handler500 = "lawgov.errors.server_error"
