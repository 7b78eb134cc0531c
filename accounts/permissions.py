"""The API's own hold-back (the pages have AccountMiddleware): a user who must still choose a
new password (a one-time or an expired one, services.password_change_pending) is refused
every call, by session or by token, with password_change_required (403); a login the pages
would hold back for its second factor is refused with otp_required (403). In the default
permission classes (settings.REST_FRAMEWORK), so every API view has them.

Kept free of rest_framework.views: DRF imports the default permission classes while its
views module is being loaded."""

from rest_framework.permissions import BasePermission

from . import services
from .middleware import session_verified


class PasswordChanged(BasePermission):
    def has_permission(self, request, view):

        user = request.user
        if user is None or not user.is_authenticated:
            return True  # IsAuthenticated (or AllowAny) decides
        if services.password_change_pending(user):
            raise services.PasswordChangeRequired(services.password_change_message(user))
        return True


class SecondFactorChecked(BasePermission):
    """The pages' second-factor rule (services.second_factor_pending) for the API: a session
    not verified with the user's authenticator (opened before they enrolled), or a user whose
    role must enrol and has not, is refused with otp_required (403), reads and writes alike,
    as AccountMiddleware logs such a session out of the pages. A token counts as verified:
    the API's login asks for the code of an enrolled user before it issues one, and the
    token page is behind the same check."""

    def has_permission(self, request, view):

        user = request.user
        if user is None or not user.is_authenticated:
            return True
        # A token (request.auth is its row); a session has no auth object.
        verified = request.auth is not None or session_verified(request._request.user)
        pending = services.second_factor_pending(user, verified=verified)
        if pending is not None:
            raise services.SecondFactorRequired(services.SECOND_FACTOR_MESSAGES[pending])
        return True
