"""What the 法制办 asks of an account, checked and said in Chinese: a user name, a name, an
e-mail, a role among those it hands out, a clerk's department. Shared by accounts.people and
the onboarding sheet (accounts.onboarding)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.roles import Role
from lawgov.control_characters import CONTROL_CHARACTERS
from metrics.models import User

# The roles the 法制办 hands out; system administrators are superusers, made in the admin.
MANAGED_ROLES = (Role.CLERK, Role.REVIEWER, Role.LEADER)


def clean_username(username) -> str:
    username = str(username or "").strip()
    if not username:
        raise ValidationError("请填写用户名。")
    if len(username) > 150:
        raise ValidationError("用户名不能超过 150 个字符。")
    try:
        User.username_validator(username)
    except ValidationError:
        raise ValidationError(
            f"用户名“{username}”不合规：只能包含字母、数字和 @ . + - _。"
        ) from None
    return username


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def clean_name(name) -> str:
    name = str(name or "").strip()
    if not name:
        raise ValidationError("请填写姓名。")
    if len(name) > 150:
        raise ValidationError("姓名不能超过 150 个字符。")
    if CONTROL_CHARACTERS.search(name):
        raise ValidationError("姓名中含有不可见的控制字符。")
    return name


def clean_email(email) -> str:
    email = str(email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(f"邮箱“{email}”格式不正确。") from None
    return email


def clean_role(role) -> Role:
    try:
        role = Role(role)
    except ValueError:
        role = None
    if role not in MANAGED_ROLES:
        raise ValidationError("请选择角色：填报员、审核员或区领导。")
    return role


def check_department(role: Role, department) -> None:
    if role == Role.CLERK:
        if department is None:
            raise ValidationError("填报员须指定所属部门。")
        if department.is_retired:
            raise ValidationError(f"部门“{department.name}”已停用，不能再加入填报员。")
    elif department is not None:
        raise ValidationError("审核员和区领导不属于任何部门，请不要选择部门。")
