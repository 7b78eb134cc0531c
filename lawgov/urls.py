from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

handler404 = "lawgov.errors.page_not_found"

urlpatterns = [
    # Browsers ask for /favicon.ico on every page, the admin's too.
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("reports.dashboard_urls")),
    path("api/", include("lawgov.api_urls")),
    path("", views.home, name="home"),
    path("", include("metrics.urls")),
]

# Unhandled exceptions: a Chinese page, 503 for a lost database or a full store (lawgov.errors).
handler500 = "lawgov.errors.server_error"
