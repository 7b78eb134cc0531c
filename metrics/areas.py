"""Reading the area tree: the installation's own area, subtrees by path, the areas that
exist during a period."""

from .models import Area, AreaLevel


def home_area() -> Area:
    """The area an installation serves: its root (one district today; the city in a city's
    installation)."""
    return Area.objects.filter(parent__isnull=True).order_by("path").first()


def subtree(area: Area):
    """The area and every area below it, by one indexed prefix match on the path."""
    return Area.objects.filter(path__startswith=area.path)


def is_within(area: Area, ancestor: Area) -> bool:
    return area.path.startswith(ancestor.path)


def valid_during(queryset, *, start, end):
    """Areas that existed at some time between `start` and `end`."""
    return queryset.filter(valid_from__lte=end).exclude(valid_to__lt=start)


def level_label(level: str) -> str:
    return AreaLevel(level).label
