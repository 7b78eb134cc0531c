"""API tokens as their owner and another system meet them: created on 我的接口令牌 (shown once),
stored only as a hash, expiring, revocable, and obtainable with a password through the API."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.demo import DEMO_PASSWORD
from accounts.models import AccountEvent, ApiToken, Event
from metrics.models import User


def api(token=None):
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def clerk_client(client, demo_data):
    client.force_login(User.objects.get(username="clerk_sfj"))
    return client


def new_token_on_page(client, name="统计报送系统"):
    response = client.post(reverse("accounts:token_create"), {"name": name})
    assert response.status_code == 200
    return response, response.context["new_token"]


def test_a_token_made_on_the_page_is_shown_once_and_works(clerk_client):
    response, token = new_token_on_page(clerk_client)
    html = response.content.decode()
    assert token in html and "只显示这一次" in html
    assert response["Cache-Control"] == "no-store"

    me = api(token).get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["username"] == "clerk_sfj"

    again = clerk_client.get(reverse("accounts:tokens")).content.decode()
    assert token not in again  # never shown again
    row = ApiToken.objects.get(user__username="clerk_sfj")
    assert f"{token[:8]}…" in again and "统计报送系统" in again
    assert row.digest != token and token not in row.digest  # only the hash is stored
    assert row.last_used is not None and "从未使用" not in again


def test_a_token_expires_after_the_configured_days(clerk_client):
    _, token = new_token_on_page(clerk_client)
    row = ApiToken.objects.get(user__username="clerk_sfj")
    assert row.expiry - row.created == pytest.approx(
        datetime.timedelta(days=30), abs=datetime.timedelta(minutes=1)
    )
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - datetime.timedelta(1))
    refused = api(token).get("/api/v1/me/")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    assert AccountEvent.objects.filter(event=Event.TOKEN_EXPIRED).exists()


def test_revoking_a_token_on_the_page_stops_it_and_is_recorded(clerk_client):
    _, token = new_token_on_page(clerk_client)
    key = ApiToken.objects.get(user__username="clerk_sfj").token_key
    response = clerk_client.post(reverse("accounts:token_revoke"), {"key": key}, follow=True)
    assert "令牌已撤销" in response.content.decode()
    assert api(token).get("/api/v1/me/").status_code == 401
    events = AccountEvent.objects.filter(actor="clerk_sfj").values_list("event", flat=True)
    assert {Event.TOKEN_CREATED, Event.TOKEN_REVOKED} <= set(events)


def test_nobody_revokes_another_users_token_from_the_page(client, demo_data):
    leader = User.objects.get(username="leader")
    _, token = ApiToken.objects.create(user=leader, name="领导的")
    client.force_login(User.objects.get(username="clerk_sfj"))
    key = ApiToken.objects.get(user=leader).token_key
    response = client.post(reverse("accounts:token_revoke"), {"key": key}, follow=True)
    assert "该令牌不存在或已撤销" in response.content.decode()
    assert api(token).get("/api/v1/me/").status_code == 200


def test_another_system_gets_a_token_with_the_password_and_revokes_it(demo_data):
    response = api().post(
        "/api/v1/auth/token/",
        {"username": "reviewer", "password": DEMO_PASSWORD, "name": "督查系统"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "督查系统" and body["expiry"] and body["token"].startswith("lg_")
    assert api(body["token"]).get("/api/v1/me/").json()["role"] == "reviewer"

    assert api(body["token"]).delete("/api/v1/auth/token/").status_code == 204
    assert api(body["token"]).get("/api/v1/me/").status_code == 401


def test_a_wrong_password_gets_no_token(demo_data):
    response = api().post(
        "/api/v1/auth/token/", {"username": "reviewer", "password": "wrong"}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {"code": "invalid_credentials", "message": "用户名或密码不正确。"}
    assert not ApiToken.objects.exists()
    assert AccountEvent.objects.filter(event=Event.LOGIN_FAILED, target="reviewer").exists()


@pytest.mark.axes
def test_the_token_endpoint_locks_out_like_the_login_page(demo_data, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        api().post("/api/v1/auth/token/", {"username": "reviewer", "password": "x"}, format="json")
    response = api().post(
        "/api/v1/auth/token/", {"username": "reviewer", "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    assert "锁定" in response.json()["message"]
    assert not ApiToken.objects.exists()


def test_the_command_line_prints_a_token_once(demo_data, capsys):
    from django.core.management import call_command

    call_command("create_api_token", "clerk_gaj", "--name", "导入脚本")
    token = capsys.readouterr().out.strip()
    assert api(token).get("/api/v1/me/").json()["username"] == "clerk_gaj"
    assert ApiToken.objects.get(user__username="clerk_gaj").name == "导入脚本"
