"""The account audit log in the admin: read-only for everyone, superusers included (no
add, change or delete). API tokens are listed (never their secret) and can be revoked.

Users and roles (groups) in the admin are for superusers only, and read-only: accounts are
created, changed, moved, deactivated and given passwords on the portal's 人员管理 pages
(accounts.people's services, each with its audit row), whatever permissions an account holds."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from lawgov.admin_helpers import NoWrites, ReadOnlyAdmin, when
from metrics.models import User

from . import (
    lockouts_admin,  # noqa: F401  (django-axes' pages, in Chinese)
    services,
)
from .models import AccountEvent, ApiToken


class SuperusersOnly(NoWrites):
    """The admin's pages of a model, for superusers alone, to read: the writes are the
    portal's services (accounts.people)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


class SuperuserGroupAdmin(SuperusersOnly, GroupAdmin):
    pass


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, SuperuserGroupAdmin)


@admin.register(User)
class PortalUserAdmin(SuperusersOnly, UserAdmin):
    list_display = [
        "username",
        "last_name",
        "first_name",
        "department",
        "is_active",
        "is_superuser",
    ]
    list_filter = ["groups", "department", "is_active", "is_superuser"]
    list_select_related = ["department"]
    fieldsets = UserAdmin.fieldsets + (
        ("所属部门", {"fields": ["department"]}),
        ("密码", {"fields": ["must_change_password"]}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (("所属部门", {"fields": ["department"]}),)


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    list_display = ["time", "event", "actor", "target", "ip_address", "detail"]
    list_filter = ["event", "at"]
    search_fields = ["actor", "target", "ip_address", "detail"]
    date_hierarchy = "at"
    readonly_fields = ["time", "event", "actor", "target", "ip_address", "user_agent", "detail"]
    fields = readonly_fields
    list_per_page = 100

    @admin.display(description="时间", ordering="at")
    def time(self, obj):
        return when(obj.at)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created_at", "expires_at", "last_used_at"]
    search_fields = ["token_key", "name", "user__username"]
    readonly_fields = ["prefix", "name", "user", "created_at", "expires_at", "last_used_at"]
    fields = readonly_fields
    actions = ["revoke"]

    @admin.display(description="令牌")
    def prefix(self, obj):
        return obj.prefix

    @admin.display(description="创建时间", ordering="created")
    def created_at(self, obj):
        return when(obj.created)

    @admin.display(description="过期时间", ordering="expiry")
    def expires_at(self, obj):
        return when(obj.expiry) if obj.expiry else "永不"

    @admin.display(description="最近使用", ordering="last_used")
    def last_used_at(self, obj):
        return when(obj.last_used) if obj.last_used else "从未"

    def has_add_permission(self, request):
        return False  # a user creates their own on 我的接口令牌 (shown once)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke with the action, which writes the audit log

    @admin.action(description="撤销所选令牌", permissions=["view"])
    def revoke(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, "只有系统管理员可以撤销他人的令牌。", level="error")
            return
        count = 0
        for token in queryset.select_related("user"):
            services.revoke_token_as_admin(user=request.user, token=token, request=request)
            count += 1
        self.message_user(request, f"已撤销 {count} 个令牌。")


class SecondFactorAdmin(TOTPDeviceAdmin):
    """Authenticators are enrolled by their users (start_totp_enrolment); here a superuser
    only removes one, through accounts.services.remove_second_factor (audited)."""

    service_writes = ("accounts.services.remove_second_factor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.remove_second_factor(user=request.user, device=obj)

    def delete_queryset(self, request, queryset):
        for device in queryset:
            self.delete_model(request, device)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, SecondFactorAdmin)


# django-knox registers its own token model, which KNOX_TOKEN_MODEL swaps for ApiToken.
from knox.models import AuthToken as KnoxAuthToken  # noqa: E402

if admin.site.is_registered(KnoxAuthToken):
    admin.site.unregister(KnoxAuthToken)
