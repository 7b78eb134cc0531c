"""GET /api/v1/history/: the rows of the 修改历史 page, with its filters, paginated,
read-only, a clerk's own department only, in the OpenAPI schema."""

import datetime

from django.utils import timezone

from accounts.models import AccountEvent
from metrics import history
from metrics.models import User
from tests.api.conftest import token_client
from tests.metrics.test_history import trail  # noqa: F401  (fixture)


def _get(user, query=""):
    response = token_client(user).get(f"/api/v1/history/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _reasons(body):
    return [row["reason"] for row in body["results"]]


def test_the_api_gives_the_pages_rows(trail):  # noqa: F811
    reviewer = trail["reviewer"]
    body = _get(reviewer)
    assert {"count", "next", "previous", "results"} <= set(body)
    page = history.rows(history.keys(reviewer, history.Filters())[:50])
    assert [(r["kind"], r["what"], r["action"], r["reason"]) for r in body["results"]] == [
        (r.kind, r.what, r.action, r.reason) for r in page
    ]
    kinds = {row["kind"] for row in body["results"]}
    assert {"figure", "comment", "indicator", "period", "account", "import", "build"} <= kinds
    unit = next(r for r in body["results"] if r["reason"] == "统一单位")
    assert {"field": "单位", "old": "人", "new": "名"} in unit["changes"]
    assert unit["who"] == reviewer.display_name and unit["label"] == "指标"


def test_each_filter(trail):  # noqa: F811
    reviewer, clerk = trail["reviewer"], trail["clerk"]
    assert set(r["kind"] for r in _get(reviewer, "?kind=account")["results"]) == {"account"}
    mine = _reasons(_get(reviewer, f"?person={clerk.username}"))
    assert "更正笔误" in mine and "统一单位" not in mine
    found = _reasons(_get(reviewer, "?q=inhouse"))
    assert "统一单位" in found and "更正笔误" not in found
    AccountEvent.objects.create(
        at=timezone.now() - datetime.timedelta(days=181),
        event="password_reset",
        actor="reviewer",
        target="clerk_sfj",
        detail="半年前的重置",
    )
    day = timezone.localdate() - datetime.timedelta(days=181)
    old = _reasons(_get(reviewer, f"?since={day}&until={day}"))
    assert old == ["半年前的重置"]
    assert "半年前的重置" not in _reasons(_get(reviewer, f"?since={timezone.localdate()}"))


def test_a_bad_date_is_refused_with_a_stable_code(trail):  # noqa: F811
    response = token_client(trail["reviewer"]).get("/api/v1/history/?since=2026-02-30")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_clerk_reads_their_own_department_only(trail):  # noqa: F811
    body = _get(trail["clerk"])
    assert {r["kind"] for r in body["results"]} <= {"figure", "comment"}
    assert "更正笔误" in _reasons(body)
    other = _get(User.objects.get(username="clerk_gaj"))
    assert "更正笔误" not in _reasons(other)
    assert _get(trail["clerk"], "?kind=account")["results"] == []


def test_paginated_and_flat_in_queries(trail, django_assert_max_num_queries):  # noqa: F811
    reviewer = trail["reviewer"]
    client = token_client(reviewer)
    with django_assert_max_num_queries(40) as first:
        body = client.get("/api/v1/history/").json()
    allowed = len(first.captured_queries)  # read now: a later request clears the log
    assert body["count"] > 50 and len(body["results"]) == 50 and body["next"]
    second = client.get(body["next"]).json()
    assert not {(r["when"], r["what"]) for r in second["results"]} & {
        (r["when"], r["what"]) for r in body["results"]
    }
    with django_assert_max_num_queries(allowed):
        client.get(body["next"])


def test_read_only_and_signed_in(trail):  # noqa: F811
    assert token_client().get("/api/v1/history/").status_code == 401
    client = token_client(trail["reviewer"])
    for method in (client.post, client.put, client.patch, client.delete):
        assert method("/api/v1/history/", {}, format="json").status_code == 405


def test_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/history/"]
    assert set(operation) == {"get"}
    names = {p["name"] for p in operation["get"]["parameters"]}
    assert {"person", "q", "kind", "since", "until", "page"} <= names
    assert "HistoryRow" in schema["components"]["schemas"]


def test_every_filter_at_once_over_every_kind(trail):  # noqa: F811
    """All the filters on all fifteen kinds is still one query SQLite can parse."""
    body = _get(trail["reviewer"], "?q=%C3%BCR&since=1104-07-15&until=0202-10-21&person=reviewer")
    assert body["results"] == [] and body["count"] == 0
    body = _get(trail["reviewer"], f"?q=inhouse&since={timezone.localdate()}&person=reviewer")
    assert "统一单位" in _reasons(body)
    assert {r["who"] for r in body["results"]} == {"李明"}
    assert all("内聘法律顾问" in r["what"] for r in body["results"])
