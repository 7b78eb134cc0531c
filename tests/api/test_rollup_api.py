"""GET /api/v1/rollup/: an area's values rolled up from its townships and units by each
indicator's rule (sum, a rate recomputed from the summed inputs, min / max, not rolled up),
a late township making it incomplete rather than zero, the area's direct children, the
caller's subtree, the stable codes of bad parameters and a query count flat in the tree."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import AreaLevel, FigureStatus, RollUp
from metrics.services import approve_figure
from tests import factories
from tests.reports.city import CITY, figure, seed_city, town

from .conftest import token_client

D1, D2, D3 = "990101", "990102", "990103"


@pytest.fixture
def city(db):
    """seed_city: 第1区 all approved (cases 40 + 60, settled 36 + 48); 第2区 one township
    approved (100 / 95), the other awaiting review (20 / 19); 第3区 only its 司法局's."""
    tree = seed_city()
    tree["city_reviewer"] = factories.UserFactory(role="reviewer", area=tree["city"])
    tree["city_leader"] = factories.UserFactory(role="leader", area=tree["city"])
    tree["d1_reviewer"] = factories.UserFactory(role="reviewer", area=tree["districts"][0])
    tree["clerk"] = factories.UserFactory(role="clerk", department=town(tree, 1, 1))
    return tree


def _get(user, query: str):
    return token_client(user).get(f"/api/v1/rollup/?{query}")


def _rollup(user, query: str) -> dict:
    response = _get(user, query)
    assert response.status_code == 200, response.json()
    return {item["code"]: item for item in response.json()["indicators"]}


def _children(item) -> dict:
    return {c["code"]: c for c in item["children"]}


def test_the_city_sums_its_districts_and_says_it_is_short(city):
    result = _rollup(city["city_reviewer"], f"area={CITY}&period=2026")
    cases = result["mediated"]
    assert (cases["name"], cases["unit"], cases["rollup"]) == ("调解案件数", "件", RollUp.SUM)
    # 40 + 60 + 100 approved; 第2区's second township awaits review, 第3区 has reported none.
    assert (cases["value"], cases["reported"], cases["expected"]) == ("200", 3, 6)
    assert cases["complete"] is False
    children = _children(cases)
    assert list(children) == [D1, D2, D3]
    assert children[D1] == {
        "code": D1, "name": "第1区", "kind": "area", "value": "100",
        "reported": 2, "expected": 2, "complete": True,
    }  # fmt: skip
    assert (children[D2]["value"], children[D2]["complete"]) == ("100", False)
    # Nothing reported is no value, never 0.
    assert (children[D3]["value"], children[D3]["reported"], children[D3]["expected"]) == (
        None,
        0,
        2,
    )
    reviews = result["reviews"]
    assert (reviews["value"], reviews["complete"]) == ("21", True)


def test_a_rate_is_recomputed_from_the_summed_inputs_not_averaged(city):
    result = _rollup(city["city_reviewer"], f"area={CITY}&period=2026&basis=current")
    rate = result["mediated_rate"]
    assert rate["rollup"] == RollUp.RECOMPUTE
    districts = _children(rate)
    assert districts[D1]["value"] == "84.0"  # (36 + 48) / (40 + 60)
    assert districts[D2]["value"] == "95.0"  # (95 + 19) / (100 + 20)
    # (36 + 48 + 95 + 19) / (40 + 60 + 100 + 20) = 90.0, where the mean of the rates is 89.5.
    assert rate["value"] == "90.0"
    mean = (Decimal(districts[D1]["value"]) + Decimal(districts[D2]["value"])) / 2
    assert Decimal(rate["value"]) != mean
    assert result["mediated"]["value"] == "220"


def test_a_district_lists_its_townships_and_its_own_unit(city):
    result = _rollup(city["d1_reviewer"], f"area={D1}&period=2026")
    towns = result["mediated"]["children"]
    assert [(c["code"], c["kind"], c["value"]) for c in towns] == [
        (f"{D1}001", "area", "40"),
        (f"{D1}002", "area", "60"),
    ]
    reviews = result["reviews"]["children"]
    # The district's own 司法局 reports it; its townships are listed, due nothing.
    assert [(c["code"], c["name"], c["kind"], c["value"], c["expected"]) for c in reviews] == [
        (f"{D1}001", "第1区1镇", "area", None, 0),
        (f"{D1}002", "第1区2镇", "area", None, 0),
        (f"sfj{D1}", "第1区司法局", "unit", "5", 1),
    ]


def test_minimum_maximum_and_not_rolled_up(city):
    sfs = town(city, 1, 1).kind
    qsfj = city["sfj"][D1].kind
    owner = town(city, 1, 1)
    lowest = factories.IndicatorFactory(
        code="lowest", department=owner, reporting_kind=sfs, rollup=RollUp.MIN
    )
    highest = factories.IndicatorFactory(
        code="highest", department=owner, reporting_kind=sfs, rollup=RollUp.MAX
    )
    own = factories.IndicatorFactory(
        code="own_only", department=owner, reporting_kind=qsfj, rollup=RollUp.NONE
    )
    for (d, t), value in {(1, 1): 7, (1, 2): 3, (2, 1): 12}.items():
        figure(lowest, town(city, d, t), value)
        figure(highest, town(city, d, t), value)
    figure(own, city["sfj"][D1], "97.5")
    result = _rollup(city["city_reviewer"], f"area={CITY}&period=2026&indicator=lowest"
                     "&indicator=highest&indicator=own_only")  # fmt: skip
    assert set(result) == {"lowest", "highest", "own_only"}
    assert (result["lowest"]["value"], result["lowest"]["reported"]) == ("3", 3)
    assert result["lowest"]["expected"] == 6  # three townships late: not dragged to 0
    assert result["highest"]["value"] == "12"
    # Reported at the district level only: the city has no unit of its own reporting it.
    assert result["own_only"]["value"] is None
    assert _children(result["own_only"])[D1]["value"] == "97.5"
    district = _rollup(city["city_reviewer"], f"area={D1}&period=2026&indicator=own_only")
    assert district["own_only"]["value"] == "97.5"


def test_an_approval_shows_at_once_on_the_approved_basis(city):
    before = _rollup(city["city_reviewer"], f"area={CITY}&period=2026&indicator=mediated")
    approve_figure(figure=city["waiting"], user=factories.UserFactory(
        role="reviewer", area=city["districts"][1]))  # fmt: skip
    after = _rollup(city["city_reviewer"], f"area={CITY}&period=2026&indicator=mediated")
    assert (before["mediated"]["value"], after["mediated"]["value"]) == ("200", "220")
    assert after["mediated"]["reported"] == 4


def test_indicator_filter_keeps_only_those_asked(city):
    result = _rollup(city["city_leader"], f"area={CITY}&period=2026&indicator=reviews")
    assert list(result) == ["reviews"]


def test_a_district_reviewer_may_not_read_another_district_nor_the_city(city):
    for code in (D2, f"{D2}001", CITY, "123456"):
        response = _get(city["d1_reviewer"], f"area={code}&period=2026")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), code
    assert _get(city["d1_reviewer"], f"area={D1}001&period=2026").status_code == 200


def test_a_clerk_gets_no_rollup(city):
    response = _get(city["clerk"], f"area={D1}001&period=2026")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert token_client().get(f"/api/v1/rollup/?area={CITY}&period=2026").status_code == 401


@pytest.mark.parametrize(
    "query, status, code",
    [
        ("period=2026", 400, "area_required"),
        (f"area={CITY}", 400, "period_required"),
        (f"area={CITY}&period=", 400, "period_required"),
        (f"area={CITY}&period=1999", 400, "unknown_period"),
        (f"area={CITY}&period=2026%00", 400, "invalid"),  # refused before any view
        (f"area={CITY}&period=2026&indicator=nope", 400, "unknown_indicator"),
        (f"area={CITY}&period=2026&basis=whatever", 400, "invalid_basis"),
        ("area=%00&period=2026", 400, "invalid"),
        (f"area={'9' * 300}&period=2026", 404, "not_found"),
    ],
)
def test_bad_parameters_have_stable_codes(city, query, status, code):
    response = _get(city["city_reviewer"], query)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["message"]


def _grow(tree, districts: int):
    """More districts beside seed_city's, each with two townships and their figures."""
    sfs, qsfj = town(tree, 1, 1).kind, tree["sfj"][D1].kind
    for n in range(4, 4 + districts):
        district = factories.AreaFactory(
            code=f"9901{n:02d}", name=f"第{n}区", level=AreaLevel.DISTRICT, parent=tree["city"]
        )
        unit = factories.DepartmentFactory(code=f"sfj{district.code}", area=district, kind=qsfj)
        figure(tree["reviews"], unit, n)
        for t in (1, 2):
            township = factories.AreaFactory(
                code=f"{district.code}{t:03d}", level=AreaLevel.TOWNSHIP, parent=district
            )
            unit = factories.DepartmentFactory(code=f"sfs{township.code}", area=township, kind=sfs)
            figure(tree["cases"], unit, 10, status=FigureStatus.APPROVED)
            figure(tree["settled"], unit, 9)


def test_queries_are_flat_in_the_number_of_areas(city, django_assert_max_num_queries):
    """seed_city's 3 districts become 6 with their townships: the same number of queries."""
    user, query = city["city_reviewer"], f"area={CITY}&period=2026&indicator=mediated"
    _rollup(user, query)  # the token's first use is stamped once
    client = token_client(user)
    client.get(f"/api/v1/rollup/?{query}")
    with CaptureQueriesContext(connection) as three:
        client.get(f"/api/v1/rollup/?{query}")
    _grow(city, 3)
    with django_assert_max_num_queries(len(three)), CaptureQueriesContext(connection) as six:
        body = client.get(f"/api/v1/rollup/?{query}").json()
    assert len(six) == len(three)
    assert len(body["indicators"][0]["children"]) == 6
    assert body["indicators"][0]["value"] == str(200 + 3 * 2 * 10)
