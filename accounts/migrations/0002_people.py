"""The 法制办 runs the accounts itself: the events of its account management, the hashes of
each user's recent passwords (not one of the last five may come back), and the reviewers'
right to read the account audit log on its portal page."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from metrics.migration_helpers import GROUP_NAMES, Role, grant_role_permissions


def grant_audit_view(apps, schema_editor):
    grant_role_permissions(apps, {Role.REVIEWER: ["accounts.view_accountevent"]}, GROUP_NAMES)


class Migration(migrations.Migration):
    replaces = [("lawgov", "0002_people")]

    dependencies = [
        ("accounts", "0001_accounts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accountevent",
            name="event",
            field=models.CharField(
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
                    ("user_reactivated", "重新启用用户"),
                    ("user_moved", "调整用户部门"),
                    ("password_reset", "重置密码"),
                    ("user_imported", "批量导入用户"),
                    ("department_created", "创建部门"),
                ],
                db_index=True,
                max_length=30,
                verbose_name="事件",
            ),
        ),
        migrations.CreateModel(
            name="PasswordHistory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("password", models.CharField(max_length=128, verbose_name="密码摘要")),
                (
                    "created_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="设置时间"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="password_history",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "历史密码",
                "verbose_name_plural": "历史密码",
                "ordering": ["-created_at", "-id"],
                "default_permissions": (),
                "db_table": "lawgov_passwordhistory",
            },
        ),
        migrations.RunPython(grant_audit_view, migrations.RunPython.noop),
    ]
