"""django-axes' admin pages (login throttling) in Chinese.

django-axes ships no Chinese. The app and model names are set in accounts.apps.AxesConfig and
the field names come from the translations in accounts/locale; its admin pages are re-registered
here with Chinese columns, filters and fields (accounts.admin imports this module, so the
admin's autodiscovery finds it).

Deleting a failure record is unlocking: it goes through accounts.services.unlock, which clears
the user name's (or the address's) failures and writes the account audit row. The login and
failure logs are records, read-only.
"""

from axes import admin as axes_admin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from lawgov.admin_helpers import NoWrites, one_line, short, when

from . import services


def titled(title):
    """The filter Django would pick for a field, under the heading `title`."""

    class TitledFilter(admin.FieldListFilter):
        def __new__(cls, *args, **kwargs):
            instance = admin.FieldListFilter.create(*args, **kwargs)
            instance.title = title
            return instance

    return TitledFilter


class LockedOutFilter(axes_admin.IsLockedOutFilter):
    title = "锁定状态"

    def lookups(self, request, model_admin):
        return (("yes", "已锁定"), ("no", "未锁定"))


class AxesAdminMixin:
    """What axes' records share on their pages. Field names (用户名, IP 地址, 路径 …) come from
    the translations in accounts/locale; only the columns that need a shape of their own are
    methods: times on one line, the browser string cut short."""

    @admin.display(description="时间", ordering="attempt_time")
    def time(self, obj):
        return when(obj.attempt_time)

    @admin.display(description="浏览器")
    def browser(self, obj):
        return short(obj.user_agent, 20)

    meta_fieldset = ("访问信息", {"fields": ["ip_address", "user_agent", "http_accept"]})
    readonly_fields = ["time", "username", "ip_address", "user_agent", "http_accept", "path_info"]
    list_filter = [("attempt_time", titled("时间")), "path_info"]


# With AXES_USE_ATTEMPT_EXPIRATION each failure record also shows when it expires.
EXPIRY = ["expires"] if axes_settings.AXES_USE_ATTEMPT_EXPIRATION else []


class AccessAttemptAdmin(AxesAdminMixin, axes_admin.AccessAttemptAdmin):
    service_writes = ("accounts.services.unlock",)
    list_display = [
        "last_failure",
        "username",
        "ip_address",
        "browser",
        "failures",
        "state",
        *EXPIRY,
    ]
    list_filter = [("attempt_time", titled("最近失败时间")), "path_info", LockedOutFilter]
    fieldsets = (
        (None, {"fields": ["username", "path_info", "failures", "last_failure", "state", *EXPIRY]}),
        ("表单数据", {"fields": ["get_params", "post_params"]}),
        AxesAdminMixin.meta_fieldset,
    )
    readonly_fields = [
        *AxesAdminMixin.readonly_fields,
        "last_failure",
        "failures",
        "state",
        "expires",
        "get_params",
        "post_params",
    ]

    @admin.display(description="最近失败时间", ordering="attempt_time")
    def last_failure(self, obj):
        return when(obj.attempt_time)

    @admin.display(description="失败次数", ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    @admin.display(description="状态")
    def state(self, obj):
        limit = axes_settings.AXES_FAILURE_LIMIT
        if not isinstance(limit, int) or limit <= 0:
            return None
        if obj.failures_since_start >= limit:
            return "已锁定"
        return one_line(f"还可尝试 {limit - obj.failures_since_start} 次")

    @admin.display(description="过期时间")
    def expires(self, obj):
        return when(obj.expiration.expires_at) if hasattr(obj, "expiration") else None

    @admin.display(description="GET 参数")
    def get_params(self, obj):
        return obj.get_data

    @admin.display(description="POST 参数")
    def post_params(self, obj):
        return obj.post_data

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        target = {"username": obj.username} if obj.username else {"ip_address": obj.ip_address}
        try:
            services.unlock(user=request.user, request=request, **target)
        except ValidationError as exc:
            raise PermissionDenied("；".join(exc.messages)) from None

    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            self.delete_model(request, attempt)

    @admin.action(description="清理已过期的失败记录")
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, f"已清理 {count} 条过期的登录失败记录。")


class AccessFailureLogAdmin(NoWrites, AxesAdminMixin, axes_admin.AccessFailureLogAdmin):
    list_display = ["time", "username", "ip_address", "browser", "locked_out_now"]
    list_filter = [*AxesAdminMixin.list_filter, ("locked_out", titled("是否导致锁定"))]
    fieldsets = (
        (None, {"fields": ["time", "username", "path_info", "locked_out_now"]}),
        AxesAdminMixin.meta_fieldset,
    )
    readonly_fields = [*AxesAdminMixin.readonly_fields, "locked_out_now"]

    @admin.display(description="导致锁定", boolean=True, ordering="locked_out")
    def locked_out_now(self, obj):
        return obj.locked_out


class AccessLogAdmin(NoWrites, AxesAdminMixin, axes_admin.AccessLogAdmin):
    list_display = ["login", "logout", "username", "ip_address", "browser"]
    list_filter = [("attempt_time", titled("登录时间")), "logout_time", "path_info"]
    fieldsets = (
        (None, {"fields": ["username", "path_info", "login", "logout"]}),
        AxesAdminMixin.meta_fieldset,
    )
    readonly_fields = [*AxesAdminMixin.readonly_fields, "login", "logout"]

    @admin.display(description="登录时间", ordering="attempt_time")
    def login(self, obj):
        return when(obj.attempt_time)

    @admin.display(description="退出时间", ordering="logout_time")
    def logout(self, obj):
        return when(obj.logout_time)


for model, model_admin in [
    (AccessAttempt, AccessAttemptAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (AccessLog, AccessLogAdmin),
]:
    if admin.site.is_registered(model):  # unless AXES_ENABLE_ADMIN is off
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
