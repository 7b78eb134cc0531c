"""The portal's admin site: Django's, subclassed (not patched) so that its rules are read in
one place. INSTALLED_APPS names PortalAdminConfig in place of "django.contrib.admin", Django's
documented way to replace the default site; every app's admin module registers on it as usual.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied

# Third-party models whose names are plain English strings (no translation reaches them):
# their names in the admin's lists and side bar. Their Meta stays theirs (no migration).
MODEL_NAMES = {("otp_totp", "totpdevice"): "两步验证设备"}


class PortalAdminSite(AdminSite):
    site_header = "法治政府建设工作汇报门户"
    site_title = "法治汇报门户"
    index_title = "后台管理"

    # The admin is for superusers alone (README): a staff account that is not one, a reviewer
    # say, does everything on the portal's pages.
    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def admin_view(self, view, cacheable=False):
        """Logged in but not a superuser: the portal's 403 page (a redirect to the login page
        would send a logged-in user straight back here); logged out: the login page."""
        wrapped = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("后台管理仅供系统管理员使用。")
            return wrapped(request, *args, **kwargs)

        inner.__wrapped__ = wrapped
        for attribute in ("csrf_exempt", "admin_site"):
            if hasattr(wrapped, attribute):
                setattr(inner, attribute, getattr(wrapped, attribute))
        return inner

    def _build_app_dict(self, request, label=None):
        found = super()._build_app_dict(request, label)
        apps = [found] if label is not None and found else (found or {}).values()
        for app in apps:
            for model in app.get("models", []):
                name = MODEL_NAMES.get((app["app_label"], model["object_name"].lower()))
                if name:
                    model["name"] = name
        return found


class PortalAdminConfig(AdminConfig):
    default_site = "lawgov.admin_site.PortalAdminSite"
