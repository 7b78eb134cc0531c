"""Reading the area tree: the installation's own area, subtrees by path, the areas that
exist during a period."""

from django.db.models import Q

from .models import Area, AreaLevel

# Levels whose areas have an office (法制办, 依法治市办) that approves figures; a township's
# units are approved by the office of the district they belong to.
OFFICE_LEVELS = (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.DISTRICT)


def roots():
    """The tree's roots, the installation's own first (home_area)."""
    return Area.objects.filter(parent__isnull=True).order_by("path")


def home_area() -> Area:
    """The area an installation serves: its root (one district today; the city in a city's
    installation)."""
    return roots().first()


def subtree(area: Area):
    """The area and every area below it, by one indexed prefix match on the path."""
    return Area.objects.filter(path__startswith=area.path)


def is_within(area: Area, ancestor: Area) -> bool:
    return area.path.startswith(ancestor.path)


def valid_condition(*, start, end, prefix: str = "") -> Q:
    """The one rule for an area that existed at some time between `start` and `end` (open
    then, not closed before): `prefix` reaches the area through a relation ("unit__area__")."""
    return Q(**{f"{prefix}valid_from__lte": end}) & ~Q(**{f"{prefix}valid_to__lt": start})


def valid_during(queryset, *, start, end):
    """Areas that existed at some time between `start` and `end`."""
    return queryset.filter(valid_condition(start=start, end=end))


def level_label(level: str) -> str:
    return AreaLevel(level).label


def ancestors(area: Area) -> list[str]:
    """The codes on the path from the root down to `area`, itself included."""
    return [code for code in area.path.split("/") if code]


def approving_area(area: Area) -> Area:
    """The area whose office approves the figures of the units in `area`: the nearest area at
    or above it that has an office (a township's district; a district itself; the city for
    the city's own departments)."""
    codes = ancestors(area)
    if area.level in OFFICE_LEVELS:
        return area
    by_code = {a.code: a for a in Area.objects.filter(code__in=codes)}
    for code in reversed(codes):
        if by_code[code].level in OFFICE_LEVELS:
            return by_code[code]
    return area
