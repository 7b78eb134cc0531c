"""等保 2.0 rules the issue adds: a password is none of the user's last five and never
contains the user name; the change page speaks Chinese; the admin's passwords are one-time;
a reviewer with staff status does not reach users or roles in the admin."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from accounts import people
from accounts.models import PasswordHistory
from metrics.models import User
from tests import factories

START = "Test-password-2026"


def change(client, old, new):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_none_of_the_last_five_passwords_may_come_back(client, clerk):
    client.force_login(clerk)
    passwords = [START] + [f"Rotate-{n}-pass!" for n in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert change(client, old, new).status_code == 302, new
        client.force_login(User.objects.get(pk=clerk.pk))
    # Now the current is Rotate-5; the last five are Rotate-1 … Rotate-5.
    for reused in passwords[1:]:
        refused = change(client, passwords[-1], reused)
        assert refused.status_code == 200
        assert "新密码不能与最近 5 次使用过的密码相同" in refused.content.decode(), reused
    # The sixth-oldest (the factory's first password) is allowed again.
    assert change(client, passwords[-1], START).status_code == 302
    # No more hashes are kept than the rule needs, and never a password itself.
    kept = list(PasswordHistory.objects.filter(user=clerk).values_list("password", flat=True))
    assert len(kept) == 5
    assert not any(p in h for h in kept for p in passwords)


def test_the_current_password_counts_for_an_account_older_than_the_history(client, clerk):
    PasswordHistory.objects.filter(user=clerk).delete()
    client.force_login(clerk)
    refused = change(client, START, START)
    assert "最近 5 次" in refused.content.decode()


def test_a_password_containing_the_user_name_is_refused(client, db, sfj):
    zhang = factories.UserFactory(role="clerk", department=sfj, username="zhangsan")
    client.force_login(zhang)
    refused = change(client, START, "Xq-ZhangSan-2026-long!")
    assert "密码不能包含用户名" in refused.content.decode()
    assert change(client, START, "Xq-zhang-2026-long!").status_code == 302


def test_the_change_page_refuses_in_chinese(client, clerk):
    client.force_login(clerk)
    wrong = change(client, "not-my-password", "Fine-new-pass-2027").content.decode()
    assert "旧密码不正确" in wrong or "原密码" in wrong, wrong
    mismatch = client.post(
        reverse("password_change"),
        {"old_password": START, "new_password1": "Fine-new-1!", "new_password2": "Fine-new-2!"},
    ).content.decode()
    assert "两个密码" in mismatch or "不一致" in mismatch
    assert "the two password" not in mismatch.lower() and "incorrect" not in wrong.lower()


def test_passwords_expire_after_180_days_by_default():
    assert django_settings.LAWGOV_PASSWORD_MAX_AGE_DAYS == 180


def test_generated_passwords_meet_every_rule(db):
    user = User(username="abcdefg")
    seen = {people.generate_password(user) for _ in range(30)}
    assert len(seen) == 30
    for password in seen:
        assert len(password) >= 10 and "abcdefg" not in password.lower()


@pytest.fixture
def staff_reviewer(reviewer):
    reviewer.is_staff = True
    reviewer.save()
    return reviewer


def test_a_staff_reviewer_does_not_reach_users_or_roles_in_the_admin(client, staff_reviewer, clerk):
    client.force_login(staff_reviewer)
    for url in (
        reverse("admin:metrics_user_changelist"),
        reverse("admin:metrics_user_change", args=[clerk.pk]),
        reverse("admin:auth_user_password_change", args=[clerk.pk]),
        reverse("admin:metrics_user_add"),
        reverse("admin:auth_group_changelist"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("admin:index")).status_code == 403


def test_the_admin_sets_no_password_people_are_managed_on_the_portal(client, clerk):
    """Passwords are reset on 人员管理 (accounts.people, one-time and audited), not in the
    admin, which shows accounts read-only."""
    admin = factories.UserFactory(role="admin")
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[clerk.pk])
    new = "Admin-set-pass-2027"
    answer = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert answer.status_code == 403
    clerk.refresh_from_db()
    assert not clerk.check_password(new)


ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en"}


def test_an_english_browser_gets_the_pages_and_the_refusals_in_chinese(client, clerk):
    assert "登录" in client.get(reverse("login"), **ENGLISH).content.decode()
    client.force_login(clerk)
    page = client.get(reverse("password_change"), **ENGLISH).content.decode()
    assert "修改密码" in page and 'lang="zh' in page
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "not-my-password", "new_password1": "a1", "new_password2": "b2"},
        **ENGLISH,
    ).content.decode()
    assert "旧密码不正确" in wrong or "原密码" in wrong, wrong
    assert "incorrectly" not in wrong
    mismatch = client.post(
        reverse("password_change"),
        {"old_password": START, "new_password1": "Fine-new-1!", "new_password2": "Fine-new-2!"},
        **ENGLISH,
    ).content.decode()
    assert "不一致" in mismatch or "两个密码" in mismatch, mismatch
    assert "didn't match" not in mismatch and "didn&#x27;t match" not in mismatch
    for new, chinese, english in (
        ("password123", "这个密码太常见了", "too common"),
        (f"{clerk.username}2026", "过于相似", "too similar"),
    ):
        refused = client.post(
            reverse("password_change"),
            {"old_password": START, "new_password1": new, "new_password2": new},
            **ENGLISH,
        ).content.decode()
        assert chinese in refused and english not in refused, refused
