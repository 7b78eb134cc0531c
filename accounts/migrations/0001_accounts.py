"""Account security: the audit log (append-only, enforced by the database too), API tokens
(django-knox's hashed tokens with a name and last use), when passwords were changed, and the
reviewer's permission to lift a login lockout."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from metrics.migration_helpers import GROUP_NAMES, Role, grant_role_permissions

APPEND_ONLY_SQL = {
    # Updates never; deletes only of rows past the legal 180 days (the retention cleanup).
    # Row triggers do not fire on TRUNCATE, which `manage.py flush` and the tests use.
    "postgresql": (
        """
        CREATE OR REPLACE FUNCTION lawgov_accountevent_append_only() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                RAISE EXCEPTION 'lawgov_accountevent is append-only: rows cannot be updated';
            END IF;
            IF OLD.at > now() - interval '180 days' THEN
                RAISE EXCEPTION 'lawgov_accountevent: rows younger than 180 days are kept';
            END IF;
            RETURN OLD;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER lawgov_accountevent_append_only
            BEFORE UPDATE OR DELETE ON lawgov_accountevent
            FOR EACH ROW EXECUTE FUNCTION lawgov_accountevent_append_only();
        """,
        """
        DROP TRIGGER IF EXISTS lawgov_accountevent_append_only ON lawgov_accountevent;
        DROP FUNCTION IF EXISTS lawgov_accountevent_append_only();
        """,
    ),
    # SQLite's flush deletes rows one statement at a time (DELETE FROM), so only updates are
    # refused here; the model and its queryset refuse deletes.
    "sqlite": (
        """CREATE TRIGGER lawgov_accountevent_no_update BEFORE UPDATE ON lawgov_accountevent
        BEGIN
            SELECT RAISE(ABORT, 'lawgov_accountevent is append-only: rows cannot be updated');
        END""",
        "DROP TRIGGER IF EXISTS lawgov_accountevent_no_update;",
    ),
}


def _run(schema_editor, sql):
    # One statement for SQLite (a trigger's body is part of it); psycopg2 takes several.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def add_triggers(apps, schema_editor):
    sql = APPEND_ONLY_SQL.get(schema_editor.connection.vendor)
    if sql:
        _run(schema_editor, sql[0])


def drop_triggers(apps, schema_editor):
    sql = APPEND_ONLY_SQL.get(schema_editor.connection.vendor)
    if sql:
        _run(schema_editor, sql[1])


def grant_unlock(apps, schema_editor):
    grant_role_permissions(apps, {Role.REVIEWER: ["accounts.unlock_accounts"]}, GROUP_NAMES)


def start_password_ages(apps, schema_editor):
    """Existing accounts: their password age counts from now, not from when they joined."""
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    PasswordState = apps.get_model("accounts", "PasswordState")
    now = timezone.now()
    PasswordState.objects.bulk_create(
        [
            PasswordState(user_id=pk, password_changed_at=now)
            for pk in User.objects.values_list("pk", flat=True)
        ]
    )


class Migration(migrations.Migration):
    # These models lived in the project package `lawgov` until the accounts app was made; an
    # installation that applied lawgov's migrations takes these as applied (same tables).
    replaces = [("lawgov", "0001_accounts")]

    initial = True

    dependencies = [
        ("metrics", "0008_indicator_headline_order"),
        ("metrics", "0003_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True,
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="时间",
                    ),
                ),
                (
                    "event",
                    models.CharField(
                        choices=[
                            ("login", "登录"),
                            ("logout", "退出"),
                            ("login_failed", "登录失败"),
                            ("otp_failed", "两步验证码错误"),
                            ("locked_out", "账号锁定"),
                            ("unlocked", "解除锁定"),
                            ("password_changed", "修改密码"),
                            ("token_created", "创建接口令牌"),
                            ("token_revoked", "撤销接口令牌"),
                            ("token_expired", "接口令牌过期"),
                            ("otp_enrolled", "启用两步验证"),
                            ("otp_removed", "移除两步验证"),
                            ("user_created", "创建用户"),
                            ("user_changed", "修改用户"),
                            ("user_deactivated", "停用用户"),
                            ("user_deleted", "删除用户"),
                            ("groups_changed", "用户角色变更"),
                            ("permissions_changed", "权限变更"),
                            ("group_changed", "角色（组）变更"),
                        ],
                        db_index=True,
                        max_length=30,
                        verbose_name="事件",
                    ),
                ),
                (
                    "actor",
                    models.CharField(
                        blank=True, db_index=True, max_length=150, verbose_name="操作人"
                    ),
                ),
                (
                    "target",
                    models.CharField(
                        blank=True, db_index=True, max_length=200, verbose_name="对象"
                    ),
                ),
                (
                    "ip_address",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="IP 地址"),
                ),
                ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="浏览器")),
                ("detail", models.TextField(blank=True, verbose_name="详情")),
            ],
            options={
                "verbose_name": "账号审计记录",
                "verbose_name_plural": "账号审计记录",
                "db_table": "lawgov_accountevent",
                "ordering": ["-at", "-id"],
                "permissions": [("unlock_accounts", "可解除登录锁定")],
                "default_permissions": ("view",),
            },
        ),
        migrations.CreateModel(
            name="PasswordState",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="password_state",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
                ("password_changed_at", models.DateTimeField(verbose_name="密码修改时间")),
            ],
            options={
                "verbose_name": "密码状态",
                "verbose_name_plural": "密码状态",
                "db_table": "lawgov_passwordstate",
            },
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("digest", models.CharField(max_length=128, primary_key=True, serialize=False)),
                ("token_key", models.CharField(db_index=True, max_length=25)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("expiry", models.DateTimeField(blank=True, null=True)),
                ("name", models.CharField(blank=True, max_length=100, verbose_name="名称")),
                ("last_used", models.DateTimeField(blank=True, null=True, verbose_name="最近使用")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="auth_token_set",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "接口令牌",
                "verbose_name_plural": "接口令牌",
                "ordering": ["-created"],
                "db_table": "lawgov_apitoken",
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.RunPython(grant_unlock, migrations.RunPython.noop),
        migrations.RunPython(start_password_ages, migrations.RunPython.noop),
    ]
