"""Someone must always be left to manage the accounts: two reviewers deactivating each other
at the same moment leave one of them active, a reviewer deactivated a moment ago can no
longer act, and the last active reviewer is neither deactivated nor given another role."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from accounts import people
from accounts.models import AccountEvent, Event
from metrics.models import User
from tests import factories
from tests.threads import at_once


def active_reviewers():
    return User.objects.filter(groups__name="法制办审核员", is_active=True)


def test_a_reviewer_deactivated_a_moment_ago_cannot_deactivate_the_other(db):
    a = factories.UserFactory(role="reviewer")
    b = factories.UserFactory(role="reviewer")
    # Each request loaded its own user before either change was saved.
    a_request, b_request = User.objects.get(pk=a.pk), User.objects.get(pk=b.pk)
    people.deactivate_user(user=a_request, target=b)
    with pytest.raises(PermissionDenied, match="您的账号已停用"):
        people.deactivate_user(user=b_request, target=a)
    assert list(active_reviewers()) == [a]
    assert not AccountEvent.objects.filter(event=Event.USER_DEACTIVATED, target=a.username)


def test_a_reviewer_demoted_a_moment_ago_cannot_change_roles(db, sfj):
    a = factories.UserFactory(role="reviewer")
    b = factories.UserFactory(role="reviewer")
    b_request = User.objects.get(pk=b.pk)
    people.change_user(user=a, target=b, role="leader")
    with pytest.raises(PermissionDenied):
        people.change_user(user=b_request, target=a, role="clerk", department=sfj)
    assert list(active_reviewers()) == [a]


@pytest.fixture
def keeper(db, sfj):
    """A clerk who was also given the right to manage accounts (in the admin), so that the
    only reviewer can be the one the change is about."""
    user = factories.UserFactory(role="clerk", department=sfj)
    user.user_permissions.add(Permission.objects.get(codename="manage_accounts"))
    return User.objects.get(pk=user.pk)


def test_the_last_active_reviewer_is_not_deactivated(keeper, reviewer):
    with pytest.raises(ValidationError, match="最后一个可以管理用户账号") as refused:
        people.deactivate_user(user=keeper, target=reviewer)
    assert refused.value.error_list[0].code == "last_manager"
    reviewer.refresh_from_db()
    assert reviewer.is_active

    other = factories.UserFactory(role="reviewer")  # with a second reviewer, it may go
    people.deactivate_user(user=keeper, target=reviewer)
    assert list(active_reviewers()) == [other]


def test_the_last_active_reviewer_keeps_the_role(keeper, reviewer):
    with pytest.raises(ValidationError, match="不能改为其他角色"):
        people.change_user(user=keeper, target=reviewer, role="leader")
    assert list(active_reviewers()) == [reviewer]
    people.change_user(user=keeper, target=reviewer, name="改名不受影响")


def test_the_api_names_the_refusal(keeper, reviewer):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(keeper)}")
    refused = api.post(f"/api/v1/users/{reviewer.username}/deactivate/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "last_manager"


def test_a_system_administrator_counts_as_someone_left(keeper, reviewer):
    factories.UserFactory(role="admin")
    people.deactivate_user(user=keeper, target=reviewer)
    assert not active_reviewers().exists()


def deactivating(actor, target):
    """A request of `actor` (its user loaded from the database) deactivating `target`."""
    return lambda: people.deactivate_user(user=User.objects.get(pk=actor.pk), target=target)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_deactivating_each_other_at_once_leave_one(postgres):
    for _ in range(5):  # several rounds, so both orders of arrival are exercised
        User.objects.filter(username__in=["ra", "rb"]).delete()
        a = factories.UserFactory(role="reviewer", username="ra")
        b = factories.UserFactory(role="reviewer", username="rb")
        results = at_once([deactivating(a, b), deactivating(b, a)])
        assert active_reviewers().filter(username__in=["ra", "rb"]).count() == 1, results
        refused = [r for r in results if not isinstance(r, User)]
        assert len(refused) == 1 and isinstance(refused[0], PermissionDenied), results
