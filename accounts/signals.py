"""Signal receivers that only *record* account events in the audit log: logins and logouts,
failed logins and lockouts, API tokens expiring, and every change to users, their groups and
permissions, whoever makes it (the admin, a command, a service). Connected in
lawgov.apps.LawgovConfig.ready."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.signals import token_expired

from .audit import record_event, service_is_recording
from .models import Event

# Fields whose change is no account change: the login time, the password (recorded by
# accounts.validators.PasswordChangeRecorder when it is set through set_password), the
# one-time-password flag (set and cleared with the password, recorded with it).
QUIET_FIELDS = {"last_login", "password", "must_change_password"}


def _logged_in(sender, request, user, **kwargs):
    record_event(Event.LOGIN, actor=user, target=user, request=request)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(Event.LOGOUT, actor=user, target=user, request=request)


def _login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", "") or "")
    locked = request is not None and getattr(request, "axes_locked_out", False)
    second_factor = bool((credentials or {}).get("second_factor"))
    record_event(
        Event.OTP_FAILED if second_factor else Event.LOGIN_FAILED,
        actor=None,
        actor_name=username,
        target=username,
        detail="登录受限（已锁定）" if locked else "",
        request=request,
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    record_event(
        Event.LOCKED_OUT,
        actor=None,
        actor_name=username or "",
        target=f"用户名 {username or '（空）'}，IP 地址 {ip_address}",
        request=request,
    )


def _token_expired(sender, username, source, **kwargs):
    record_event(Event.TOKEN_EXPIRED, actor=None, target=f"{username} 的令牌")


def _user_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or service_is_recording():
        return
    if update_fields is not None and set(update_fields) <= QUIET_FIELDS:
        return
    old = sender._default_manager.filter(pk=instance.pk).values().first()
    instance._audit_old = old


def _user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or service_is_recording():
        return
    if created:
        record_event(Event.USER_CREATED, target=instance, detail=_user_summary(instance))
        return
    old = getattr(instance, "_audit_old", None)
    instance._audit_old = None
    if not old:
        return
    changed = [
        str(field.verbose_name)
        for field in sender._meta.concrete_fields
        if field.attname not in QUIET_FIELDS
        and old.get(field.attname) != getattr(instance, field.attname)
    ]
    if old.get("is_active") and not instance.is_active:
        record_event(Event.USER_DEACTIVATED, target=instance)
    elif changed:
        record_event(Event.USER_CHANGED, target=instance, detail="修改：" + "、".join(changed))


def _user_summary(user) -> str:
    parts = []
    if user.is_superuser:
        parts.append("超级用户")
    if user.is_staff:
        parts.append("可登录后台")
    if getattr(user, "department_id", None):
        parts.append(f"部门：{user.department}")
    return "；".join(parts)


def _user_deleted(sender, instance, **kwargs):
    record_event(Event.USER_DELETED, target=instance)


ACTIONS = {"post_add": "加入", "post_remove": "移出", "post_clear": "清空"}


def _names(model, pk_set):
    if not pk_set:
        return ""
    if model is Group:
        return "、".join(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    rows = model.objects.filter(pk__in=pk_set).select_related("content_type")
    return "、".join(f"{p.content_type.app_label}.{p.codename}" for p in rows)


def _user_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ACTIONS or service_is_recording():
        return
    User = get_user_model()
    if reverse:  # group.user_set.add(user…): one record per user
        for user in User.objects.filter(pk__in=pk_set or ()):
            record_event(Event.GROUPS_CHANGED, target=user, detail=f"{ACTIONS[action]}：{instance}")
        return
    record_event(
        Event.GROUPS_CHANGED, target=instance, detail=f"{ACTIONS[action]}：{_names(model, pk_set)}"
    )


def _permissions_changed(holder_kind, holder_name):
    """The receiver for the permissions of a user or a group (m2m_changed, either side)."""

    def receiver(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action not in ACTIONS:
            return
        if reverse:  # permission.user_set / permission.group_set
            target = f"权限 {instance.codename}"
            detail = f"{ACTIONS[action]}{holder_kind} {sorted(pk_set or ())}"
        else:
            target, detail = holder_name(instance), f"{ACTIONS[action]}：{_names(model, pk_set)}"
        record_event(Event.PERMISSIONS_CHANGED, target=target, detail=detail)

    return receiver


_user_permissions_changed = _permissions_changed("用户", lambda user: user)
_group_permissions_changed = _permissions_changed("角色", lambda group: f"角色 {group.name}")


def _group_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        record_event(
            Event.GROUP_CHANGED,
            target=f"角色 {instance.name}",
            detail="创建" if created else "修改",
        )


def _group_deleted(sender, instance, **kwargs):
    record_event(Event.GROUP_CHANGED, target=f"角色 {instance.name}", detail="删除")


def _device_deleted(sender, instance, **kwargs):
    if instance.confirmed:
        record_event(Event.OTP_REMOVED, target=instance.user)


def connect():
    User = get_user_model()
    uid = "accounts."
    user_logged_in.connect(_logged_in, dispatch_uid=uid + "login")
    user_logged_out.connect(_logged_out, dispatch_uid=uid + "logout")
    user_login_failed.connect(_login_failed, dispatch_uid=uid + "login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid=uid + "locked_out")
    token_expired.connect(_token_expired, dispatch_uid=uid + "token_expired")
    pre_save.connect(_user_before_save, sender=User, dispatch_uid=uid + "user_pre_save")
    post_save.connect(_user_saved, sender=User, dispatch_uid=uid + "user_saved")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid=uid + "user_deleted")
    m2m_changed.connect(
        _user_groups_changed, sender=User.groups.through, dispatch_uid=uid + "user_groups"
    )
    m2m_changed.connect(
        _user_permissions_changed,
        sender=User.user_permissions.through,
        dispatch_uid=uid + "user_permissions",
    )
    m2m_changed.connect(
        _group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid=uid + "group_permissions",
    )
    post_save.connect(_group_saved, sender=Group, dispatch_uid=uid + "group_saved")
    post_delete.connect(_group_deleted, sender=Group, dispatch_uid=uid + "group_deleted")
    post_delete.connect(_device_deleted, sender=TOTPDevice, dispatch_uid=uid + "otp_removed")
