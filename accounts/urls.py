"""/account/…: the user's own security settings and the reviewer's 登录锁定 page;
/accounts/…: the 法制办's 用户管理, onboarding import and account audit log."""

from django.urls import path

from . import people_views, views

app_name = "accounts"

urlpatterns = [
    path("login/verify/", views.login_verify, name="login_verify"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/new/", views.token_create, name="token_create"),
    path("account/tokens/revoke/", views.token_revoke, name="token_revoke"),
    path("account/two-step/", views.otp_enrol, name="otp_enrol"),
    path("account/lockouts/", views.lockouts, name="lockouts"),
    path("account/lockouts/unlock/", views.unlock, name="unlock"),
    path("accounts/users/", people_views.users, name="users"),
    path("accounts/users/new/", people_views.user_new, name="user_new"),
    path("accounts/users/<int:pk>/", people_views.user_detail, name="user_detail"),
    path("accounts/users/<int:pk>/change/", people_views.user_change, name="user_change"),
    path("accounts/users/<int:pk>/move/", people_views.user_move, name="user_move"),
    path(
        "accounts/users/<int:pk>/deactivate/",
        people_views.user_deactivate,
        name="user_deactivate",
    ),
    path(
        "accounts/users/<int:pk>/reactivate/",
        people_views.user_reactivate,
        name="user_reactivate",
    ),
    path(
        "accounts/users/<int:pk>/reset-password/",
        people_views.user_reset_password,
        name="user_reset_password",
    ),
    path("accounts/import/", people_views.import_upload, name="import"),
    path("accounts/import/template/", people_views.import_template, name="import_template"),
    path("accounts/import/confirm/", people_views.import_confirm, name="import_confirm"),
    path("accounts/audit/", people_views.audit, name="audit"),
]
