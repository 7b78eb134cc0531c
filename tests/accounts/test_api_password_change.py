"""A one-time password (a new account, a reset) or an expired one opens neither the pages nor
the API: no token for it, and every API call, by token or by session, is refused with
password_change_required until the user has chosen their own password on the portal."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import people
from accounts.models import AccountEvent, ApiToken, Event, PasswordState
from tests import factories

REFUSED = "password_change_required"


def api(token=None):
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def obtain(username, password):
    return api().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


@pytest.fixture
def newcomer(reviewer, sfj):
    """A clerk the 法制办 just added, with the one-time password they were handed."""
    return people.create_user(
        user=reviewer, username="newclerk", name="新人", role="clerk", department=sfj
    )


def test_a_one_time_password_gets_no_token_until_it_is_changed(client, newcomer):
    user, password = newcomer
    refused = obtain("newclerk", password)
    assert refused.status_code == 403
    assert refused.json()["code"] == REFUSED and "修改初始密码" in refused.json()["message"]
    assert not ApiToken.objects.filter(user=user).exists()

    client.post("/login/", {"username": "newclerk", "password": password})
    mine = "Winter-table-lamp-2027"
    changed = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": mine, "new_password2": mine},
    )
    assert changed.status_code == 302
    answer = obtain("newclerk", mine)
    assert answer.status_code == 201
    assert api(answer.json()["token"]).get("/api/v1/me/").json()["username"] == "newclerk"


def test_a_wrong_password_still_says_so_not_that_it_must_be_changed(newcomer):
    answer = obtain("newclerk", "Not-the-password-1")
    assert answer.status_code == 401 and answer.json()["code"] == "invalid_credentials"


def test_a_session_with_a_one_time_password_cannot_use_the_api(client, newcomer):
    _, password = newcomer
    assert client.login(username="newclerk", password=password)
    assert client.get(reverse("entry_current")).status_code == 302  # held back on the pages
    refused = client.get("/api/v1/figures/")
    assert refused.status_code == 403 and refused.json()["code"] == REFUSED


def test_an_expired_password_gets_no_token_and_its_old_token_stops(clerk):
    token = factories.api_token(clerk)
    assert api(token).get("/api/v1/me/").status_code == 200
    PasswordState.objects.update_or_create(
        user=clerk, defaults={"password_changed_at": timezone.now() - datetime.timedelta(181)}
    )
    refused = api(token).get("/api/v1/me/")
    assert refused.status_code == 403 and refused.json()["code"] == REFUSED
    assert "密码已超过有效期" in refused.json()["message"]
    answer = obtain(clerk.username, "Test-password-2026")
    assert answer.status_code == 403 and answer.json()["code"] == REFUSED


def test_the_command_line_makes_no_token_for_a_one_time_password(newcomer):
    with pytest.raises(CommandError, match="修改初始密码"):
        call_command("create_api_token", "newclerk")
    assert not ApiToken.objects.exists()


def test_a_reset_revokes_the_users_tokens_and_says_so(reviewer, clerk):
    token = factories.api_token(clerk)
    factories.api_token(clerk, name="第二个")
    people.reset_password(user=reviewer, target=clerk, reason="遗忘")
    answer = api(token).get("/api/v1/me/")
    assert answer.status_code == 401 and answer.json()["code"] == "authentication_failed"
    assert not ApiToken.objects.filter(user=clerk).exists()
    event = AccountEvent.objects.get(event=Event.PASSWORD_RESET, target=clerk.username)
    assert "撤销接口令牌 2 个" in event.detail


def test_the_users_api_refuses_a_reviewer_whose_password_was_reset(reviewer):
    other = factories.UserFactory(role="reviewer")
    token = factories.api_token(other)
    other.must_change_password = True  # (as the admin's 设置密码 leaves it)
    other.save(update_fields=["must_change_password"])
    refused = api(token).get("/api/v1/users/")
    assert refused.status_code == 403 and refused.json()["code"] == REFUSED
