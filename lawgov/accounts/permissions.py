"""The API's own hold-back (the pages have AccountMiddleware): a user who must still choose a
new password (a one-time or an expired one, services.password_change_pending) is refused
every call, by session or by token, with password_change_required (403). In the default
permission classes (settings.REST_FRAMEWORK), so every API view has it.

Kept free of rest_framework.views: DRF imports the default permission classes while its
views module is being loaded."""

from rest_framework.permissions import BasePermission


class PasswordChanged(BasePermission):
    def has_permission(self, request, view):
        from . import services

        user = request.user
        if user is None or not user.is_authenticated:
            return True  # IsAuthenticated (or AllowAny) decides
        if services.password_change_pending(user):
            raise services.PasswordChangeRequired(services.password_change_message(user))
        return True
