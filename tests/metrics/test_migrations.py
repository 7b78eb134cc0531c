"""Migration 0007 on existing data: each earlier reminder should be linked to the notice that
was made with it (the 催报 notice), not to another notice of the same day."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backfill_links_each_reminder_to_its_own_notice():
    old = _migrate([("metrics", "0006_reminder_permission")])
    Department = old.get_model("metrics", "Department")
    Period = old.get_model("metrics", "ReportingPeriod")
    Notice = old.get_model("metrics", "Notice")
    Reminder = old.get_model("metrics", "Reminder")
    try:
        dept = Department.objects.get(code="gaj")
        period = Period.objects.create(
            code="2026",
            start=datetime.date(2026, 1, 1),
            end=datetime.date(2026, 12, 31),
            deadline=datetime.date(2027, 1, 15),
        )
        today = timezone.localdate()
        # 1. an administrator's notice to the department earlier that day (NoticeAdmin can add)
        Notice.objects.create(department=dept, period=period, title="关于更换填报联系人的通知")
        # 2. the old send_reminder: reminder, then its 催报 notice
        reminder = Reminder.objects.create(department=dept, period=period, date=today, missing=3)
        own = Notice.objects.create(
            department=dept, period=period, title="催报：2026年度数据请于…前报送"
        )
        # 3. `send_reminders --date` for a day other than the day it ran
        back = Reminder.objects.create(
            department=dept, period=period, date=today - datetime.timedelta(days=1), missing=3
        )
        back_notice = Notice.objects.create(department=dept, period=period, title="催报：补发")

        new = _migrate([("metrics", "0007_reminder_notice_unsent")])
        Reminder = new.get_model("metrics", "Reminder")
        linked = dict(Reminder.objects.values_list("pk", "notice_id"))
        assert linked[reminder.pk] == own.pk, "linked to the administrator's notice"
        assert linked[back.pk] == back_notice.pk, "left unlinked: its email is lost"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
