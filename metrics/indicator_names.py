"""Indicators by the names people know them by: what the formula editor and the template
editor's 插入数据 panel look up (read queries only; the pages show names, never codes, to the
people who write formulas and speeches)."""

from .models import Indicator


def codes_by_name() -> dict[str, list[str]]:
    """Every indicator's code(s) by name, for formulas written with names (metrics.formulas)."""
    found: dict[str, list[str]] = {}
    for name, code in Indicator.objects.order_by("code").values_list("name", "code"):
        found.setdefault(name.strip(), []).append(code)
    return found


def names_by_code() -> dict[str, str]:
    return dict(Indicator.objects.values_list("code", "name"))


def picker_entries(*, include_retired: bool = False) -> list[dict]:
    """What the search-as-you-type lists offer: name, department, unit (and the code the page
    inserts), in catalogue order, in one query."""
    indicators = Indicator.objects.select_related("department", "section")
    if not include_retired:
        indicators = indicators.filter(retired_on__isnull=True)
    return [
        {
            "code": i.code,
            "name": i.name,
            "department": i.department.name,
            "unit": i.unit,
            "computed": i.is_computed,
            "section": i.section.name,
        }
        for i in indicators.order_by("section__order", "order", "code")
    ]
