"""/account/…: the user's own security settings and the reviewer's 登录锁定 page."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/verify/", views.login_verify, name="login_verify"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/new/", views.token_create, name="token_create"),
    path("account/tokens/revoke/", views.token_revoke, name="token_revoke"),
    path("account/two-step/", views.otp_enrol, name="otp_enrol"),
    path("account/lockouts/", views.lockouts, name="lockouts"),
    path("account/lockouts/unlock/", views.unlock, name="unlock"),
]
