"""GET /api/v1/areas/: the area tree as each official sees it — the city's reviewer the whole
city, a district's reviewer their district and its townships, a clerk their unit's area —
and any other area answered as one that does not exist."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import AreaLevel, Figure
from tests import factories
from tests.reports.city import CITY, build_city, seed_city, town

from .conftest import token_client

D1, D2 = "990101", "990102"


@pytest.fixture
def city(db):
    tree = build_city(districts=2, towns=2)
    tree["city_reviewer"] = factories.UserFactory(role="reviewer", area=tree["city"])
    tree["d1_reviewer"] = factories.UserFactory(role="reviewer", area=tree["districts"][0])
    tree["d1_leader"] = factories.UserFactory(role="leader", area=tree["districts"][0])
    tree["clerk"] = factories.UserFactory(role="clerk", department=town(tree, 1, 2))
    return tree


def _codes(client, query="") -> list[str]:
    response = client.get(f"/api/v1/areas/{query}")
    assert response.status_code == 200, response.json()
    return [a["code"] for a in response.json()["results"]]


def test_the_city_reviewer_lists_the_whole_city(city):
    codes = _codes(token_client(city["city_reviewer"]))
    assert codes == [CITY, D1, f"{D1}001", f"{D1}002", D2, f"{D2}001", f"{D2}002"]


def test_an_area_reads_its_code_name_level_parent_and_dates(city):
    response = token_client(city["city_reviewer"]).get(f"/api/v1/areas/{D1}/")
    assert response.status_code == 200
    assert response.json() == {
        "code": D1,
        "name": "第1区",
        "level": AreaLevel.DISTRICT,
        "parent": CITY,
        "valid_from": "2000-01-01",
        "valid_to": None,
    }
    root = token_client(city["city_reviewer"]).get(f"/api/v1/areas/{CITY}/").json()
    assert root["parent"] is None and root["level"] == AreaLevel.CITY


def test_a_closed_township_shows_when_it_was_closed(city):
    closed = town(city, 1, 1).area
    closed.valid_to = datetime.date(2025, 12, 31)
    closed.save()
    body = token_client(city["city_reviewer"]).get(f"/api/v1/areas/{closed.code}/").json()
    assert body["valid_to"] == "2025-12-31"


@pytest.mark.parametrize("who", ["d1_reviewer", "d1_leader"])
def test_a_district_official_sees_their_district_only(city, who):
    client = token_client(city[who])
    assert _codes(client) == [D1, f"{D1}001", f"{D1}002"]
    assert client.get(f"/api/v1/areas/{D1}001/").status_code == 200
    for foreign in (D2, f"{D2}001", CITY):
        response = client.get(f"/api/v1/areas/{foreign}/")
        assert response.status_code == 404, foreign
        assert response.json()["code"] == "not_found"
    # Outside and unknown answer alike: the code leaks nothing.
    unknown = client.get("/api/v1/areas/123456/")
    assert (unknown.status_code, unknown.json()) == (404, client.get(f"/api/v1/areas/{D2}/").json())


def test_a_clerk_sees_their_units_area_only(city):
    client = token_client(city["clerk"])
    assert _codes(client) == [f"{D1}002"]
    assert client.get(f"/api/v1/areas/{D1}002/").status_code == 200
    assert client.get(f"/api/v1/areas/{D1}/").status_code == 404
    assert client.get(f"/api/v1/areas/{D1}001/").status_code == 404


def test_a_session_reads_the_same_as_a_token(city, client):
    client.force_login(city["d1_reviewer"])
    response = client.get("/api/v1/areas/")
    assert [a["code"] for a in response.json()["results"]] == [D1, f"{D1}001", f"{D1}002"]


def test_anonymous_is_refused(city):
    response = token_client().get("/api/v1/areas/")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_filter_by_level_and_parent(city):
    client = token_client(city["city_reviewer"])
    assert _codes(client, "?level=district") == [D1, D2]
    assert _codes(client, f"?parent={D2}") == [f"{D2}001", f"{D2}002"]
    assert client.get("/api/v1/areas/?level=galaxy").status_code == 400


def test_the_tree_is_read_only(city):
    client = token_client(city["city_reviewer"])
    assert client.post("/api/v1/areas/", {"code": "990199"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/areas/{D1}/").status_code == 405


def test_queries_do_not_grow_with_the_areas(city):
    client = token_client(city["city_reviewer"])
    _codes(client)  # the token's first use is stamped once
    with CaptureQueriesContext(connection) as small:
        assert len(_codes(client)) == 7
    for n in range(3, 9):
        district = factories.AreaFactory(
            code=f"9901{n:02d}", name=f"第{n}区", level=AreaLevel.DISTRICT, parent=city["city"]
        )
        for t in (1, 2, 3):
            factories.AreaFactory(code=f"{district.code}{t:03d}", parent=district)
    with CaptureQueriesContext(connection) as large:
        assert len(_codes(client)) == 7 + 6 * 4
    assert len(large) == len(small)


# -- GET /api/v1/figures/?area= ------------------------------------------------------------


@pytest.fixture
def seeded(db):
    tree = seed_city()
    tree["city_reviewer"] = factories.UserFactory(role="reviewer", area=tree["city"])
    tree["d1_reviewer"] = factories.UserFactory(role="reviewer", area=tree["districts"][0])
    return tree


def _units(client, query) -> list[str]:
    response = client.get(f"/api/v1/figures/?period=2026{query}")
    assert response.status_code == 200, response.json()
    units = Figure.objects.filter(pk__in=[f["id"] for f in response.json()["results"]])
    return sorted(set(units.values_list("unit__code", flat=True)))


def test_figures_of_an_area_are_those_of_the_units_in_its_subtree(seeded):
    client = token_client(seeded["city_reviewer"])
    assert _units(client, f"&area={D1}") == [f"sfj{D1}", f"sfs{D1}1", f"sfs{D1}2"]
    assert _units(client, f"&area={D2}001") == [f"sfs{D2}1"]
    assert _units(client, f"&area={CITY}") == _units(client, "")
    assert len(_units(client, "")) == 3 + 4


def test_a_district_reviewer_lists_their_district_s_figures_only(seeded):
    client = token_client(seeded["d1_reviewer"])
    own = [f"sfj{D1}", f"sfs{D1}1", f"sfs{D1}2"]
    assert _units(client, "") == own
    assert _units(client, f"&area={D1}") == own
    for foreign in (D2, CITY, "123456"):
        response = client.get(f"/api/v1/figures/?area={foreign}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), foreign
