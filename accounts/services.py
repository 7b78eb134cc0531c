"""Account operations: API tokens, login lockouts, the second factor, the audit log's
retention. Each takes the acting user explicitly, checks it may act, runs in one transaction
and writes the audit log."""

import datetime

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.settings import knox_settings

from accounts.roles import role_of
from lawgov.domain_errors import DomainError
from metrics.system import SystemAccount

from .audit import record_event
from .models import AccountEvent, ApiToken, Event, PasswordState

# The legal floor (网络安全法 第二十一条: network logs kept no less than six months).
MIN_RETENTION_DAYS = 180
TOTP_NAME = "身份验证器"
# Marks the credentials of a failed login whose password was right but whose code was not.
SECOND_FACTOR = "second_factor"


def _require_active(user):
    if user is None:
        raise TypeError("an acting user is required")
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("请先登录。")


# ---------------------------------------------------------------------------------------
# API tokens


def _may_issue_for_others(user) -> bool:

    return user.is_superuser or user.get_username() == SystemAccount.COMMAND_LINE.value


@transaction.atomic
def create_token(*, user, name: str = "", owner=None, request=None) -> tuple[ApiToken, str]:
    """A new token for `owner` (by default `user` itself; someone else's only for a system
    administrator or the command line's system account); returns the row and the token,
    which is shown once and never stored."""
    if user is None:
        raise TypeError("an acting user is required")
    owner = owner or user
    if owner.pk != user.pk:
        if not _may_issue_for_others(user):
            raise PermissionDenied("您只能为自己创建接口令牌。")
    else:
        _require_active(user)
    owner = _lock_credentials(owner, authenticated=user if owner.pk == user.pk else None)
    if not owner.is_active:
        raise ValidationError("该用户已停用，不能创建接口令牌。")
    if password_change_pending(owner):
        raise PasswordChangeRequired(password_change_message(owner))
    if otp_required(owner) and not has_second_factor(owner):
        raise PermissionDenied("请先启用两步验证，再创建接口令牌。")
    name = (name or "").strip()
    if len(name) > 100:
        raise ValidationError("令牌名称不能超过 100 个字符。")
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    live = ApiToken.objects.filter(user=owner).exclude(expiry__lt=timezone.now())
    if limit and live.count() >= limit:
        raise ValidationError(f"每个用户最多 {limit} 个有效令牌，请先撤销不再使用的令牌。")
    token, raw = ApiToken.objects.create(user=owner, name=name)
    expires = timezone.localtime(token.expiry).strftime("%Y-%m-%d") if token.expiry else "永不"
    record_event(
        Event.TOKEN_CREATED,
        actor=user,
        target=f"{owner.get_username()} 的令牌 {token.prefix}",
        detail=f"名称：{name or '（未命名）'}；有效期至 {expires}",
        request=request,
    )
    return token, raw


@transaction.atomic
def revoke_token(*, user, token_key: str, request=None) -> None:
    """Revoke one of `user`'s own tokens, named by its key (the prefix shown on the page)."""
    _require_active(user)
    token = ApiToken.objects.filter(user=user, token_key=token_key).first()
    if token is None:
        raise ValidationError("该令牌不存在或已撤销。")
    _revoke(token, user=user, request=request)


@transaction.atomic
def revoke_token_as_admin(*, user, token: ApiToken, request=None) -> None:
    """A system administrator revokes anyone's token (the admin's 撤销所选令牌)."""
    _require_active(user)
    if not user.is_superuser:
        raise PermissionDenied("只有系统管理员可以撤销他人的令牌。")
    _revoke(token, user=user, request=request, note="；由系统管理员撤销")


def _lock_credentials(owner, *, authenticated=None):
    """The token's owner, re-read under its row lock, which is held until the token is saved.

    Why a lock and not a credential version checked at each use: a reset, a deactivation and
    a password change all save the same user row (accounts.people takes its lock
    before it deletes the tokens), so issuing under that lock puts every token strictly
    before the revocation (then deleted by it) or after it (then refused here, as the row
    now says inactive, one-time password, or another password hash). A version would cost a
    column and a check on every API call for the same guarantee.

    `authenticated` is the owner as its credentials were checked (the password given to
    the API's login, or the session's hash): if the stored hash has changed since, the
    credentials that opened this request are no longer the user's and no token is issued."""
    locked = get_user_model()._default_manager.select_for_update().get(pk=owner.pk)
    if authenticated is not None and locked.password != authenticated.password:
        raise BadCredentials("密码已更改，请使用新密码重新登录后再创建接口令牌。")
    return locked


def _revoke(token, *, user, request, note=""):
    owner, prefix = token.user.get_username(), token.prefix
    token.delete()
    record_event(
        Event.TOKEN_REVOKED,
        actor=user,
        target=f"{owner} 的令牌 {prefix}",
        detail=f"名称：{token.name or '（未命名）'}{note}",
        request=request,
    )


def tokens_of(user):
    return ApiToken.objects.filter(user=user).order_by("-created")


def obtain_token(*, request, username: str, password: str, otp: str = "", name: str = ""):
    """The API's login: user name and password (through django-axes, so that failures count
    and a locked-out account or address is refused), the TOTP code when enrolled. Returns
    (token row, token) or raises PermissionDenied with the refusal."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut("登录失败次数过多，已暂时锁定。")
    if user is None:
        raise BadCredentials("用户名或密码不正确。")
    if has_second_factor(user):
        device = verify_second_factor(user=user, code=otp, request=request)
        if getattr(request, "axes_locked_out", False):
            raise LockedOut("登录失败次数过多，已暂时锁定。")
        if device is None:
            raise BadCredentials("两步验证码不正确或已过期。")
    if password_change_pending(user):
        raise PasswordChangeRequired(password_change_message(user))
    return create_token(user=user, name=name or "接口登录", request=request)


class PasswordChangeRequired(DomainError, PermissionDenied):
    """The user still has a one-time or an expired password: no token and no API call until
    they choose a new one on the portal (the API answers password_change_required)."""

    status_code = 403
    default_code = "password_change_required"
    default_detail = "请先在门户修改一次性或已过期的密码。"


class LockedOut(PermissionDenied):
    """django-axes refused the login: too many failures for the user name or address."""


class BadCredentials(PermissionDenied):
    """Wrong user name, password or two-step code."""


# ---------------------------------------------------------------------------------------
# Lockouts


def can_unlock(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("accounts.unlock_accounts")
    )


def lockouts() -> list[dict]:
    """The user names and addresses locked out now: each is locked on its own once its
    failures (summed over its records) reach AXES_FAILURE_LIMIT within the cool-off."""
    limit = axes_settings.AXES_FAILURE_LIMIT
    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    found = []
    for kind, field in (("username", "username"), ("ip_address", "ip_address")):
        named = attempts.exclude(**{f"{field}__isnull": True})
        if field == "username":  # (an address field turns "" into NULL)
            named = named.exclude(username="")
        rows = (
            named.values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by("-last")
        )
        for row in rows:
            found.append(
                {
                    "kind": kind,
                    "value": row[field],
                    "failures": row["failures"],
                    "last_failure": row["last"],
                    "until": row["last"] + cool_off if cool_off else None,
                }
            )
    return found


@transaction.atomic
def unlock(*, user, username: str = "", ip_address: str = "", request=None) -> int:
    """Clear the failed logins of a user name or of an address (django-axes' reset)."""
    if user is None:
        raise TypeError("an acting user is required")
    if not can_unlock(user):
        raise PermissionDenied("您没有解除登录锁定的权限。")
    username, ip_address = (username or "").strip(), (ip_address or "").strip()
    if bool(username) == bool(ip_address):
        raise ValidationError("请指定要解除锁定的用户名或 IP 地址（其一）。")
    if username:
        count = axes_reset(username=username)
        target = f"用户名 {username}"
    else:
        count = axes_reset(ip=ip_address)
        target = f"IP 地址 {ip_address}"
    record_event(
        Event.UNLOCKED,
        actor=user,
        target=target,
        detail=f"清除 {count} 条失败记录",
        request=request,
    )
    return count


# ---------------------------------------------------------------------------------------
# Second factor (TOTP)


def otp_required(user) -> bool:
    if not settings.LAWGOV_OTP_REQUIRED_ROLES:
        return False
    role = role_of(user)
    return role is not None and role.value in set(settings.LAWGOV_OTP_REQUIRED_ROLES)


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


VERIFY, ENROL = "verify", "enrol"


def second_factor_pending(user, *, verified: bool) -> str | None:
    """The one rule for the second factor, which the pages (AccountMiddleware) and the API
    (permissions.SecondFactorChecked) both apply: VERIFY when the account has a confirmed
    authenticator but this login was not verified with it (a session opened before the user
    enrolled, or one that went around the login page); ENROL when the user's role must use a
    second factor and they have none; None when nothing is pending."""
    if verified:  # (a verified login has its device: only the role's rule to ask)
        return ENROL if otp_required(user) and not has_second_factor(user) else None
    if has_second_factor(user):
        return VERIFY
    return ENROL if otp_required(user) else None


SECOND_FACTOR_MESSAGES = {
    VERIFY: "请重新登录门户并输入两步验证码后再使用接口。",
    ENROL: "您的账号须先在门户启用两步验证后才能使用接口。",
}


class SecondFactorRequired(DomainError, PermissionDenied):
    """The API's refusal (otp_required, 403) of a login the pages would log out or send to
    enrol (second_factor_pending)."""

    status_code = 403
    default_code = "otp_required"
    default_detail = "请先在门户完成两步验证。"


def verify_second_factor(*, user, code: str, request=None):
    """The confirmed device that accepts `code`, or None. A failure counts as a failed login
    for django-axes' lockout (user_login_failed, recorded in the audit log as a wrong code);
    django-otp also slows down repeated failures per device."""
    code = (code or "").strip().replace(" ", "")
    if code:
        for device in devices_for_user(user, confirmed=True):
            if device.verify_token(code):
                return device
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), SECOND_FACTOR: True},
        request=request,
    )
    return None


@transaction.atomic
def start_totp_enrolment(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator (a new secret the first time), to be scanned."""
    _require_active(user)
    if has_second_factor(user):
        raise ValidationError("您已启用两步验证。")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, user, code: str, request=None) -> TOTPDevice:
    """Confirm the authenticator with a code it shows; the session counts as verified."""
    _require_active(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        raise ValidationError("请先打开“启用两步验证”页面扫描二维码。")
    code = (code or "").strip().replace(" ", "")
    if not code or not device.verify_token(code):
        raise ValidationError("验证码不正确，请输入身份验证器上当前显示的 6 位数字。")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    record_event(Event.OTP_ENROLLED, actor=user, target=user, request=request)
    if request is not None:
        otp_login(request, device)
    return device


@transaction.atomic
def remove_second_factor(*, user, device: TOTPDevice) -> None:
    """A superuser removes someone's authenticator (a lost phone): they enrol again at their
    next sign-in. The account audit's 移除两步验证 row (accounts.signals, on the deletion of a
    confirmed device) names the superuser, the request's user."""
    _require_active(user)
    if not user.is_superuser:
        raise PermissionDenied("只有系统管理员可以移除他人的两步验证设备。")
    device.delete()


# ---------------------------------------------------------------------------------------
# Passwords and the audit log's retention


def password_changed_at(user) -> datetime.datetime | None:
    state = PasswordState.objects.filter(user=user).first()
    return state.password_changed_at if state else user.date_joined


def password_expired(user, *, now=None) -> bool:
    days = settings.LAWGOV_PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password():
        return False
    changed = password_changed_at(user)
    return changed is None or (now or timezone.now()) - changed > datetime.timedelta(days=days)


def password_change_pending(user) -> bool:
    """The one rule for "must choose a new password first": a one-time password (a new
    account, a reset) or one older than LAWGOV_PASSWORD_MAX_AGE_DAYS. The pages send such a
    user to the change page (AccountMiddleware); the API refuses them (no token, no call)."""
    return bool(getattr(user, "must_change_password", False)) or password_expired(user)


def password_change_message(user) -> str:
    if getattr(user, "must_change_password", False):
        return "请先登录门户修改初始密码后再使用接口。"
    return "您的密码已超过有效期，请先登录门户修改密码后再使用接口。"


def retention_days() -> int:
    return max(settings.LAWGOV_ACCOUNT_EVENT_RETENTION_DAYS, MIN_RETENTION_DAYS)


@transaction.atomic
def purge_account_events(*, user, now=None) -> int:
    """Delete audit rows older than the retention period (never younger than 180 days);
    the beat schedule runs this daily as the scheduler's system account."""
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    deleted, _ = AccountEvent.objects.filter(at__lt=cutoff).purge()
    return deleted
