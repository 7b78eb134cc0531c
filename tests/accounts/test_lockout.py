"""Lockout by user name from any address and by address whatever the user name, and the
reviewer lifting it from the portal."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.models import AccountEvent, Event
from metrics.models import User

pytestmark = pytest.mark.axes


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def attempt(client, username, password="wrong", ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_user_name_is_locked_whichever_address_it_is_tried_from(client, demo_data):
    for n in range(3):
        attempt(client, "leader", ip=f"10.0.0.{n + 1}")
    locked = attempt(client, "leader", DEMO_PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429 and "账号已暂时锁定" in locked.content.decode()
    # Another user from that fresh address is not affected.
    assert attempt(client, "reviewer", DEMO_PASSWORD, ip="10.9.9.9").status_code == 302


def test_an_address_is_locked_whichever_user_names_it_tries(client, demo_data):
    for name in ("a1", "a2", "a3"):
        attempt(client, name, ip="10.0.0.7")
    assert attempt(client, "leader", DEMO_PASSWORD, ip="10.0.0.7").status_code == 429
    assert attempt(client, "leader", DEMO_PASSWORD, ip="10.0.0.8").status_code == 302


def test_lockouts_and_failures_are_in_the_audit_log(client, demo_data):
    for _ in range(3):
        attempt(client, "leader")
    failed = AccountEvent.objects.filter(event=Event.LOGIN_FAILED, target="leader")
    assert failed.count() == 3 and failed.first().ip_address == "10.0.0.1"
    assert AccountEvent.objects.filter(event=Event.LOCKED_OUT, actor="leader").exists()


def reviewer_client(client):
    client.force_login(User.objects.get(username="reviewer"))
    return client


def test_the_reviewer_sees_and_lifts_a_lockout(client, demo_data, django_user_model):
    for n in range(3):
        attempt(client, "clerk_sfj", ip=f"10.0.1.{n}")
    reviewer = reviewer_client(client)
    page = reviewer.get(reverse("accounts:lockouts")).content.decode()
    assert "用户名 clerk_sfj" in page and "解除锁定" in page

    done = reviewer.post(reverse("accounts:unlock"), {"username": "clerk_sfj"}, follow=True)
    assert "已解除 clerk_sfj 的登录锁定" in done.content.decode()
    assert "用户名 clerk_sfj" not in done.content.decode()
    assert not AccessAttempt.objects.filter(username="clerk_sfj").exists()
    event = AccountEvent.objects.get(event=Event.UNLOCKED)
    assert event.actor == "reviewer" and event.target == "用户名 clerk_sfj"

    client.post("/logout/")
    assert attempt(client, "clerk_sfj", DEMO_PASSWORD, ip="10.0.1.0").status_code == 302


def test_the_reviewer_lifts_an_address_lockout(client, demo_data):
    for name in ("b1", "b2", "b3"):
        attempt(client, name, ip="10.0.0.9")
    reviewer = reviewer_client(client)
    assert "IP 地址 10.0.0.9" in reviewer.get(reverse("accounts:lockouts")).content.decode()
    reviewer.post(reverse("accounts:unlock"), {"ip_address": "10.0.0.9"})
    client.post("/logout/")
    assert attempt(client, "leader", DEMO_PASSWORD, ip="10.0.0.9").status_code == 302


@pytest.mark.parametrize("username", ["clerk_sfj", "leader"])
def test_other_roles_can_neither_see_nor_lift_lockouts(client, demo_data, username):
    for _ in range(3):
        attempt(client, "reviewer")
    client.force_login(User.objects.get(username=username))
    assert client.get(reverse("accounts:lockouts")).status_code == 403
    refused = client.post(reverse("accounts:unlock"), {"username": "reviewer"})
    assert refused.status_code == 403
    assert AccessAttempt.objects.filter(username="reviewer").exists()
    assert not AccountEvent.objects.filter(event=Event.UNLOCKED).exists()
