"""The client's address behind the deployment's reverse proxies: the one reading that
django-axes' lockout (AXES_CLIENT_IP_CALLABLE) and the account audit log both use.

LAWGOV_TRUSTED_PROXY_COUNT says how many proxies of our own stand in front of the web
process (0: none, the address is REMOTE_ADDR). Each of them appends the address it received
the request from to LAWGOV_CLIENT_IP_HEADER (X-Forwarded-For by default), so the client is
the entry that many places from the right of [header entries…, REMOTE_ADDR]; whatever a
client writes into the header itself stays to the left of it and is never believed. The web
process must then be reachable only through those proxies."""

import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    text = text.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_address(request) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    trusted = max(int(getattr(settings, "LAWGOV_TRUSTED_PROXY_COUNT", 0) or 0), 0)
    if not trusted:
        return remote
    header = request.META.get(settings.LAWGOV_CLIENT_IP_HEADER, "") or ""
    chain = [part for part in str(header).split(",") if part.strip()]
    hops = [*chain, request.META.get("REMOTE_ADDR", "") or ""]
    if len(hops) <= trusted:  # the request did not pass through all our proxies
        return remote
    return _address(hops[-(trusted + 1)]) or remote
