"""Account pages: login (with the second step when an authenticator is enrolled), password
change, 我的接口令牌, two-step enrolment and the reviewer's 登录锁定 page. Thin: the work is
in accounts.services."""

import base64
import io
import time

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.qr import write_qrcode_image

from . import services

PENDING = "lawgov_login_pending"
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    """Django's login; a user with an enrolled authenticator is not logged in yet but sent
    on to enter its code (the password step stays throttled by django-axes)."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not services.has_second_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_verify")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def login_verify(request):
    """The login's second step: the code the user's authenticator shows."""
    user, pending = _pending_user(request)
    if user is None:
        messages.error(request, "登录已超时，请重新输入用户名和密码。")
        return redirect("login")
    credentials = {"username": user.get_username()}
    if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(PENDING, None)
        return lockout_response(request, None, credentials)
    error = None
    if request.method == "POST":
        device = services.verify_second_factor(
            user=user, code=request.POST.get("otp", ""), request=request
        )
        if device is not None:
            request.session.pop(PENDING, None)
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            target = pending.get("next") or settings.LOGIN_REDIRECT_URL
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING, None)
            return lockout_response(request, None, credentials)
        error = "验证码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。"
    return render(request, "registration/login_verify.html", {"error": error, "who": user})


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the API's JSON error under
    /api/, the Chinese page elsewhere; 429 either way."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    if request.path.startswith("/api/"):
        message = "登录失败次数过多，账号或地址已暂时锁定"
        message += f"，请 {minutes} 分钟后再试。" if minutes else "，请联系审核员解除锁定。"
        return JsonResponse(
            {"code": "locked_out", "message": message},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        # The user chose their own password: a one-time one given by the 法制办 is gone.
        form.user.must_change_password = False
        return super().form_valid(form)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


# ---------------------------------------------------------------------------------------
# 我的接口令牌


@login_required
def tokens(request, new_token=None):
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": services.tokens_of(request.user),
            "new_token": new_token,
            "ttl_days": _ttl_days(),
            "obtain_url": request.build_absolute_uri(reverse("api:token-obtain")),
        },
    )


def _ttl_days():
    from knox.settings import knox_settings

    ttl = knox_settings.TOKEN_TTL
    return ttl.days if ttl else None


@login_required
@require_POST
def token_create(request):
    try:
        _, raw = services.create_token(
            user=request.user, name=request.POST.get("name", ""), request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
        return redirect("accounts:tokens")
    # Shown in this answer only: the database holds its hash, the session nothing.
    response = tokens(request, new_token=raw)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request):
    try:
        services.revoke_token(
            user=request.user, token_key=request.POST.get("key", ""), request=request
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, "令牌已撤销，使用它的程序将无法再访问接口。")
    return redirect("accounts:tokens")


def _message(exc):
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# ---------------------------------------------------------------------------------------
# Two-step verification


@login_required
def otp_enrol(request):
    if services.has_second_factor(request.user):
        return render(request, "accounts/otp_enrol.html", {"enrolled": True})
    error = None
    if request.method == "POST":
        try:
            services.confirm_totp_enrolment(
                user=request.user, code=request.POST.get("otp", ""), request=request
            )
        except ValidationError as exc:
            error = _message(exc)
        else:
            messages.success(request, "两步验证已启用：今后登录时须输入身份验证器上的验证码。")
            return redirect("home")
    device = services.start_totp_enrolment(user=request.user)
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "qr": base64.b64encode(out.getvalue()).decode(),
            "secret": base64.b32encode(device.bin_key).decode(),
            "error": error,
            "required": services.otp_required(request.user),
        },
    )


# ---------------------------------------------------------------------------------------
# 登录锁定 (reviewer)


@login_required
def lockouts(request):
    if not services.can_unlock(request.user):
        raise PermissionDenied("您没有解除登录锁定的权限。")
    return render(request, "accounts/lockouts.html", {"lockouts": services.lockouts()})


@login_required
@require_POST
def unlock(request):
    try:
        count = services.unlock(
            user=request.user,
            username=request.POST.get("username", ""),
            ip_address=request.POST.get("ip_address", ""),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        who = request.POST.get("username") or request.POST.get("ip_address")
        messages.success(request, f"已解除 {who} 的登录锁定（清除 {count} 条失败记录）。")
    return redirect("accounts:lockouts")
