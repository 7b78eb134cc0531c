"""The roll-up API's grouped read (metrics.rollup_flat) answers what the rule folding every
area of the tree (metrics.rollup.roll_up) answers, at every area of a city, on both bases:
sums, minima and maxima, recomputed rates, an indicator reported at one level only, a unit
retired before the period, a closed township, figures awaiting review."""

import datetime

import pytest
from django.utils import timezone

from metrics.models import Area, FigureStatus, RollUp
from metrics.rollup import roll_up
from metrics.rollup_selectors import (
    APPROVED,
    CURRENT,
    counted_figures,
    rolled_up,
    rules_in_force,
    tree_of,
)
from tests import factories
from tests.reports.city import figure, seed_city, town


@pytest.fixture
def city(db):
    tree = seed_city()
    sfs, qsfj = town(tree, 1, 1).kind, tree["sfj"]["990101"].kind
    owner = town(tree, 1, 1)
    low = factories.IndicatorFactory(
        code="low", department=owner, reporting_kind=sfs, rollup=RollUp.MIN
    )
    high = factories.IndicatorFactory(
        code="high", department=owner, reporting_kind=sfs, rollup=RollUp.MAX
    )
    own = factories.IndicatorFactory(
        code="own", department=owner, reporting_kind=qsfj, rollup=RollUp.NONE
    )
    for (d, t), value in {(1, 1): 7, (1, 2): 3, (2, 1): 12, (2, 2): 5}.items():
        status = FigureStatus.SUBMITTED if (d, t) == (2, 2) else FigureStatus.APPROVED
        figure(low, town(tree, d, t), value, status=status)
        figure(high, town(tree, d, t), value, status=status)
    figure(own, tree["sfj"]["990101"], "97.5")
    figure(own, tree["sfj"]["990102"], "88")
    # A township's unit retired before 2026 that still reported; a township closed in 2025.
    retired = town(tree, 3, 1)
    retired.retired_at = timezone.make_aware(datetime.datetime(2025, 6, 1))
    retired.save()
    figure(tree["cases"], retired, 9)
    closed = town(tree, 3, 2).area
    closed.valid_to = datetime.date(2025, 12, 31)
    closed.save()
    figure(tree["cases"], town(tree, 3, 2), 4)
    # A unit of the city itself, reporting a district-level indicator.
    city_sfj = factories.DepartmentFactory(code="city_sfj", area=tree["city"], kind=qsfj)
    figure(own, city_sfj, "99")
    figure(tree["reviews"], city_sfj, 2)
    return tree


@pytest.mark.parametrize("basis", [APPROVED, CURRENT])
def test_the_grouped_read_agrees_with_the_rule_at_every_area(city, basis):
    period = factories.period("2026")
    for area in Area.objects.filter(path__startswith=city["city"].path):
        expected = roll_up(
            tree=tree_of(area=area, period=period),
            rules=rules_in_force(period=period),
            figures=counted_figures(area=area, period=period, basis=basis),
        )
        assert rolled_up(area=area, period=period, basis=basis) == expected, area.code


def test_asking_for_some_indicators_reads_what_their_formulas_need(city):
    period = factories.period("2026")
    area = city["city"]
    whole = rolled_up(area=area, period=period, basis=CURRENT)
    some = rolled_up(area=area, period=period, codes=["mediated_rate", "low"], basis=CURRENT)
    assert list(some) == ["mediated_rate", "low"]
    assert some["mediated_rate"] == whole["mediated_rate"]
    assert some["low"] == whole["low"]
