"""Writing the account audit log (accounts.models.AccountEvent).

`record_event` is the one way in. The services pass the acting user and the request; the
signal receivers (accounts.signals), which have no request of their own, find the
request being served through `current_request`, set by accounts.middleware."""

import contextlib
import contextvars

from axes.helpers import get_client_ip_address

from .models import AccountEvent, Event

_request = contextvars.ContextVar("lawgov_current_request", default=None)
_service_records = contextvars.ContextVar("lawgov_service_records", default=False)


def set_current_request(request):
    return _request.set(request)


def reset_current_request(token):
    _request.reset(token)


def current_request():
    return _request.get()


@contextlib.contextmanager
def recorded_by_service():
    """Inside, the user-change signal receivers stay silent: the service (accounts.
    people) writes one record of its own, with old → new and the reason, rather than the
    receivers' field-by-field ones that cannot know either."""
    token = _service_records.set(True)
    try:
        yield
    finally:
        _service_records.reset(token)


def service_is_recording() -> bool:
    return _service_records.get()


def _name(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_username()


def client_ip(request) -> str | None:
    if request is None:
        return None
    # django-axes' reading of the address: accounts.addresses.client_address (the
    # trusted proxies of LAWGOV_TRUSTED_PROXY_COUNT), through AXES_CLIENT_IP_CALLABLE.
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or None


def record_event(
    event: Event, *, actor=None, actor_name: str = "", target="", detail="", request=None
) -> AccountEvent:
    """Write one audit row. `actor` is the user who acted (None: anonymous or unknown; the
    request's user is then taken where there is one); `actor_name` names who tried when no
    user exists (a failed login's user name); `target` is what was acted on."""
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    name = _name(actor) or actor_name
    if not isinstance(target, str):
        target = target.get_username() if hasattr(target, "get_username") else str(target)
    return AccountEvent.objects.create(
        event=event,
        actor=name[:150],
        target=target[:200],
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
        detail=detail,
    )
