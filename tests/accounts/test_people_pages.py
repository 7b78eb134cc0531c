"""用户管理 as the 法制办 uses it: who may open it, adding a clerk whose one-time password is
shown once and must be changed at the first login, resetting, deactivating, moving, and
the account audit page that shows each of these."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import people
from accounts.models import AccountEvent, Event
from metrics.models import Department, User
from tests import factories

NEW_PASSWORD = "Own-choice-2027!"


@pytest.fixture
def gaj(db):
    return Department.objects.get(code="gaj")


@pytest.fixture
def retired(db):
    return factories.DepartmentFactory(
        code="old_dept", name="已撤并部门", retired_at=timezone.now()
    )


def one_time_password(response) -> str:
    match = re.search(r'id="one-time-password">([^<]+)<', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def add_clerk(client, department, username="sfj_wang", name="王五"):
    return client.post(
        reverse("accounts:user_new"),
        {
            "username": username,
            "name": name,
            "role": "clerk",
            "department": department.pk,
            "reason": "新进人员",
        },
    )


PAGES = [
    ("get", "accounts:users", False),
    ("get", "accounts:user_new", False),
    ("get", "accounts:user_detail", True),
    ("post", "accounts:user_change", True),
    ("post", "accounts:user_move", True),
    ("post", "accounts:user_deactivate", True),
    ("post", "accounts:user_reactivate", True),
    ("post", "accounts:user_reset_password", True),
    ("get", "accounts:import", False),
    ("get", "accounts:import_template", False),
    ("post", "accounts:import_confirm", False),
    ("get", "accounts:audit", False),
]


@pytest.mark.parametrize(("method", "name", "needs_pk"), PAGES)
def test_only_the_reviewer_reaches_the_account_pages(
    client, clerk, leader, reviewer, method, name, needs_pk
):
    url = reverse(name, args=[clerk.pk] if needs_pk else [])
    for who in (clerk, leader):
        client.force_login(who)
        assert getattr(client, method)(url).status_code == 403, (who, url)
    client.logout()
    assert getattr(client, method)(url).status_code == 302  # to the login page
    client.force_login(reviewer)
    assert getattr(client, method)(url).status_code in (200, 302), url


def test_the_header_links_to_user_management_for_the_reviewer_only(client, clerk, reviewer):
    client.force_login(reviewer)
    page = client.get("/").content.decode()
    assert "用户管理" in page and "账号审计" in page
    client.force_login(clerk)
    page = client.get("/", follow=True).content.decode()
    assert "用户管理" not in page and "账号审计" not in page


def test_a_new_clerk_gets_a_one_time_password_and_must_change_it(client, reviewer, sfj, period):
    client.force_login(reviewer)
    shown = add_clerk(client, sfj)
    assert shown.status_code == 200
    assert shown["Cache-Control"] == "no-store"
    password = one_time_password(shown)
    assert "只显示这一次" in shown.content.decode()
    wang = User.objects.get(username="sfj_wang")
    assert wang.department == sfj and wang.must_change_password
    assert password not in wang.password and wang.check_password(password)
    # Shown once: the user's page never shows it again.
    assert (
        password not in client.get(reverse("accounts:user_detail", args=[wang.pk])).content.decode()
    )

    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "sfj_wang", "password": password})
    held = client.get(reverse("entry_current"), follow=True)
    assert held.redirect_chain[-1][0] == reverse("password_change")
    assert "一次性密码" in held.content.decode()

    changed = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "密码已修改" in changed.content.decode()
    wang.refresh_from_db()
    assert not wang.must_change_password
    entry = client.get(reverse("entry_current"), follow=True)
    assert entry.status_code == 200
    assert "/entry/" in entry.redirect_chain[-1][0]
    assert sfj.name in entry.content.decode()


def test_resetting_a_password_ends_the_old_one(client, reviewer, clerk):
    client.force_login(reviewer)
    shown = client.post(
        reverse("accounts:user_reset_password", args=[clerk.pk]), {"reason": "忘记密码"}
    )
    password = one_time_password(shown)
    clerk.refresh_from_db()
    assert clerk.must_change_password and clerk.check_password(password)
    assert not clerk.check_password("Test-password-2026")
    event = AccountEvent.objects.get(event=Event.PASSWORD_RESET, target=clerk.username)
    assert event.actor == reviewer.username and "忘记密码" in event.detail
    assert password not in event.detail
    # Only the reset is recorded, not a second "修改密码" for the same act.
    assert not AccountEvent.objects.filter(event=Event.PASSWORD_CHANGED).exists()


def test_a_deactivated_user_cannot_log_in_and_can_be_reactivated(client, reviewer, clerk):
    client.force_login(reviewer)
    client.post(reverse("accounts:user_deactivate", args=[clerk.pk]), {"reason": "调离"})
    client.logout()
    refused = client.post(
        reverse("login"), {"username": clerk.username, "password": "Test-password-2026"}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in client.session

    client.force_login(reviewer)
    client.post(reverse("accounts:user_reactivate", args=[clerk.pk]))
    client.logout()
    assert client.login(username=clerk.username, password="Test-password-2026")
    kinds = list(
        AccountEvent.objects.filter(target=clerk.username, actor=reviewer.username)
        .order_by("at", "id")
        .values_list("event", "detail")
    )
    assert kinds[0][0] == Event.USER_DEACTIVATED and "启用 → 停用" in kinds[0][1]
    assert "调离" in kinds[0][1]
    assert kinds[1][0] == Event.USER_REACTIVATED


def test_a_moved_clerk_sees_the_new_department(client, reviewer, clerk, sfj, gaj, period):
    client.force_login(reviewer)
    moved = client.post(
        reverse("accounts:user_move", args=[clerk.pk]), {"department": gaj.pk}, follow=True
    )
    assert "已将" in moved.content.decode()
    event = AccountEvent.objects.get(event=Event.USER_MOVED)
    assert f"{sfj.name} → {gaj.name}" in event.detail

    client.force_login(clerk)
    page = client.get(reverse("entry_current"), follow=True).content.decode()
    assert gaj.name in page


def test_a_retired_department_takes_no_clerk(client, reviewer, clerk, retired):
    client.force_login(reviewer)
    refused = add_clerk(client, retired, username="old_li")
    assert refused.status_code == 400 and "已停用" in refused.content.decode()
    assert not User.objects.filter(username="old_li").exists()

    moved = client.post(
        reverse("accounts:user_move", args=[clerk.pk]), {"department": retired.pk}, follow=True
    )
    assert "已停用" in moved.content.decode()
    clerk.refresh_from_db()
    assert clerk.department.code == "sfj"
    # Nor is a retired department offered on the pages.
    assert retired.name not in client.get(reverse("accounts:user_new")).content.decode()


def test_a_clerk_needs_a_department_and_other_roles_have_none(client, reviewer, sfj):
    client.force_login(reviewer)
    refused = client.post(
        reverse("accounts:user_new"), {"username": "nodept", "name": "赵六", "role": "clerk"}
    )
    assert "填报员须指定所属部门" in refused.content.decode()
    shown = client.post(
        reverse("accounts:user_new"),
        {"username": "leader2", "name": "钱七", "role": "leader", "department": sfj.pk},
    )
    assert shown.status_code == 200
    leader = User.objects.get(username="leader2")
    assert leader.department is None and people.role_label(leader) == "区领导"


def test_a_duplicate_user_name_is_refused(client, reviewer, clerk, sfj):
    client.force_login(reviewer)
    refused = add_clerk(client, sfj, username=clerk.username.upper())
    assert refused.status_code == 400 and "已存在" in refused.content.decode()


def test_the_reviewer_can_change_name_and_role(client, reviewer, clerk, gaj):
    client.force_login(reviewer)
    client.post(
        reverse("accounts:user_change", args=[clerk.pk]),
        {"name": "孙八", "email": "", "role": "leader", "reason": "岗位调整"},
    )
    clerk.refresh_from_db()
    assert str(clerk) == "孙八" and clerk.department is None
    assert people.role_label(clerk) == "区领导"
    event = AccountEvent.objects.get(
        event=Event.GROUPS_CHANGED, target=clerk.username, actor=reviewer.username
    )
    assert "角色：填报员 → 区领导" in event.detail and "岗位调整" in event.detail
    assert "姓名：" in event.detail

    client.post(
        reverse("accounts:user_change", args=[clerk.pk]),
        {"name": "孙八", "role": "clerk", "department": gaj.pk},
    )
    clerk.refresh_from_db()
    assert clerk.department == gaj and people.role_label(clerk) == "填报员"


def test_the_reviewer_cannot_deactivate_themselves_or_touch_a_superuser(client, reviewer):
    admin = factories.UserFactory(role="admin")
    client.force_login(reviewer)
    own = client.post(reverse("accounts:user_deactivate", args=[reviewer.pk]), follow=True)
    assert "不能停用自己的账号" in own.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.is_active
    for name in ("user_deactivate", "user_reset_password"):
        answer = client.post(reverse(f"accounts:{name}", args=[admin.pk]), follow=True)
        assert "系统管理员的账号只能由系统管理员" in answer.content.decode()
    admin.refresh_from_db()
    assert admin.is_active and admin.check_password("Test-password-2026")


def test_the_list_searches_and_filters(client, reviewer, clerk, gaj):
    other = factories.UserFactory(role="clerk", department=gaj, username="gaj_zhou")
    other.is_active = False
    other.save()
    client.force_login(reviewer)

    def names(**query):
        page = client.get(reverse("accounts:users"), query).content.decode()
        return set(re.findall(r'/accounts/users/\d+/">([^<]+)<', page))

    assert {clerk.username, other.username} <= names()
    assert names(q="gaj_zh") == {"gaj_zhou"}
    assert names(q=gaj.name) == {"gaj_zhou"}
    assert names(q=str(clerk)) == {clerk.username}
    assert reviewer.username in names(role="reviewer")
    assert clerk.username not in names(role="reviewer")
    assert names(active="0") == {"gaj_zhou"}


def test_the_user_list_costs_a_bounded_number_of_queries(
    client, reviewer, sfj, django_assert_max_num_queries
):
    for _ in range(40):
        factories.UserFactory(role="clerk", department=sfj)
    client.force_login(reviewer)
    client.get(reverse("accounts:users"))  # the session's first checks
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:users"))
    assert page.content.decode().count("/accounts/users/") > 40


def test_each_operation_appears_on_the_audit_page(client, reviewer, clerk, gaj):
    client.force_login(reviewer)
    add_clerk(client, gaj, username="gaj_new")
    new = User.objects.get(username="gaj_new")
    client.post(reverse("accounts:user_move", args=[clerk.pk]), {"department": gaj.pk})
    client.post(reverse("accounts:user_reset_password", args=[clerk.pk]))
    client.post(reverse("accounts:user_deactivate", args=[new.pk]))
    client.post(reverse("accounts:user_reactivate", args=[new.pk]))
    client.post(reverse("accounts:user_change", args=[new.pk]), {"name": "新名字"})

    page = client.get(reverse("accounts:audit")).content.decode().split("<tbody>")[1]
    for label in ("创建用户", "调整用户部门", "重置密码", "停用用户", "重新启用用户", "修改用户"):
        assert label in page, label
    assert page.index("修改用户") < page.index("创建用户")  # newest first

    only = client.get(reverse("accounts:audit"), {"event": Event.USER_MOVED}).content.decode()
    only = only.split("<tbody>")[1]
    assert "调整用户部门" in only and "重置密码" not in only
    target = client.get(reverse("accounts:audit"), {"target": "gaj_new"}).content.decode()
    assert "gaj_new" in target and clerk.username not in target.split("<tbody>")[1]
    today = timezone.localdate().isoformat()
    dated = client.get(reverse("accounts:audit"), {"start": today, "end": today}).content.decode()
    assert "创建用户" in dated
    none = client.get(reverse("accounts:audit"), {"end": "2000-01-01"}).content.decode()
    assert "没有符合条件的记录" in none


def test_the_audit_page_is_paginated(client, reviewer):
    for n in range(60):
        AccountEvent.objects.create(event=Event.LOGIN, actor=f"someone{n}", target="x")
    client.force_login(reviewer)
    first = client.get(reverse("accounts:audit")).content.decode()
    assert "第 1 / 2 页" in first
    second = client.get(reverse("accounts:audit"), {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second


def test_a_reset_or_deactivation_ends_the_users_open_session(client, reviewer, clerk, period):
    from django.test import Client

    theirs = Client()
    theirs.force_login(clerk)
    assert theirs.get(reverse("entry_current")).status_code == 302
    client.force_login(reviewer)
    client.post(reverse("accounts:user_reset_password", args=[clerk.pk]))
    assert reverse("login") in theirs.get(reverse("entry_current"))["Location"]

    theirs.force_login(User.objects.get(pk=clerk.pk))
    client.post(reverse("accounts:user_deactivate", args=[clerk.pk]))
    assert reverse("login") in theirs.get(reverse("entry_current"))["Location"]
