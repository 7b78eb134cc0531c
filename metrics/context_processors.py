from django.conf import settings
from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

from lawgov.navigation import groups_for

from .office import district_name
from .texts import limits


def _district_name() -> str:
    """The office's setting; the environment's default where the database cannot answer, so
    that the error pages (503 while the database is down, a 400 for a bad host) still render."""
    # No savepoint around it: the query fails only when the database cannot answer at all.
    try:
        return district_name()
    except DatabaseError:
        return settings.DISTRICT_NAME


def site(request):
    # district_name: the office's own setting (系统设置), read only by a page that shows it;
    # text_limits: each free-text field's maxlength, the limit the services enforce;
    # nav_groups: the header's links, grouped (lawgov.navigation).
    user = getattr(request, "user", None)
    return {
        "district_name": SimpleLazyObject(_district_name),
        "text_limits": limits(),
        "nav_groups": groups_for(user) if user is not None else [],
    }
