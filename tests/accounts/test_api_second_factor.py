"""Item 7 of issue 21: the API applies the pages' second-factor rule
(services.second_factor_pending): a session opened before the user enrolled TOTP, which the
pages log out, is refused by the API too (otp_required, reads and writes); so is a user
whose role must enrol and has not."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import services
from accounts.middleware import CHECKED
from tests import factories

CALLS = [
    ("get", "/api/v1/me/", None),
    ("get", "/api/v1/figures/", None),
    ("post", "/api/v1/figures/", {}),
    ("delete", "/api/v1/auth/token/", None),
]


def enrolled_behind_its_back(user):
    TOTPDevice.objects.create(user=user, name=services.TOTP_NAME, confirmed=True)


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_a_session_opened_before_enrolment_is_refused_by_the_api(client, clerk, method, path, body):
    client.force_login(clerk)
    assert client.get("/api/v1/me/").status_code == 200
    enrolled_behind_its_back(clerk)
    refused = getattr(client, method)(path, body, content_type="application/json")
    if path == "/api/v1/auth/token/":  # needs a token: no session gets that far
        assert refused.status_code in (401, 403)
        return
    assert refused.status_code == 403 and refused.json()["code"] == "otp_required", refused.content
    assert "两步验证" in refused.json()["message"]
    # The pages log the same session out (at their next check, RECHECK_SECONDS later).
    session = client.session
    session.pop(CHECKED, None)
    session.save()
    page = client.get("/")
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


def test_a_token_obtained_with_the_code_keeps_working(clerk):
    enrolled_behind_its_back(clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(clerk)}")
    assert client.get("/api/v1/me/").status_code == 200


def test_a_role_that_must_enrol_is_refused_until_it_does(client, leader, settings):
    settings.LAWGOV_OTP_REQUIRED_ROLES = ["leader"]
    client.force_login(leader)
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 403 and refused.json()["code"] == "otp_required"
    assert "启用两步验证" in refused.json()["message"]


def test_a_verified_session_passes(client, clerk):
    enrolled_behind_its_back(clerk)
    device = TOTPDevice.objects.get(user=clerk)
    client.force_login(clerk)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert client.get("/api/v1/me/").status_code == 200
