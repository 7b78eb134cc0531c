"""Per request: remember it for the audit log, then hold back a logged-in user who still has
something to do first.

- whose account has a confirmed authenticator but whose session was not verified with it
  (a login that went around the portal's login page): logged out, back to the login page;
- whose role must use a second factor (LAWGOV_OTP_REQUIRED_ROLES) and who has not enrolled:
  sent to the enrolment page;
- who was given a one-time password (a new account, a reset: must_change_password), or
  whose password is older than LAWGOV_PASSWORD_MAX_AGE_DAYS: sent to the change page until
  they choose their own (the change page clears the flag).

The pages that do these things, logging out, static files and the API stay reachable; the
API has its own answers (accounts.permissions refuses a password still to be changed,
by the same rule: services.password_change_pending). A session that passed is not asked again for RECHECK_SECONDS (a
login starts over), so that ordinary pages do not pay for the checks."""

import time
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from . import services
from .audit import reset_current_request, set_current_request

ALWAYS_OPEN = ("/static/", "/favicon.ico", "/api/", "/healthz")
CHECKED = "lawgov_account_checked"
RECHECK_SECONDS = 300


def check_on_login(sender, request, user, **kwargs):
    """user_logged_in: the new login is checked now, so that its first page pays nothing
    when nothing is pending (a user with an authenticator is checked on its next request,
    once the login has attached the verified device)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(CHECKED, None)
    if pending_for(request.path, user) is None:
        request.session[CHECKED] = [user.pk, time.time()]


def session_verified(user) -> bool:
    """Whether this session's login was verified with the second factor (OTPMiddleware gives
    request.user is_verified(); a user being logged in has none yet)."""
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


def pending_for(path, user):
    """What the user must do before anything else, or None."""
    second_factor = services.second_factor_pending(user, verified=session_verified(user))
    if second_factor == services.VERIFY:
        return {"logout": True, "to": f"{reverse('login')}?next={quote(path)}", "pages": ()}
    if second_factor == services.ENROL:
        enrol_url = reverse("accounts:otp_enrol")
        return {
            "to": enrol_url,
            "pages": (enrol_url,),
            "message": "您的账号须启用两步验证后才能使用门户。",
        }
    if services.password_change_pending(user):
        one_time = getattr(user, "must_change_password", False)
        change_url = reverse("password_change")
        return {
            "to": change_url,
            "pages": (change_url, reverse("password_change_done")),
            "message": "您正在使用管理员设置的一次性密码，请先修改为您自己的密码。"
            if one_time
            else "您的密码已超过有效期，请先修改密码。",
        }
    return None


class AccountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_request(request)
        try:
            response = self.hold_back(request)
            return response or self.get_response(request)
        finally:
            reset_current_request(token)

    def hold_back(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(ALWAYS_OPEN):
            return None
        if request.path == reverse("logout"):
            return None
        mark = request.session.get(CHECKED)
        if mark and mark[0] == user.pk and time.time() - mark[1] < RECHECK_SECONDS:
            return None
        pending = pending_for(request.path, user)
        if pending is None:
            request.session[CHECKED] = [user.pk, time.time()]
            return None
        if request.path in pending["pages"]:
            return None
        if pending.get("logout"):
            logout(request)
        else:
            messages.warning(request, pending["message"])
        return redirect(pending["to"])
