"""The 法制办's account management: adding, changing, moving, deactivating and reactivating
users and resetting their passwords (the first onboarding from a sheet is
accounts.people_import). The pages (accounts.people_views) and the API (accounts.api) call
only these.

Each service takes the acting user (`user=`), checks it holds metrics.manage_accounts, runs
in one transaction and writes one audit record with old → new and the reason. The user
signal receivers stay silent meanwhile (audit.recorded_by_service), so that an operation is
one record, not one per saved field. A new or reset password is generated here, returned
once to be shown once, and only its hash is stored; the user must then change it."""

import secrets

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Q
from django.db.models.functions import Concat

from accounts.roles import GROUP_NAMES, Role, role_of
from lawgov.locks import hold, refused_if_taken
from lawgov.versions import require_current, version_of
from metrics.models import Department, User

from .audit import record_event, recorded_by_service
from .models import ApiToken, Event
from .people_checks import (  # noqa: F401 (named as accounts.people.* too)
    MANAGED_ROLES,
    check_department,
    clean_email,
    clean_name,
    clean_role,
    clean_username,
    username_taken,
)

ROLE_SHORT = {Role.CLERK: "填报员", Role.REVIEWER: "审核员", Role.LEADER: "区领导"}
NOT_ALLOWED = "您没有管理用户账号的权限。"
SUPERUSER_REFUSED = "系统管理员的账号只能由系统管理员在后台管理。"

# No characters that read alike on paper (0/O, 1/l/I), no quotes or spaces.
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "-_!@#%+=?"
PASSWORD_LENGTH = 14


def can_manage(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("metrics.manage_accounts")
    )


def _require_manager(user):
    if user is None:
        raise TypeError("an acting user is required")
    if not can_manage(user):
        raise PermissionDenied(NOT_ALLOWED)


def _require_manageable(user, target):
    if target.is_superuser:
        raise PermissionDenied(SUPERUSER_REFUSED)


def _managers():
    """The active accounts that keep the accounts: the reviewers (法制办审核员) and the
    system administrators."""
    return User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(groups__name=GROUP_NAMES[Role.REVIEWER])
    )


def _lock_for_manager_change(user, target) -> User:
    """For the operations that could leave nobody to manage the accounts (deactivating,
    changing a role): lock the acting user, the target and every active manager, always in
    the same order (by id, so that two such operations wait for each other, never deadlock),
    then read the acting user again: one deactivated or demoted a moment ago by a concurrent
    request may no longer act. Returns the locked, freshly read target."""
    ids = set(_managers().values_list("pk", flat=True)) | {user.pk, target.pk}
    locked = {
        row.pk: row for row in User.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    actor = locked.get(user.pk)
    if actor is None or not actor.is_active:
        raise PermissionDenied("您的账号已停用，不能再管理用户账号。")
    if not can_manage(actor):
        raise PermissionDenied(NOT_ALLOWED)
    if target.pk not in locked:
        raise ValidationError("该用户不存在。")
    return locked[target.pk]


def _require_another_manager(target, doing: str) -> None:
    """Refuse to take the last active manager away (run under _lock_for_manager_change)."""
    if not _managers().filter(pk=target.pk).exists():
        return
    if not _managers().exclude(pk=target.pk).exists():
        raise ValidationError(
            f"“{target}”是最后一个可以管理用户账号的启用账号（审核员），不能{doing}："
            "请先添加或启用另一名审核员。",
            code="last_manager",
        )


def _because(reason: str) -> str:
    reason = (reason or "").strip()
    return f"；原因：{reason}" if reason else ""


def generate_password(user=None) -> str:
    """A random password that meets every rule (AUTH_PASSWORD_VALIDATORS) for `user`."""
    alphabet = "".join(_LETTERS) + _DIGITS + _SYMBOLS
    while True:
        chars = [secrets.choice(group) for group in (*_LETTERS, _DIGITS, _SYMBOLS)]
        chars += [secrets.choice(alphabet) for _ in range(PASSWORD_LENGTH - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue  # (it contained the user name, say): draw again
        return password


# ---------------------------------------------------------------------------------------
# Checking what is asked (accounts.people_checks) and saying it


def _department_name(department) -> str:
    return department.name if department is not None else "无"


def _role_label(target) -> str:
    role = role_of(target)
    return ROLE_SHORT.get(role, role.label if role else "无角色")


def _set_role(target, role: Role) -> None:
    managed = Group.objects.filter(name__in=[GROUP_NAMES[r] for r in MANAGED_ROLES])
    target.groups.remove(*managed)
    target.groups.add(Group.objects.get(name=GROUP_NAMES[role]))


# ---------------------------------------------------------------------------------------
# Reading


def users(*, user, q: str = "", role: str = "", active: str = ""):
    """The accounts, with their department and groups loaded (the list pays no query per
    row): `q` searches the user name, the name and the department; `role` is a Role value;
    `active` "1" or "0"."""
    _require_manager(user)
    rows = (
        User.objects.select_related("department")
        .prefetch_related("groups")
        .annotate(full_name=Concat("last_name", "first_name", output_field=CharField()))
        .order_by("department__order", "department__code", "username")
    )
    q = (q or "").strip()
    if q:
        rows = rows.filter(
            Q(username__icontains=q)
            | Q(full_name__icontains=q)
            | Q(department__name__icontains=q)
            | Q(department__short_name__icontains=q)
        )
    if role == Role.ADMIN:
        rows = rows.filter(is_superuser=True)
    elif role in {r.value for r in MANAGED_ROLES}:
        rows = rows.filter(groups__name=GROUP_NAMES[Role(role)], is_superuser=False)
    if active in ("1", "0"):
        rows = rows.filter(is_active=active == "1")
    return rows


def role_label(target) -> str:
    """For pages that already loaded the groups (users() prefetches them)."""
    if target.is_superuser:
        return Role.ADMIN.label
    names = {group.name for group in target.groups.all()}
    for role in (Role.REVIEWER, Role.LEADER, Role.CLERK):
        if GROUP_NAMES[role] in names:
            return ROLE_SHORT[role]
    return "无角色"


# ---------------------------------------------------------------------------------------
# Operations


def _new_user(*, username, name, role, department, email) -> tuple[User, str]:
    """Under the user names' lock (lawgov.locks): a create racing this one has committed
    before the name is checked, so the second is refused with the message of the first
    check, never a 500 (the case-insensitive unique constraint is the backstop)."""
    hold("usernames")
    if username_taken(username):
        raise ValidationError(f"用户名“{username}”已存在。")
    target = User(
        username=username,
        first_name=name,
        email=email,
        department=department if role == Role.CLERK else None,
        must_change_password=True,
    )
    password = generate_password(target)
    target.set_password(password)
    with refused_if_taken(f"用户名“{username}”已存在。"):
        target.save()
    _set_role(target, role)
    return target, password


@transaction.atomic
def create_user(
    *, user, username, name, role, department=None, email="", reason="", request=None
) -> tuple[User, str]:
    """A new account with a generated one-time password: returns (user, password); the
    password is to be shown once and must be changed at the first login."""
    _require_manager(user)
    username, name, email = clean_username(username), clean_name(name), clean_email(email)
    role = clean_role(role)
    check_department(role, department)
    if username_taken(username):
        raise ValidationError(f"用户名“{username}”已存在。")
    with recorded_by_service():
        target, password = _new_user(
            username=username, name=name, role=role, department=department, email=email
        )
    record_event(
        Event.USER_CREATED,
        actor=user,
        target=target,
        detail=f"姓名：{name}；角色：{ROLE_SHORT[role]}；部门：{_department_name(department)}"
        f"{_because(reason)}",
        request=request,
    )
    return target, password


_UNSET = object()


# What an edit of an account changes (lawgov.versions): not the last login nor the password.
EDITED_FIELDS = ("first_name", "last_name", "email", "department_id", "is_active")


def version_of_user(target) -> str:
    return version_of(target, EDITED_FIELDS, extra=(role_of(target),))


@transaction.atomic
def change_user(
    *,
    user,
    target,
    name=None,
    email=None,
    role=None,
    department=_UNSET,
    reason="",
    request=None,
    expected_version=None,
) -> User:
    """Change the name, e-mail or role. A clerk's department goes with the role: a new
    clerk needs one (`department=`), a reviewer or leader has none. Refused when the account
    changed since `expected_version` was read (version_of_user)."""
    _require_manager(user)
    target = _lock_for_manager_change(user, target)
    _require_manageable(user, target)
    require_current(
        target,
        expected_version,
        what="该用户",
        shown={"姓名": str(target), "邮箱": target.email, "角色": _role_label(target)},
        fields=EDITED_FIELDS,
        extra=(role_of(target),),
    )
    changes = _change_name_and_email(target, name=name, email=email)
    new_role = None if role is None else _new_role(user, target, role)
    if new_role is not None:
        changes += _change_role(target, new_role, department=department)
    if not changes:
        raise ValidationError("没有需要保存的修改。")
    with recorded_by_service():
        target.save()
        if new_role is not None:
            _set_role(target, new_role)
    record_event(
        Event.GROUPS_CHANGED if new_role is not None else Event.USER_CHANGED,
        actor=user,
        target=target,
        detail="；".join(changes) + _because(reason),
        request=request,
    )
    return target


def _change_name_and_email(target, *, name, email) -> list[str]:
    """Set the name and the e-mail given (None: unchanged); what changed, old → new."""
    changes = []
    if name is not None:
        name = clean_name(name)
        if name != str(target):
            changes.append(f"姓名：{target} → {name}")
            target.first_name, target.last_name = name, ""
    if email is not None:
        email = clean_email(email)
        if email != target.email:
            changes.append(f"邮箱：{target.email or '无'} → {email or '无'}")
            target.email = email
    return changes


def _new_role(user, target, role) -> Role | None:
    """The role asked for, or None when it is the target's already; never one's own, and
    never the last manager's."""
    new_role = clean_role(role)
    if new_role == role_of(target):
        return None
    if target.pk == user.pk:
        raise ValidationError("不能修改自己的角色。")
    if new_role != Role.REVIEWER:
        _require_another_manager(target, "改为其他角色")
    return new_role


def _change_role(target, new_role: Role, *, department) -> list[str]:
    """A clerk's department goes with the role (kept unless given); others have none."""
    new_department = target.department if department is _UNSET else department
    if new_role != Role.CLERK:
        new_department = None
    check_department(new_role, new_department)
    changes = [f"角色：{_role_label(target)} → {ROLE_SHORT[new_role]}"]
    if new_department != target.department:
        changes.append(
            f"部门：{_department_name(target.department)} → {_department_name(new_department)}"
        )
        target.department = new_department
    return changes


@transaction.atomic
def move_user(*, user, target, department, reason="", request=None) -> User:
    """Move a clerk to another department that is not retired."""
    _require_manager(user)
    target = User.objects.select_for_update().get(pk=target.pk)
    _require_manageable(user, target)
    if role_of(target) != Role.CLERK:
        raise ValidationError("只有填报员属于部门，不能调整其他角色的部门。")
    check_department(Role.CLERK, department)
    if department.pk == target.department_id:
        raise ValidationError(f"该用户已属于“{department.name}”。")
    old = target.department
    target.department = department
    with recorded_by_service():
        target.save(update_fields=["department"])
    record_event(
        Event.USER_MOVED,
        actor=user,
        target=target,
        detail=f"部门：{_department_name(old)} → {department.name}{_because(reason)}",
        request=request,
    )
    return target


@transaction.atomic
def deactivate_user(*, user, target, reason="", request=None) -> User:
    """The account can no longer log in (its sessions end with it); its API tokens are
    revoked, so that no program goes on acting in its name."""
    _require_manager(user)
    target = _lock_for_manager_change(user, target)
    _require_manageable(user, target)
    if target.pk == user.pk:
        raise ValidationError("不能停用自己的账号。")
    if not target.is_active:
        raise ValidationError("该用户已停用。")
    _require_another_manager(target, "停用")
    target.is_active = False
    with recorded_by_service():
        target.save(update_fields=["is_active"])
    tokens, _ = ApiToken.objects.filter(user=target).delete()
    note = f"；撤销接口令牌 {tokens} 个" if tokens else ""
    record_event(
        Event.USER_DEACTIVATED,
        actor=user,
        target=target,
        detail=f"状态：启用 → 停用{note}{_because(reason)}",
        request=request,
    )
    return target


@transaction.atomic
def reactivate_user(*, user, target, reason="", request=None) -> User:
    _require_manager(user)
    target = User.objects.select_for_update().get(pk=target.pk)
    _require_manageable(user, target)
    if target.is_active:
        raise ValidationError("该用户未停用。")
    if role_of(target) == Role.CLERK and target.department and target.department.is_retired:
        raise ValidationError(
            f"部门“{target.department.name}”已停用：请先将该用户调整到其他部门，再重新启用。"
        )
    target.is_active = True
    with recorded_by_service():
        target.save(update_fields=["is_active"])
    record_event(
        Event.USER_REACTIVATED,
        actor=user,
        target=target,
        detail=f"状态：停用 → 启用{_because(reason)}",
        request=request,
    )
    return target


@transaction.atomic
def reset_password(*, user, target, reason="", request=None) -> str:
    """A new one-time password for `target`, returned once; their sessions end (Django
    checks the password hash on each request), their API tokens are revoked (whoever held
    the old password may have made one) and they must change it at the next login."""
    _require_manager(user)
    target = User.objects.select_for_update().get(pk=target.pk)
    _require_manageable(user, target)
    if target.pk == user.pk:
        raise ValidationError("请在“修改密码”页面修改您自己的密码。")
    password = generate_password(target)
    target.set_password(password)
    target.must_change_password = True
    with recorded_by_service():
        target.save(update_fields=["password", "must_change_password"])
    tokens, _ = ApiToken.objects.filter(user=target).delete()
    note = f"；撤销接口令牌 {tokens} 个" if tokens else ""
    record_event(
        Event.PASSWORD_RESET,
        actor=user,
        target=target,
        detail=f"已生成一次性密码，下次登录须修改{note}{_because(reason)}",
        request=request,
    )
    return password


def departments_open():
    """Departments a clerk may be put in."""
    return Department.objects.filter(retired_at__isnull=True).order_by("order", "code")
