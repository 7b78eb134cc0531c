"""A city for the level-by-level entry and review tests (tests/reports/city.build_city) with
the officials of each level: the city's reviewer, each district's reviewer and the clerk of
each township's 司法所 and of each district's 司法局."""

import pytest

from accounts.demo import ensure_period
from tests import factories
from tests.reports.city import FAR, build_city, town

__all__ = ["town"]


@pytest.fixture
def tree(db):
    period = ensure_period("2026", deadline=FAR)
    tree = build_city(districts=3, towns=2)
    tree["period"] = period
    tree["city_reviewer"] = factories.UserFactory(role="reviewer", area=tree["city"])
    tree["reviewers"] = [factories.UserFactory(role="reviewer", area=d) for d in tree["districts"]]
    tree["clerks"] = {
        unit.pk: factories.UserFactory(role="clerk", department=unit)
        for units in tree["towns"].values()
        for unit in units
    }
    tree["sfj_clerks"] = {
        d.code: factories.UserFactory(role="clerk", department=tree["sfj"][d.code])
        for d in tree["districts"]
    }
    return tree


def clerk_of(tree, unit):
    return tree["clerks"][unit.pk]
