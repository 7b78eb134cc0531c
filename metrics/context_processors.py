from django.conf import settings
from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

from lawgov.navigation import groups_for

from .access import scope_of
from .areas import approving_area, home_area
from .models import AreaLevel
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


def portal_name(user) -> str:
    """Whose portal the header names: the one district's as always (its 系统设置 name, 示范区)
    where the installation is one district; in a tree, the area whose office the signed-in
    official works for or reports to (示范市 for the city's office, 东城区 for a district's
    and its townships' clerks), else the tree's root."""
    signed_in = user is not None and user.is_authenticated
    # The official's subtree is already known to the page (access.scope_of keeps it for the
    # request); its root is the home area itself when the official works at the top.
    area = scope_of(user) if signed_in else None
    home = area if area is not None and area.parent_id is None else home_area()
    if home is None or home.level == AreaLevel.DISTRICT:
        return f"{_district_name()}区"
    # A township's clerk works in their district's portal (its office approves their figures).
    return approving_area(area).name if area is not None else home.name


def _portal_name(user) -> str:
    try:
        return portal_name(user)
    except DatabaseError:
        return f"{settings.DISTRICT_NAME}区"


def site(request):
    # district_name: the office's own setting (系统设置), read only by a page that shows it;
    # text_limits: each free-text field's maxlength, the limit the services enforce;
    # nav_groups: the header's links, grouped (lawgov.navigation).
    user = getattr(request, "user", None)
    return {
        "district_name": SimpleLazyObject(_district_name),
        "portal_name": SimpleLazyObject(lambda: _portal_name(user)),
        "text_limits": limits(),
        "nav_groups": groups_for(user) if user is not None else [],
    }
