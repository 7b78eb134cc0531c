from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import views
from .accounts import views as account_views

handler404 = "lawgov.errors.page_not_found"

urlpatterns = [
    # Browsers ask for /favicon.ico on every page, the admin's too.
    path("favicon.ico", views.favicon),
    # The admin logs in through the portal's login page (password, then two-step code).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        account_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("lawgov.accounts.urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("reports.dashboard_urls")),
    path("api/", include("lawgov.api_urls")),
    path("", views.home, name="home"),
    path("", include("metrics.urls")),
]

# Unhandled exceptions: a Chinese page, 503 for a lost database or a full store (lawgov.errors).
handler500 = "lawgov.errors.server_error"
