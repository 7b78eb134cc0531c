"""/api/v1/users/: the same account management for a reviewer's token, with the API's
stable error codes; clerks, leaders, sessions and anonymous callers are refused."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AccountEvent, Event
from metrics.models import Department, User
from tests import factories


def token_client(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")
    return client


@pytest.fixture
def api(reviewer):
    return token_client(reviewer)


ENDPOINTS = [
    ("get", "/api/v1/users/", None),
    ("post", "/api/v1/users/", {"username": "x1", "name": "某", "role": "leader"}),
    ("post", "/api/v1/users/{target}/deactivate/", {}),
    ("post", "/api/v1/users/{target}/reactivate/", {}),
    ("post", "/api/v1/users/{target}/move/", {"department": "gaj"}),
    ("post", "/api/v1/users/{target}/reset-password/", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_only_a_reviewer_token_may_manage_accounts(
    client, clerk, leader, reviewer, method, path, body
):
    url = path.format(target=clerk.username)
    for who in (clerk, leader):
        refused = getattr(token_client(who), method)(url, body, format="json")
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", who
    anonymous = getattr(token_client(), method)(url, body, format="json")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    # The portal's session is for the pages; the API takes the reviewer's token.
    client.force_login(reviewer)
    assert getattr(client, method)(url, body, content_type="application/json").status_code == 401
    allowed = getattr(token_client(reviewer), method)(url, body, format="json")
    assert allowed.status_code in (200, 201, 400), allowed.json()


def test_the_list_filters_and_shows_roles(api, clerk, reviewer):
    answer = api.get("/api/v1/users/", {"role": "clerk"}).json()
    rows = {row["username"]: row for row in answer["results"]}
    assert rows[clerk.username]["role"] == "clerk"
    assert rows[clerk.username]["department"] == "sfj"
    assert reviewer.username not in rows
    assert "password" not in rows[clerk.username]
    searched = api.get("/api/v1/users/", {"q": clerk.username}).json()
    assert [r["username"] for r in searched["results"]] == [clerk.username]


def test_creating_a_clerk_returns_the_one_time_password_once(api, reviewer, sfj):
    answer = api.post(
        "/api/v1/users/",
        {"username": "api_clerk", "name": "接口新人", "role": "clerk", "department": "sfj"},
        format="json",
    )
    assert answer.status_code == 201 and answer["Cache-Control"] == "no-store"
    body = answer.json()
    assert body["user"]["department"] == "sfj" and body["user"]["must_change_password"]
    created = User.objects.get(username="api_clerk")
    assert created.check_password(body["password"])
    listed = api.get("/api/v1/users/", {"q": "api_clerk"}).json()["results"][0]
    assert "password" not in listed
    event = AccountEvent.objects.get(event=Event.USER_CREATED, target="api_clerk")
    assert event.actor == reviewer.username


def test_refusals_carry_stable_codes(api, clerk):
    retired = factories.DepartmentFactory(code="gone", retired_at=timezone.now())
    cases = [
        ({"username": "a", "name": "某", "role": "clerk", "department": "gone"}, "已停用"),
        ({"username": "b", "name": "某", "role": "clerk", "department": "nope"}, "不存在"),
        ({"username": "c", "name": "某", "role": "clerk"}, "须指定所属部门"),
        ({"username": clerk.username, "name": "某", "role": "leader"}, "已存在"),
        ({"username": "d", "name": "某", "role": "admin"}, None),
    ]
    for body, message in cases:
        answer = api.post("/api/v1/users/", body, format="json")
        assert answer.status_code == 400 and answer.json()["code"] == "invalid", body
        if message:
            assert message in answer.json()["message"], answer.json()
    moved = api.post(
        f"/api/v1/users/{clerk.username}/move/", {"department": retired.code}, format="json"
    )
    assert moved.status_code == 400 and "已停用" in moved.json()["message"]
    missing = api.post("/api/v1/users/nobody/deactivate/", {}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_deactivate_move_reset_and_reactivate(api, clerk, reviewer):
    gaj = Department.objects.get(code="gaj")
    clerk_token = token_client(clerk)
    assert clerk_token.get("/api/v1/me/").status_code == 200

    moved = api.post(f"/api/v1/users/{clerk.username}/move/", {"department": "gaj"}, format="json")
    assert moved.status_code == 200 and moved.json()["department"] == "gaj"
    clerk.refresh_from_db()
    assert clerk.department == gaj

    reset = api.post(
        f"/api/v1/users/{clerk.username}/reset-password/", {"reason": "遗忘"}, format="json"
    )
    assert reset.status_code == 200 and reset["Cache-Control"] == "no-store"
    clerk.refresh_from_db()
    assert clerk.check_password(reset.json()["password"]) and clerk.must_change_password

    off = api.post(f"/api/v1/users/{clerk.username}/deactivate/", {"reason": "调离"}, format="json")
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert clerk_token.get("/api/v1/me/").status_code == 401  # its token went with it
    on = api.post(f"/api/v1/users/{clerk.username}/reactivate/", {}, format="json")
    assert on.json()["is_active"] is True

    own = api.post(f"/api/v1/users/{reviewer.username}/deactivate/", {}, format="json")
    assert own.status_code == 400 and "不能停用自己" in own.json()["message"]
    admin = factories.UserFactory(role="admin")
    refused = api.post(f"/api/v1/users/{admin.username}/reset-password/", {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    events = set(
        AccountEvent.objects.filter(actor=reviewer.username).values_list("event", flat=True)
    )
    assert {
        Event.USER_MOVED,
        Event.PASSWORD_RESET,
        Event.USER_DEACTIVATED,
        Event.USER_REACTIVATED,
    } <= events


def test_the_schema_documents_the_users_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/users/" in schema["paths"]
    assert "/api/v1/users/{username}/reset-password/" in schema["paths"]
