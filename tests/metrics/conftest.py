from decimal import Decimal

import pytest

from metrics import services
from metrics.models import Department, Indicator
from tests import factories
from tests.metrics.unit_city import tree  # noqa: F401  (the city of test_unit_entry, test_area_approval)


@pytest.fixture
def zfw(db):
    return Department.objects.get(code="zfw")


@pytest.fixture
def zfw_clerk(zfw):
    return factories.UserFactory(role="clerk", department=zfw)


@pytest.fixture
def gaj_clerk(db):
    return factories.UserFactory(role="clerk", department=Department.objects.get(code="gaj"))


def fill(department, period, user, overrides=None):
    """Save a plausible draft value for every indicator of the department."""
    overrides = overrides or {}
    for indicator in Indicator.objects.entered().filter(department=department):
        default = 100 if indicator.value_type == "percentage" else 5
        if indicator.code == "biz_review_cases_received":
            default = 10
        services.save_figure(
            indicator=indicator,
            period=period,
            value=Decimal(overrides.get(indicator.code, default)),
            user=user,
        )
