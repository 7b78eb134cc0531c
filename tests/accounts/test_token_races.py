"""Item 5 of issue 21: a token being issued at the moment of a password reset, a
deactivation or a password change does not survive it. Tokens are issued under the user's
row lock, which each of those takes before it revokes (accounts.services
._lock_credentials), so a token is either revoked with the rest or refused."""

import django.contrib.auth
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts import people, services
from accounts.models import ApiToken
from tests import factories
from tests.threads import at_once

PASSWORD = "Test-password-2026"


def obtain(user):
    return services.obtain_token(
        request=RequestFactory().post("/api/v1/auth/token/"),
        username=user.username,
        password=PASSWORD,
    )


def reset(reviewer, clerk):
    people.reset_password(user=reviewer, target=clerk)


def deactivate(reviewer, clerk):
    people.deactivate_user(user=reviewer, target=clerk)


def change_password(reviewer, clerk):
    fresh = type(clerk).objects.get(pk=clerk.pk)
    fresh.set_password("Another-secret-2026")
    fresh.save()


# A refusal: the row now says inactive (400 in the API), one-time or another password (403).
REFUSED = (PermissionDenied, ValidationError)
REVOCATIONS = {"reset": reset, "deactivation": deactivate, "password change": change_password}


@pytest.mark.parametrize("revoke", REVOCATIONS.values(), ids=REVOCATIONS.keys())
def test_a_revocation_between_the_password_check_and_the_token_refuses_it(
    monkeypatch, db, reviewer, clerk, revoke
):
    """The regression: the password is checked, then (within the old ~0.25 s window) the
    reset, deactivation or change commits, then the token would have been saved."""
    real = django.contrib.auth.authenticate

    def authenticate_then_revoke(*args, **kwargs):
        found = real(*args, **kwargs)
        revoke(reviewer, clerk)
        return found

    monkeypatch.setattr(services, "authenticate", authenticate_then_revoke)
    with pytest.raises(REFUSED):
        obtain(clerk)
    assert not ApiToken.objects.filter(user=clerk).exists()
    if revoke is deactivate:  # reactivated, nothing comes back to life
        people.reactivate_user(user=reviewer, target=clerk)
    assert not ApiToken.objects.filter(user=clerk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("revoke", REVOCATIONS.values(), ids=REVOCATIONS.keys())
def test_tokens_issued_while_revoking_never_survive_it(postgres, revoke):
    """Generated cases on PostgreSQL: rounds of logins released together with the
    revocation, each thread on its own connection; whatever the order of arrival, no token
    issued with the old credentials is left."""
    reviewer = factories.UserFactory(role="reviewer")
    for _ in range(4):
        clerk = factories.UserFactory(role="clerk")
        logins = [lambda clerk=clerk: obtain(clerk) for _ in range(6)]
        results = at_once([*logins, lambda clerk=clerk: revoke(reviewer, clerk)])
        assert results[-1] is None, results[-1]
        unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, REFUSED)]
        assert not unexpected, results
        assert not ApiToken.objects.filter(user=clerk).exists(), results


def test_a_token_made_on_the_page_after_a_reset_of_its_session_is_refused(db, reviewer, clerk):
    """The page's 创建令牌 for a session opened before the reset (its user object still has
    the old hash): refused, not issued."""
    stale = type(clerk).objects.get(pk=clerk.pk)
    reset(reviewer, clerk)
    with pytest.raises(REFUSED):
        services.create_token(user=stale, name="旧会话")
    assert not ApiToken.objects.filter(user=clerk).exists()


def test_a_token_still_works_for_an_untouched_user(db, clerk):
    _, raw = obtain(clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/me/").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_tokens_at_once_never_pass_the_limit(postgres, settings):
    """Tokens are a create with a limit: counted under the same row lock, so twenty at once
    make exactly the limit and the rest are refused with the Chinese message, never more."""
    from knox.settings import knox_settings

    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if not limit:
        pytest.fail("REST_KNOX TOKEN_LIMIT_PER_USER is expected to be set")
    clerk = factories.UserFactory(role="clerk")
    results = at_once(
        [lambda n=n: services.create_token(user=clerk, name=f"t{n}") for n in range(20)]
    )
    made = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == limit and len(refused) == 20 - limit, results
    assert ApiToken.objects.filter(user=clerk).count() == limit
