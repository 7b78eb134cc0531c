"""The project app, and django-axes under the names the admin shows in Chinese.

LawgovConfig renames Django's default permissions after migrations: Django names them in
English ("Can add 部门"), and the admin's user and group pages list them by that name; they
become 可添加部门, 可修改部门, 可删除部门, 可查看部门 for every model of every app. That is
presentation only: the codenames (add_department …) that code checks stay as they are.

django-axes ships no Chinese translation. Its translatable words (model and field names) are
translated in lawgov/locale; what no translation reaches is set here: the admin section,
which axes does not name ("AXES"), and each record's name, which axes builds in English
("Attempted Access: 2026-11-30 07:01:22.133448+00:00"). INSTALLED_APPS names this config
instead of "axes" (Django's documented way of renaming a third-party app); the app label,
tables and migrations stay axes' own.
"""

from axes import apps as axes_apps
from django.apps import AppConfig
from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models.signals import post_migrate
from django.utils import formats, timezone, translation
from django_otp.plugins.otp_totp import apps as otp_totp_apps

# Django's default permissions (Meta.default_permissions) by their Chinese verbs.
PERMISSION_VERBS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


def _permission_model(apps, using):
    """The Permission model to change after a migration, or None where there is none."""
    try:
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return None
    return Permission if router.allow_migrate_model(using, Permission) else None


def name_default_permissions(app_config, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """Give the default permissions of `app_config`'s models, which django.contrib.auth has just
    created (its post_migrate receiver is connected before this one), their Chinese names."""
    Permission = _permission_model(apps, using)
    if Permission is None:
        return
    max_length = Permission._meta.get_field("name").max_length
    with translation.override(settings.LANGUAGE_CODE):
        for model in app_config.get_models():
            opts = model._meta
            names = {}
            for action in opts.default_permissions:
                if action in PERMISSION_VERBS:
                    name = f"可{PERMISSION_VERBS[action]}{opts.verbose_name}"
                    names[get_permission_codename(action, opts)] = name[:max_length]
            renamed = []
            for permission in Permission.objects.using(using).filter(
                content_type__app_label=opts.app_label,
                content_type__model=opts.model_name,
                codename__in=names,
            ):
                if permission.name != names[permission.codename]:
                    permission.name = names[permission.codename]
                    renamed.append(permission)
            Permission.objects.using(using).bulk_update(renamed, ["name"])


def drop_swapped_permissions(app_config, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """A swapped-out model (django-knox's AuthToken, replaced by accounts.ApiToken) still gets
    permissions from its app's migrations; nobody can hold them meaningfully, so they go."""
    Permission = _permission_model(apps, using)
    if Permission is None:
        return
    for model in app_config.get_models(include_swapped=True):
        if model._meta.swapped:
            Permission.objects.using(using).filter(
                content_type__app_label=model._meta.app_label,
                content_type__model=model._meta.model_name,
            ).delete()


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    default = True
    verbose_name = "账号与安全"  # the admin's section heading

    def ready(self):
        post_migrate.connect(
            name_default_permissions, dispatch_uid="accounts.name_default_permissions"
        )
        post_migrate.connect(
            drop_swapped_permissions, dispatch_uid="accounts.drop_swapped_permissions"
        )
        from django.contrib.auth.signals import user_logged_in

        from lawgov.control_characters import install_model_validators
        from metrics import references

        from . import history, signals
        from .middleware import check_on_login

        signals.connect()
        install_model_validators(self.get_models())
        user_logged_in.connect(check_on_login, dispatch_uid="accounts.check_on_login")
        references.register_history_source(history.SOURCE)


AXES_SECTION = "登录限制"


def _local(moment):
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else ""


# How a record is named in the admin's titles, breadcrumbs and "recent actions".
AXES_RECORD_NAMES = {
    "accessattempt": lambda r: (
        f"{r.username}（{r.ip_address}）登录失败 {r.failures_since_start} 次"
    ),
    "accessfailurelog": lambda r: (
        f"{r.username}（{r.ip_address}）{_local(r.attempt_time)} 登录失败"
    ),
    "accesslog": lambda r: f"{r.username}（{r.ip_address}）{_local(r.attempt_time)} 登录",
}


class TotpConfig(otp_totp_apps.DefaultConfig):
    """django-otp's TOTP plugin under a Chinese section heading in the admin (not "Totp");
    its label, tables and migrations stay the plugin's own."""

    default = False
    verbose_name = "两步验证"


class AxesConfig(axes_apps.AppConfig):
    # Only when named in INSTALLED_APPS; never the default config of the `accounts` app itself.
    default = False
    verbose_name = AXES_SECTION

    def ready(self):
        super().ready()
        for model in self.get_models():
            record_name = AXES_RECORD_NAMES.get(model._meta.model_name)
            if record_name:
                model.__str__ = record_name
