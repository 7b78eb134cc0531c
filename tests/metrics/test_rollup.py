"""The roll-up rule (metrics.rollup): sums that say they are short, minima not dragged to 0 by
a late township, rates recomputed from summed inputs, figures reported at one level only."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.formulas import parse
from metrics.models import AreaLevel, FigureStatus, RollUp, UnitKind, ValueType
from metrics.rollup import AREA, UNIT, AreaNode, IndicatorRule, Total, Tree, UnitNode, roll_up
from metrics.rollup_selectors import APPROVED, CURRENT, rolled_up
from tests import factories

D = Decimal
TOWN = 7  # the township unit kind's id in the pure tests


def city(townships: dict[str, dict[str, list[str]]]) -> Tree:
    """A city "c" whose districts hold townships, one 司法所 unit ("<township>-sfs") each."""
    areas = [AreaNode("c", "市", None)]
    units = []
    for district, towns in townships.items():
        areas.append(AreaNode(district, f"{district}区", "c"))
        for town in towns:
            areas.append(AreaNode(town, f"{town}镇", district))
            units.append(UnitNode(f"{town}-sfs", f"{town}镇司法所", town, TOWN))
    return Tree(root="c", areas=areas, units=units)


CASES = IndicatorRule("cases", RollUp.SUM, TOWN)
SETTLED = IndicatorRule("settled", RollUp.SUM, TOWN)
RATE = IndicatorRule("rate", RollUp.RECOMPUTE, None, parse("settled / cases * 100"), 1)


def test_a_sum_with_a_late_township_is_short_not_zero_filled():
    tree = city({"d1": ["t1", "t2"], "d2": ["t3"]})
    result = roll_up(
        tree=tree, rules=[CASES], figures={("cases", "t1-sfs"): D(10), ("cases", "t3-sfs"): D(5)}
    )
    total = result["cases"].total
    assert (total.value, total.reported, total.expected) == (D(15), 2, 3)
    assert not total.complete
    d1 = next(p for p in result["cases"].children if p.key == "d1")
    assert (d1.kind, d1.total) == (AREA, Total(D(10), 1, 2))


def test_a_minimum_ignores_a_township_that_has_not_reported():
    rule = IndicatorRule("lowest", RollUp.MIN, TOWN)
    tree = city({"d1": ["t1", "t2", "t3"]})
    figures = {("lowest", "t1-sfs"): D("92.5"), ("lowest", "t2-sfs"): D("88")}
    total = roll_up(tree=tree, rules=[rule], figures=figures)["lowest"].total
    assert total == Total(D("88"), 2, 3)


def test_a_rate_is_recomputed_from_the_summed_inputs_never_averaged():
    tree = city({"d1": ["t1", "t2"]})
    figures = {
        ("cases", "t1-sfs"): D(100),
        ("settled", "t1-sfs"): D(90),  # 90 %
        ("cases", "t2-sfs"): D(10),
        ("settled", "t2-sfs"): D(5),  # 50 %
    }
    result = roll_up(tree=tree, rules=[CASES, SETTLED, RATE], figures=figures)
    # (90 + 5) / (100 + 10) = 86.4 %, where the average of the rates would say 70 %.
    assert result["rate"].total == Total(D("86.4"), 2, 2)
    assert [p.total.value for p in result["rate"].children] == [D("86.4")]


def test_a_rate_with_a_township_missing_is_incomplete():
    tree = city({"d1": ["t1", "t2"]})
    figures = {("cases", "t1-sfs"): D(100), ("settled", "t1-sfs"): D(90)}
    total = roll_up(tree=tree, rules=[CASES, SETTLED, RATE], figures=figures)["rate"].total
    assert total.value == D("90.0") and (total.reported, total.expected) == (1, 2)


def test_not_rolled_up_takes_the_areas_own_unit_only():
    rule = IndicatorRule("own_rate", RollUp.NONE, 3)
    tree = Tree(
        root="d",
        areas=[AreaNode("d", "区", None), AreaNode("t", "镇", "d")],
        units=[UnitNode("d-sfj", "区司法局", "d", 3), UnitNode("t-x", "镇某所", "t", 3)],
    )
    figures = {("own_rate", "d-sfj"): D("97.5"), ("own_rate", "t-x"): D("10")}
    result = roll_up(tree=tree, rules=[rule], figures=figures)["own_rate"]
    assert result.total.value == D("97.5")
    assert [(p.key, p.kind) for p in result.children] == [("t", AREA), ("d-sfj", UNIT)]


def test_a_unit_no_longer_due_still_counts_what_it_reported():
    tree = Tree(
        root="d",
        areas=[AreaNode("d", "区", None), AreaNode("t", "镇", "d")],
        units=[UnitNode("old", "撤并前镇司法所", "t", TOWN, expected=False)],
    )
    with_figure = roll_up(tree=tree, rules=[CASES], figures={("cases", "old"): D(4)})
    assert with_figure["cases"].total == Total(D(4), 1, 1)
    assert roll_up(tree=tree, rules=[CASES], figures={})["cases"].total == Total(None, 0, 0)


trees = st.dictionaries(
    st.sampled_from(["d1", "d2", "d3"]),
    st.lists(st.sampled_from([f"t{i}" for i in range(12)]), min_size=0, max_size=4, unique=True),
    min_size=1,
).map(lambda ds: {d: [f"{d}{t}" for t in ts] for d, ts in ds.items()})


@settings(max_examples=60, deadline=None)
@given(
    shape=trees,
    data=st.data(),
)
def test_generated_trees_agree_with_folding_every_township_at_once(shape, data):
    """Whatever the tree, the city's sum, minimum and recomputed rate are those of all its
    townships' figures taken together, and reported/expected count the townships."""
    tree = city(shape)
    towns = [t for ts in shape.values() for t in ts]
    figures = {}
    for town in towns:
        if data.draw(st.booleans(), label=f"{town} reported"):
            cases = data.draw(st.integers(1, 10_000))
            figures[("cases", f"{town}-sfs")] = D(cases)
            figures[("settled", f"{town}-sfs")] = D(data.draw(st.integers(0, cases)))
    lowest = IndicatorRule("cases_min", RollUp.MIN, TOWN)
    for (code, unit), value in list(figures.items()):
        if code == "cases":
            figures[("cases_min", unit)] = value
    result = roll_up(tree=tree, rules=[CASES, SETTLED, RATE, lowest], figures=figures)
    reported = [v for (c, _), v in figures.items() if c == "cases"]
    settled = [v for (c, _), v in figures.items() if c == "settled"]
    assert result["cases"].total == Total(
        sum(reported) if reported else None, len(reported), len(towns)
    )
    assert result["cases_min"].total.value == (min(reported) if reported else None)
    if reported:
        expected_rate = (sum(settled) / sum(reported) * 100).quantize(
            D("0.1"), rounding="ROUND_HALF_UP"
        )
        assert result["rate"].total.value == expected_rate
    else:
        assert result["rate"].total.value is None


# -- Read from the database -------------------------------------------------------------


@pytest.fixture
def townships(db):
    """The home district with two townships, each with its 司法所, and a township indicator
    pair with the settlement rate computed from them."""
    kind = UnitKind.objects.create(code="sfs", name="乡镇（街道）司法所", level=AreaLevel.TOWNSHIP)
    units = []
    for n in (1, 2):
        town = factories.AreaFactory(code=f"99000000{n}", name=f"甲{n}镇")
        units.append(
            factories.DepartmentFactory(code=f"sfs{n}", name=f"甲{n}镇司法所", area=town, kind=kind)
        )
    cases = factories.IndicatorFactory(code="disputes", department=units[0], reporting_kind=kind)
    settled = factories.IndicatorFactory(
        code="disputes_settled", department=units[0], reporting_kind=kind
    )
    rate = factories.IndicatorFactory(
        code="settle_rate",
        department=units[0],
        formula="disputes_settled / disputes * 100",
        value_type=ValueType.PERCENTAGE,
        unit="%",
        decimal_places=1,
    )
    return {"units": units, "cases": cases, "settled": settled, "rate": rate}


def _figure(indicator, unit, value, status=FigureStatus.APPROVED):
    return factories.FigureFactory(indicator=indicator, unit=unit, value=value, status=status)


def test_the_district_reads_its_townships_rolled_up(townships, django_assert_max_num_queries):
    one, two = townships["units"]
    _figure(townships["cases"], one, 40)
    _figure(townships["settled"], one, 30)
    _figure(townships["cases"], two, 60)
    _figure(townships["settled"], two, 57, status=FigureStatus.SUBMITTED)
    home = one.area.parent
    period = factories.period("2026")
    # 7: whether the period's area totals are built (metrics.totals), then the figures.
    with django_assert_max_num_queries(7):
        approved = rolled_up(
            area=home, period=period, codes=["disputes", "disputes_settled", "settle_rate"]
        )
    assert approved["disputes"].total == Total(D(100), 2, 2)
    assert approved["disputes_settled"].total == Total(D(30), 1, 2)  # one still awaits review
    assert approved["settle_rate"].total.value == D("30.0")
    current = rolled_up(area=home, period=period, codes=["settle_rate"], basis=CURRENT)
    assert current["settle_rate"].total == Total(D("87.0"), 2, 2)
    assert {p.name for p in approved["disputes"].children} == {"甲1镇", "甲2镇"}
    assert APPROVED != CURRENT


def test_query_count_does_not_grow_with_the_townships(townships, django_assert_max_num_queries):
    kind = townships["units"][0].kind
    for n in range(3, 40):
        town = factories.AreaFactory(code=f"9900001{n:02d}", name=f"乙{n}镇")
        unit = factories.DepartmentFactory(
            code=f"sfs{n}", name=f"乙{n}镇司法所", area=town, kind=kind
        )
        _figure(townships["cases"], unit, n)
    home = townships["units"][0].area.parent
    # 7: whether the period's area totals are built (metrics.totals), then the figures.
    with django_assert_max_num_queries(7):
        result = rolled_up(area=home, period=factories.period("2026"), codes=["disputes"])
    assert result["disputes"].total == Total(D(sum(range(3, 40))), 37, 39)
