"""The account audit log: what it records, that nobody changes or deletes it, and that it is
kept at least 180 days."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.demo import DEMO_PASSWORD
from accounts.models import AccountEvent, AppendOnly, Event
from accounts.roles import GROUP_NAMES, Role
from metrics.models import User
from tests import factories


def events(**filters):
    return list(AccountEvent.objects.filter(**filters).values_list("event", flat=True))


def test_login_and_logout_are_recorded_with_address_and_browser(client, demo_data):
    client.post(
        "/login/",
        {"username": "leader", "password": DEMO_PASSWORD},
        REMOTE_ADDR="10.2.3.4",
        HTTP_USER_AGENT="Mozilla/5.0 测试浏览器",
    )
    client.post("/logout/")
    client.post("/login/", {"username": "leader", "password": "wrong"})
    login = AccountEvent.objects.get(event=Event.LOGIN)
    assert (login.actor, login.target, login.ip_address) == ("leader", "leader", "10.2.3.4")
    assert login.user_agent == "Mozilla/5.0 测试浏览器"
    assert events(actor="leader") == [Event.LOGIN_FAILED, Event.LOGOUT, Event.LOGIN]


def test_accounts_are_not_changed_in_the_admin(client, demo_data):
    """Accounts are changed on 人员管理 (accounts.people's services, each audited); the admin
    shows them read-only, to superusers too."""
    client.force_login(User.objects.get(username="admin"))
    clerk = User.objects.get(username="clerk_gaj")
    answer = client.post(
        reverse("admin:metrics_user_change", args=[clerk.pk]),
        {
            "username": "clerk_gaj",
            "first_name": clerk.first_name,
            "last_name": clerk.last_name,
            "email": "gaj@example.gov.cn",
            "department": clerk.department_id,
            "groups": [Group.objects.get(name=GROUP_NAMES[Role.REVIEWER]).pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
            "is_active": "",
        },
    )
    assert answer.status_code == 403
    clerk.refresh_from_db()
    assert clerk.is_active
    assert not AccountEvent.objects.filter(actor="admin", target="clerk_gaj").exists()


def test_users_groups_and_permissions_made_in_code_are_recorded(db):
    user = factories.UserFactory(username="newclerk", role="clerk")
    user.first_name = "新"
    user.save()
    group = Group.objects.create(name="临时组")
    group.permissions.add(Permission.objects.get(codename="view_figure"))
    user.groups.add(group)
    assert {Event.USER_CREATED, Event.GROUPS_CHANGED, Event.USER_CHANGED} <= set(
        events(target="newclerk")
    )
    assert events(target="角色 临时组") == [Event.PERMISSIONS_CHANGED, Event.GROUP_CHANGED]


def test_a_record_is_never_changed_or_deleted(db):
    event = AccountEvent.objects.create(event=Event.LOGIN, actor="someone")
    event.detail = "改过"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AccountEvent.objects.filter(pk=event.pk).update(detail="改过")
    with pytest.raises(AppendOnly):
        AccountEvent.objects.all().delete()
    # Nor by SQL that goes around the model.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE lawgov_accountevent SET detail = 'x'")
    assert AccountEvent.objects.get(pk=event.pk).detail == ""


def test_the_cleanup_deletes_only_records_past_the_retention(db, settings):
    now = timezone.now()
    old = AccountEvent.objects.create(event=Event.LOGIN, at=now - datetime.timedelta(days=200))
    kept = AccountEvent.objects.create(event=Event.LOGIN, at=now - datetime.timedelta(days=179))
    settings.LAWGOV_ACCOUNT_EVENT_RETENTION_DAYS = 30  # below the legal floor: 180 applies
    assert services.purge_account_events(user=factories.scheduler()) == 1
    assert not AccountEvent.objects.filter(pk=old.pk).exists()
    assert AccountEvent.objects.filter(pk=kept.pk).exists()

    settings.LAWGOV_ACCOUNT_EVENT_RETENTION_DAYS = 365
    AccountEvent.objects.create(event=Event.LOGIN, at=now - datetime.timedelta(days=300))
    assert services.purge_account_events(user=factories.scheduler()) == 0


def test_the_cleanup_runs_daily_on_the_beat(settings):
    from accounts.tasks import purge_account_events

    entry = settings.CELERY_BEAT_SCHEDULE["lawgov-purge-account-events"]
    assert entry["task"] == purge_account_events.name


def test_a_retention_under_180_days_is_refused_at_start_up(tmp_path):
    import subprocess
    import sys

    from tests.test_security import ROOT

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "LAWGOV_ACCOUNT_EVENT_RETENTION_DAYS": "90"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "at least 180" in result.stderr


def test_bad_requests_get_the_chinese_400_page(client, db, settings):
    settings.DEBUG = False
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
