"""The optional TOTP second factor: enrolling with the authenticator's code, the code asked
at every login afterwards, and the roles that must enrol before using the portal."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD
from accounts.models import AccountEvent, ApiToken, Event
from metrics.models import User


def code_for(device):
    """What the user's phone shows now. The device accepts each step's code once and waits
    a moment after a wrong one; a user a few seconds later is not held by either."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def login(client, username):
    return client.post("/login/", {"username": username, "password": DEMO_PASSWORD})


def enrol(client, username="leader"):
    login(client, username)
    page = client.get(reverse("accounts:otp_enrol"))
    html = page.content.decode()
    assert "data:image/svg+xml;base64," in html and "扫描" in html
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    wrong = client.post(reverse("accounts:otp_enrol"), {"otp": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    done = client.post(reverse("accounts:otp_enrol"), {"otp": code_for(device)}, follow=True)
    assert "两步验证已启用" in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    client.post("/logout/")
    return device


def test_an_enrolled_user_must_enter_the_code_after_the_password(client, demo_data):
    device = enrol(client)
    assert AccountEvent.objects.filter(event=Event.OTP_ENROLLED, target="leader").exists()

    step = login(client, "leader")
    assert step.status_code == 302 and step["Location"] == reverse("accounts:login_verify")
    assert "_auth_user_id" not in client.session  # not logged in yet
    assert client.get("/").status_code == 302

    wrong = client.post(reverse("accounts:login_verify"), {"otp": "123456"})
    assert "验证码不正确" in wrong.content.decode() and "_auth_user_id" not in client.session
    assert AccountEvent.objects.filter(event=Event.OTP_FAILED, actor="leader").exists()

    ok = client.post(reverse("accounts:login_verify"), {"otp": code_for(device)})
    assert ok.status_code == 302
    assert client.get("/", follow=True).status_code == 200
    assert client.session["_auth_user_id"] == str(device.user_id)


def test_the_admin_login_goes_through_the_portals_two_steps(client, demo_data):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"


def test_a_session_that_skipped_the_code_is_logged_out(client, demo_data):
    device = enrol(client)
    client.force_login(device.user)  # a login that went around the login page
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_without_the_setting_nobody_is_asked_to_enrol(client, demo_data):
    for name in ("clerk_sfj", "reviewer", "leader", "admin"):
        login(client, name)
        assert client.get("/", follow=True).redirect_chain[-1:] != [
            (reverse("accounts:otp_enrol"), 302)
        ]
        client.post("/logout/")


@pytest.mark.parametrize(("username", "held"), [("reviewer", True), ("clerk_sfj", False)])
def test_required_roles_are_sent_to_enrol_first(client, demo_data, settings, username, held):
    settings.LAWGOV_OTP_REQUIRED_ROLES = ["reviewer", "leader", "admin"]
    login(client, username)
    response = client.get("/", follow=True)
    sent = response.redirect_chain[-1:] == [(reverse("accounts:otp_enrol"), 302)]
    assert sent is held
    if held:
        assert "须启用两步验证" in response.content.decode()
        # …and gets no API token before enrolling either.
        refused = client.post(reverse("accounts:token_create"), {"name": "x"})
        assert refused["Location"] == reverse("accounts:otp_enrol")
        assert not ApiToken.objects.exists()


def test_the_api_asks_an_enrolled_user_for_the_code(client, demo_data):
    from rest_framework.test import APIClient

    device = enrol(client)
    api = APIClient()
    body = {"username": "leader", "password": DEMO_PASSWORD}
    refused = api.post("/api/v1/auth/token/", body, format="json")
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_credentials"
    assert "两步验证码" in refused.json()["message"]
    ok = api.post("/api/v1/auth/token/", {**body, "otp": code_for(device)}, format="json")
    assert ok.status_code == 201


def test_leaving_the_login_half_way_expires(client, demo_data):
    assert client.get(reverse("accounts:login_verify"), follow=True).redirect_chain[-1][0] == (
        reverse("login")
    )
    assert User.objects.filter(username="leader").exists()
