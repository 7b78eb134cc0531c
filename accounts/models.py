"""Account security records: the append-only audit log, API tokens (hashed, expiring) and
when each password was last changed, and the hashes of the last few passwords.

The tables keep the names they had when these models lived in the project package (lawgov_*),
so that an installation upgrades without copying a row (migration 0001 replaces lawgov's)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken


class AppendOnly(Exception):
    """An audit record is never changed or deleted (except by the retention cleanup)."""


class Event(models.TextChoices):
    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出"
    LOGIN_FAILED = "login_failed", "登录失败"
    OTP_FAILED = "otp_failed", "两步验证码错误"
    LOCKED_OUT = "locked_out", "账号锁定"
    UNLOCKED = "unlocked", "解除锁定"
    PASSWORD_CHANGED = "password_changed", "修改密码"
    TOKEN_CREATED = "token_created", "创建接口令牌"
    TOKEN_REVOKED = "token_revoked", "撤销接口令牌"
    TOKEN_EXPIRED = "token_expired", "接口令牌过期"
    OTP_ENROLLED = "otp_enrolled", "启用两步验证"
    OTP_REMOVED = "otp_removed", "移除两步验证"
    USER_CREATED = "user_created", "创建用户"
    USER_CHANGED = "user_changed", "修改用户"
    USER_DEACTIVATED = "user_deactivated", "停用用户"
    USER_DELETED = "user_deleted", "删除用户"
    GROUPS_CHANGED = "groups_changed", "用户角色变更"
    PERMISSIONS_CHANGED = "permissions_changed", "权限变更"
    GROUP_CHANGED = "group_changed", "角色（组）变更"
    # The 法制办's own account management (accounts.people).
    USER_REACTIVATED = "user_reactivated", "重新启用用户"
    USER_MOVED = "user_moved", "调整用户部门"
    PASSWORD_RESET = "password_reset", "重置密码"
    USER_IMPORTED = "user_imported", "批量导入用户"
    DEPARTMENT_CREATED = "department_created", "创建部门"


class AccountEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("账号审计记录不能修改。")

    def delete(self):
        raise AppendOnly("账号审计记录不能删除。")

    def purge(self):
        """Delete these rows: only accounts.services.purge_account_events calls this,
        for rows older than the retention period."""
        return models.QuerySet.delete(self)


class AccountEvent(models.Model):
    """One thing that happened to an account. Rows are only ever added: `save` refuses to
    change a stored row and `delete` refuses always; the database refuses updates as well
    (a trigger, migration 0001) and, on PostgreSQL, deleting rows younger than 180 days.
    People are named by user name (no foreign key), so that no later change to a user
    touches the record."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True, editable=False)
    event = models.CharField("事件", max_length=30, choices=Event.choices, db_index=True)
    actor = models.CharField("操作人", max_length=150, blank=True, db_index=True)
    target = models.CharField("对象", max_length=200, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    detail = models.TextField("详情", blank=True)

    objects = AccountEventQuerySet.as_manager()

    class Meta:
        db_table = "lawgov_accountevent"
        verbose_name = "账号审计记录"
        verbose_name_plural = "账号审计记录"
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        permissions = [("unlock_accounts", "可解除登录锁定")]

    def __str__(self):
        when = timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M:%S")
        return f"{when} {self.actor or '匿名'} {self.get_event_display()} {self.target}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("账号审计记录不能修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("账号审计记录不能删除。")


class ApiToken(AbstractAuthToken):
    """An API token (django-knox, KNOX_TOKEN_MODEL): only its hash is stored; `token_key`
    is the first characters, shown to tell tokens apart."""

    name = models.CharField("名称", max_length=100, blank=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        db_table = "lawgov_apitoken"
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name or '接口令牌'}（{self.token_key[:8]}…）"

    @property
    def prefix(self):
        return f"{self.token_key[:8]}…"


class PasswordState(models.Model):
    """When the user last set a password (the maximum password age counts from here)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_state",
    )
    password_changed_at = models.DateTimeField("密码修改时间")

    class Meta:
        db_table = "lawgov_passwordstate"
        verbose_name = "密码状态"
        verbose_name_plural = "密码状态"

    def __str__(self):
        return f"{self.user}：{timezone.localtime(self.password_changed_at):%Y-%m-%d}"


class PasswordHistory(models.Model):
    """The hash of a password the user has had (never the password): a new password may not
    be one of the last PASSWORD_HISTORY_SIZE (accounts.validators). Older rows are
    deleted as new ones come, so that no more hashes are kept than the rule needs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="password_history",
    )
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now, db_index=True)

    class Meta:
        db_table = "lawgov_passwordhistory"
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.user}：{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
