"""django-axes under the names the admin shows in Chinese.

django-axes ships no Chinese translation. Its translatable words (model and field names) are
translated in lawgov/locale; what no translation reaches is set here: the admin section,
which axes does not name ("AXES"), and each record's name, which axes builds in English
("Attempted Access: 2026-11-30 07:01:22.133448+00:00"). INSTALLED_APPS names this config
instead of "axes" (Django's documented way of renaming a third-party app); the app label,
tables and migrations stay axes' own.
"""

from axes import apps as axes_apps
from django.utils import formats, timezone

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


class AxesConfig(axes_apps.AppConfig):
    # Only when named in INSTALLED_APPS; never the default config of the `lawgov` app itself.
    default = False
    verbose_name = AXES_SECTION

    def ready(self):
        super().ready()
        for model in self.get_models():
            record_name = AXES_RECORD_NAMES.get(model._meta.model_name)
            if record_name:
                model.__str__ = record_name
