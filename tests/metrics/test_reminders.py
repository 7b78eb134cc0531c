"""催报: N days before the deadline and daily once overdue, once per department and day, by
email to the clerks and as a notice on their home page; by hand from the review queue."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError

from accounts.demo import DEMO_PASSWORD
from metrics import services, tasks
from metrics.models import Department, Notice, Reminder
from tests import factories

DEADLINE = datetime.date(2026, 12, 15)  # the demo's 2026 deadline


def _behind():
    # In the demo: 区司法局 (drafts, missing), 区委组织部 (drafts), 公安分局 (nothing) are behind;
    # 区委政法委 has submitted everything, the others are approved.
    return {"sfj", "zzb", "gaj"}


@pytest.fixture
def clerks_with_email(demo_data, eager_tasks):
    """Clerks with their own addresses; emails are sent in-process even with a real broker."""
    from metrics.models import User

    for user in User.objects.filter(username__startswith="clerk_"):
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])


def test_reminders_before_the_deadline_go_once(
    clerks_with_email, django_capture_on_commit_callbacks
):
    day = DEADLINE - datetime.timedelta(days=services.REMINDER_DAYS_BEFORE)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_due_reminders(user=factories.scheduler(), today=day)
    assert {r.department.code for r in sent} == _behind()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "clerk_gaj@example.gov.cn",
        "clerk_sfj@example.gov.cn",
        "clerk_zzb@example.gov.cn",
    ]
    assert "催报" in mail.outbox[0].subject
    assert all(r.emailed_at is not None and r.recipients == 1 for r in Reminder.objects.all())

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.send_due_reminders(user=factories.scheduler(), today=day) == []
        )  # idempotent per department/day
    assert len(mail.outbox) == 3 and Notice.objects.count() == 3


def test_no_reminders_on_other_days_before_the_deadline(demo_data):
    assert (
        services.send_due_reminders(
            user=factories.scheduler(), today=DEADLINE - datetime.timedelta(days=10)
        )
        == []
    )
    assert services.send_due_reminders(user=factories.scheduler(), today=DEADLINE) == []


def test_daily_once_overdue(clerks_with_email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_due_reminders(
            user=factories.scheduler(), today=DEADLINE + datetime.timedelta(days=1)
        )
        second = services.send_due_reminders(
            user=factories.scheduler(), today=DEADLINE + datetime.timedelta(days=2)
        )
        again = services.send_due_reminders(
            user=factories.scheduler(), today=DEADLINE + datetime.timedelta(days=2)
        )
    assert len(first) == len(second) == 3 and again == []
    assert Reminder.objects.count() == 6 and len(mail.outbox) == 6


def test_returned_figures_count_as_behind(period, clerk, reviewer, sfj):
    from tests.metrics.conftest import fill

    fill(sfj, period, clerk)
    services.submit_figures(department=sfj, period=period, user=clerk)
    assert (
        services.send_reminder(department=sfj, period=period, user=factories.scheduler()) is None
    )  # all submitted
    figure = sfj.indicators.first().figures.get()
    services.return_figure(figure=figure, user=reviewer, reason="核实")
    reminder = services.send_reminder(department=sfj, period=period, user=factories.scheduler())
    assert (reminder.unsent, reminder.returned) == (0, 1)
    assert reminder.notice == Notice.objects.get()  # the email sends this notice
    assert "1 项被退回" in Notice.objects.get().body


def test_one_reminder_row_per_department_and_day(period, sfj):
    Reminder.objects.create(department=sfj, period=period, date=datetime.date(2026, 12, 1))
    with pytest.raises(IntegrityError):
        Reminder.objects.create(department=sfj, period=period, date=datetime.date(2026, 12, 1))


def test_manual_reminder_from_the_queue(
    eager_tasks, client, clerks_with_email, django_capture_on_commit_callbacks
):
    client.login(username="reviewer", password=DEMO_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/review/2026/gaj/remind/", follow=True)
    assert "已向公安分局发送催报通知" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["clerk_gaj@example.gov.cn"]]
    assert "今日已催报" in client.get("/review/2026/").content.decode()
    response = client.post("/review/2026/gaj/remind/", follow=True)
    assert "今天已向公安分局催报过" in response.content.decode()
    response = client.post("/review/2026/zfw/remind/", follow=True)
    assert "无需催报" in response.content.decode()
    assert Reminder.objects.count() == 1

    client.login(username="clerk_gaj", password=DEMO_PASSWORD)
    home = client.get("/").content.decode()
    assert "催报" in home and "2 项尚未报送" in home
    assert client.post("/review/2026/sfj/remind/").status_code == 403


def test_tasks_take_ids_and_run(clerks_with_email, django_capture_on_commit_callbacks, settings):
    gaj = Department.objects.get(code="gaj")
    period = factories.period("2026")
    reminder = services.send_reminder(department=gaj, period=period, user=factories.scheduler())
    assert tasks.send_reminder_email(reminder.pk) == 1
    assert tasks.send_reminder_email(reminder.pk) == 0  # a redelivered task mails nobody twice
    assert tasks.send_reminder_email(999999) == 0
    assert isinstance(tasks.send_due_reminders(), int)
    settings.METRICS_AUTO_LOCK = False
    assert tasks.lock_overdue_periods() == []


def test_a_clerk_cannot_send_a_reminder(period, sfj, clerk):
    """催报 is the reviewers' and leaders' (access.can_remind): a clerk asking is refused and
    no reminder is made, not even to their own department."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="只有审核员和区领导可以催报"):
        services.send_reminder(department=sfj, period=period, user=clerk)
    assert not Reminder.objects.exists()


def test_an_email_lost_with_the_broker_goes_out_with_the_next_sweep(clerks_with_email):
    """The reminder is made while the broker is down (its on-commit email is lost, as the
    outage test shows): the beat's sweep emails it once, and only once."""
    gaj = Department.objects.get(code="gaj")
    reminder = services.send_reminder(
        department=gaj, period=factories.period("2026"), user=factories.scheduler()
    )
    assert reminder.emailed_at is None and mail.outbox == []  # the on-commit send never ran
    assert tasks.send_unsent_reminder_emails() == 1
    assert [m.to for m in mail.outbox] == [["clerk_gaj@example.gov.cn"]]
    reminder.refresh_from_db()
    assert reminder.emailed_at is not None and reminder.recipients == 1
    assert tasks.send_unsent_reminder_emails() == 0 and len(mail.outbox) == 1


def test_the_beat_schedule_names_tasks_that_exist():
    from django.conf import settings

    from lawgov.celery import app

    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {
        "metrics.tasks.send_due_reminders",
        "metrics.tasks.send_unsent_reminder_emails",
        "metrics.tasks.lock_overdue_periods",
        "metrics.tasks.build_missing_rollup_totals",
        "reports.tasks.fail_stuck_jobs",
        "accounts.tasks.purge_account_events",
    }
    assert names <= set(app.tasks)


def test_the_reminder_email_links_to_the_entry_form(clerks_with_email, settings):
    settings.PORTAL_BASE_URL = "https://fzb.example.gov.cn"
    gaj = Department.objects.get(code="gaj")
    reminder = services.send_reminder(
        department=gaj, period=factories.period("2026"), user=factories.scheduler()
    )
    tasks.send_reminder_email(reminder.pk)
    assert "https://fzb.example.gov.cn/entry/2026/" in mail.outbox[0].body


def _html_part(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_a_reminder_from_the_review_queue_links_to_the_host_in_use(
    clerks_with_email, client, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_BASE_URL = "https://fzb.example.gov.cn"
    assert client.login(username="reviewer", password=DEMO_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/review/2026/gaj/remind/")
    [message] = mail.outbox
    # Multipart: the text and an HTML alternative with a real link, both to the host the
    # reviewer is using (the test client's), not to PORTAL_BASE_URL.
    assert "http://testserver/entry/2026/" in message.body
    assert '<a href="http://testserver/entry/2026/">' in _html_part(message)
    assert "fzb.example.gov.cn" not in message.body + _html_part(message)


def test_a_reminder_from_the_dashboard_links_to_the_host_in_use(
    clerks_with_email, client, django_capture_on_commit_callbacks
):
    assert client.login(username="leader", password=DEMO_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/dashboard/remind/?period=2026")
    assert mail.outbox
    for message in mail.outbox:
        assert '<a href="http://testserver/entry/2026/">' in _html_part(message)


def test_the_schedulers_reminder_links_to_portal_base_url(
    clerks_with_email, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8123"
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminder(
            department=Department.objects.get(code="gaj"),
            period=factories.period("2026"),
            user=factories.scheduler(),
        )
    [message] = mail.outbox
    assert '<a href="http://127.0.0.1:8123/entry/2026/">' in _html_part(message)
    assert "填报地址：http://127.0.0.1:8123/entry/2026/" in message.body


def test_the_notice_on_the_clerks_home_links_to_the_entry_form(client, clerks_with_email):
    services.send_reminder(
        department=Department.objects.get(code="sfj"),
        period=factories.period("2026"),
        user=factories.scheduler(),
    )
    assert client.login(username="clerk_sfj", password=DEMO_PASSWORD)
    page = client.get("/").content.decode()
    assert "催报：2026年度数据请于" in page
    assert '<a href="/entry/2026/">进入2026年度数据填报</a>' in page


def _run_make_run(tmp_path, **env_overrides) -> dict[str, str]:
    """`make run HOST=127.0.0.1 PORT=8765` with a stand-in for the venv's python that notes
    each command and the PORTAL_BASE_URL it was started with: {command: PORTAL_BASE_URL}."""
    import os
    import shutil
    import subprocess
    from pathlib import Path

    shutil.copy(Path(__file__).resolve().parents[2] / "Makefile", tmp_path / "Makefile")
    (tmp_path / "var").mkdir()
    seen = tmp_path / "started.txt"
    python = tmp_path / "python"
    # The web server stays up a moment, as it would, so that the worker and the font job
    # it starts beside it have written their line before make stops them with it.
    python.write_text(
        f'#!/bin/sh\necho "$*|$PORTAL_BASE_URL" >> {seen}\n'
        'case "$*" in *runserver*) sleep 3 ;; esac\n'
    )
    python.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in {"PORTAL_BASE_URL", "MAKEFLAGS"}}
    subprocess.run(
        ["make", "-o", "migrate", "run", f"PY={python}", "HOST=127.0.0.1", "PORT=8765"],
        cwd=tmp_path,
        env={**env, **env_overrides},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return dict(line.rsplit("|", 1) for line in seen.read_text().splitlines())


def test_make_run_points_portal_base_url_at_its_own_port(tmp_path):
    """Links in reminder emails lead to the portal `make run` serves, on whatever port."""
    started = _run_make_run(tmp_path)
    web = started["manage.py runserver 127.0.0.1:8765"]
    worker = next(url for command, url in started.items() if command.startswith("-m celery"))
    fonts = started["manage.py prepare_report_fonts"]
    assert web == worker == fonts == "http://127.0.0.1:8765"


def test_make_run_keeps_a_portal_base_url_given(tmp_path):
    started = _run_make_run(tmp_path, PORTAL_BASE_URL="https://fzb.example.gov.cn")
    assert started["manage.py runserver 127.0.0.1:8765"] == "https://fzb.example.gov.cn"
