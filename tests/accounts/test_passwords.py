"""Password rules (in Chinese), the change page every user has, and the maximum age that
sends a user to it after login."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import AccountEvent, Event, PasswordState
from metrics.models import User


def refusals(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1!", "至少包含 10 个字符"),
        ("alllowercaseletters", "至少 3 类"),
        ("ALLUPPER1234", "至少 3 类"),
        ("Password1234", "太常见"),
        ("1234567890123", "只包含数字"),
    ],
)
def test_weak_passwords_are_refused_with_a_chinese_reason(db, password, reason):
    assert any(reason in message for message in refusals(password)), refusals(password)


def test_a_password_like_the_user_name_is_refused(db):
    user = User(username="zhangsanfeng", first_name="三丰", last_name="张")
    assert any("相似" in m for m in refusals("Zhangsanfeng1", user))


def test_the_similarity_refusal_reads_as_written_chinese(db):
    """Not Django's “密码跟 用户名 太相似了”: one sentence, no spaces around the field's name."""
    user = User(username="wangxiaoming", first_name="小明", last_name="王")
    messages = refusals("Wangxiaoming", user)
    assert "密码与用户名过于相似。" in messages
    assert not any("跟" in m or "太相似" in m for m in messages)


def test_a_strong_password_passes(db):
    assert refusals("Fz-huibao-2026") == []
    assert refusals("lawgov demo 2026 ok") == []  # lower, digits and a symbol (space)


@pytest.fixture
def clerk(demo_data):
    return User.objects.get(username="clerk_sfj")


def test_every_user_can_change_their_password(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page and "至少 10 个字符" in page

    weak = client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert "密码太短：至少包含 10 个字符" in weak.content.decode()

    new = "Sfj-new-password-2027"
    done = client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "密码已修改" in done.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(new)
    assert PasswordState.objects.get(user=clerk).password_changed_at > timezone.now() - (
        datetime.timedelta(minutes=1)
    )
    assert AccountEvent.objects.filter(event=Event.PASSWORD_CHANGED, target="clerk_sfj").exists()


def age_password(user, days):
    PasswordState.objects.update_or_create(
        user=user, defaults={"password_changed_at": timezone.now() - datetime.timedelta(days)}
    )


def test_an_expired_password_sends_the_user_to_the_change_page(client, clerk):
    age_password(clerk, 181)
    response = client.post("/login/", {"username": "clerk_sfj", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == reverse("password_change")
    assert "密码已超过有效期" in home.content.decode()

    new = "Sfj-new-password-2027"
    client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert client.get("/").status_code == 200


def test_a_recent_password_or_no_maximum_age_lets_the_user_in(client, clerk, settings):
    age_password(clerk, 30)
    client.force_login(clerk)
    assert client.get("/").status_code == 200

    age_password(clerk, 400)
    settings.LAWGOV_PASSWORD_MAX_AGE_DAYS = 0
    client.force_login(clerk)
    assert client.get("/").status_code == 200


def test_the_demo_users_are_not_sent_to_change_their_password(client, demo_data):
    for name in ("clerk_sfj", "reviewer", "leader", "admin"):
        client.post("/login/", {"username": name, "password": DEMO_PASSWORD})
        assert client.get("/", follow=True).redirect_chain[-1:] != [
            (reverse("password_change"), 302)
        ], name
        client.post("/logout/")


def test_the_login_page_says_what_to_do_with_a_forgotten_password(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "忘记密码" in page
    assert "联系区法制办" in page and "用户管理" in page and "重置密码" in page
