"""The admin writes figures and periods through the services: a correction bumps the version
(a clerk's stale form is refused, not overwriting it), a locked period is respected, and a
period's state changes only by the lock and reopen actions."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from metrics import services
from metrics.models import (
    CommentKind,
    Figure,
    FigureStatus,
    PeriodState,
    ReportingPeriod,
    User,
)

CODE = "edu_materials_distributed"  # 区司法局, a draft of 131200 in the demo's 2026


def _login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _figure(code=CODE, period="2026"):
    return Figure.objects.select_related("updated_by").get(
        indicator__code=code, period__code=period
    )


def _correct(client, figure, *, value, reason="核对台账后更正", version=None, remark=""):
    return client.post(
        reverse("admin:metrics_figure_change", args=[figure.pk]),
        {
            "value": value,
            "remark": remark,
            "reason": reason,
            "loaded_version": figure.version if version is None else version,
        },
    )


def _errors(response) -> str:
    return response.content.decode()


@pytest.fixture
def admin_client(client, demo_data):
    return _login(client, "admin")


def test_a_correction_bumps_the_version_and_names_the_admin(admin_client):
    before = _figure()
    assert (before.value, before.version, before.status) == (131200, 1, FigureStatus.DRAFT)

    response = _correct(admin_client, before, value="131,000")

    assert response.status_code == 302, _errors(response)
    after = _figure()
    assert after.value == 131000 and after.version == 2
    assert after.updated_by.username == "admin"
    assert after.status == FigureStatus.DRAFT  # the status stays as it is
    assert after.history.first().history_change_reason == "管理更正：核对台账后更正"
    assert after.history.first().history_user.username == "admin"
    comment = after.comments.get()
    assert comment.kind == CommentKind.COMMENT and comment.author.username == "admin"
    assert comment.text == "管理更正：数值由 131200 改为 131000。原因：核对台账后更正"


def test_a_clerks_stale_entry_form_does_not_overwrite_the_correction(admin_client, client):
    loaded = _figure()  # what the clerk's form carries, loaded before the correction
    _correct(admin_client, loaded, value="131000")
    admin_client.logout()

    _login(client, "clerk_sfj")
    page = client.post(
        "/entry/2026/",
        {
            f"value-{CODE}": "132000",
            f"remark-{CODE}": "",
            f"version-{CODE}": str(loaded.version),
            "action": "save",
        },
    ).content.decode()

    assert "当前值为 131000" in page
    assert _figure().value == 131000 and _figure().version == 2


def test_a_clerks_stale_api_patch_is_a_conflict(admin_client, client):
    loaded = _figure()
    _correct(admin_client, loaded, value="131000")
    admin_client.logout()

    _login(client, "clerk_sfj")
    response = client.patch(
        f"/api/v1/figures/{loaded.pk}/",
        json.dumps({"value": "132000", "version": loaded.version}),
        content_type="application/json",
    )

    assert response.status_code == 409, response.content
    assert _figure().value == 131000 and _figure().version == 2


def test_a_figure_of_a_locked_period_is_not_corrected(admin_client):
    figure = Figure.objects.filter(period__code="2025").first()
    before = (figure.value, figure.version)

    response = _correct(admin_client, figure, value="1")

    assert response.status_code == 200
    assert "已锁定，不能再修改数据" in _errors(response)
    figure.refresh_from_db()
    assert (figure.value, figure.version) == before


def test_a_bad_value_is_a_chinese_error_on_the_field(admin_client):
    response = _correct(admin_client, _figure(), value="12x")

    html = _errors(response)
    assert response.status_code == 200
    assert 'id="id_value_error"><li>“12x”不是数字。</li>' in html  # on the field
    assert _figure().version == 1 and _figure().value == 131200


def test_the_reason_is_required(admin_client):
    response = _correct(admin_client, _figure(), value="131000", reason=" ")

    assert response.status_code == 200
    assert "请填写更正原因" in _errors(response)
    assert _figure().version == 1


def test_a_stale_admin_form_is_a_conflict_and_can_then_be_saved_deliberately(admin_client):
    loaded = _figure()
    clerk = User.objects.get(username="clerk_sfj")
    services.save_figure(
        indicator=loaded.indicator, period=loaded.period, value="131500", user=clerk
    )

    response = _correct(admin_client, loaded, value="131000")

    html = _errors(response)
    assert response.status_code == 200
    assert "当前值为 131500" in html
    assert 'name="loaded_version" value="2"' in html  # saving again is an overwrite by choice
    assert _figure().value == 131500

    assert _correct(admin_client, loaded, value="131000", version=2).status_code == 302
    assert _figure().value == 131000 and _figure().version == 3


def test_figures_are_neither_added_nor_deleted_in_the_admin(admin_client):
    figure = _figure()
    assert admin_client.get(reverse("admin:metrics_figure_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:metrics_figure_delete", args=[figure.pk])).status_code
        == 403
    )
    html = admin_client.get(reverse("admin:metrics_figure_change", args=[figure.pk])).content
    html = html.decode()
    for field in ("status", "version", "updated_by"):
        assert f'name="{field}"' not in html  # read-only
    assert 'name="reason"' in html and 'type="hidden" name="loaded_version" value="1"' in html


def test_figures_are_not_reverted_from_their_history(admin_client):
    figure = _figure()
    record = figure.history.last()
    url = reverse("admin:metrics_figure_simple_history", args=[figure.pk, record.history_id])
    assert admin_client.post(url, {"value": "1", "reason": "x"}).status_code == 403


def test_only_reviewers_and_superusers_correct(demo_data):
    def correct(username, value):
        figure = _figure()
        return services.correct_figure(
            figure=figure,
            user=User.objects.get(username=username),
            value=value,
            remark="",
            reason="核对",
            expected_version=figure.version,
        )

    with pytest.raises(PermissionDenied):
        correct("clerk_sfj", "1")
    correct("reviewer", "131000")
    assert _figure().updated_by.username == "reviewer"


# Periods


def _action(client, action, periods, **extra):
    return client.post(
        reverse("admin:metrics_reportingperiod_changelist"),
        {"action": action, "_selected_action": [p.pk for p in periods], **extra},
    )


def test_lock_action_locks_through_the_service(admin_client):
    period = ReportingPeriod.objects.get(code="2026")

    response = _action(admin_client, "lock_selected", [period], index="0")

    assert response.status_code == 302
    period.refresh_from_db()
    assert period.state == PeriodState.LOCKED
    assert period.history.first().history_user.username == "admin"
    messages = _errors(admin_client.get(response.url))
    assert "已锁定：2026年度" in messages

    again = _action(admin_client, "lock_selected", [period], index="0")
    assert "已处于锁定状态" in _errors(admin_client.get(again.url))


def test_reopen_action_asks_for_the_reason(admin_client):
    period = ReportingPeriod.objects.get(code="2025")
    assert period.state == PeriodState.LOCKED

    page = _action(admin_client, "reopen_selected", [period], index="0")
    assert page.status_code == 200 and 'name="reason"' in _errors(page)
    period.refresh_from_db()
    assert period.state == PeriodState.LOCKED  # nothing happens before the confirmation

    empty = _action(admin_client, "reopen_selected", [period], post="yes", reason="  ")
    assert empty.status_code == 200 and "请填写重新开放报告期的原因" in _errors(empty)
    period.refresh_from_db()
    assert period.state == PeriodState.LOCKED

    done = _action(admin_client, "reopen_selected", [period], post="yes", reason="补报公安数据")
    assert done.status_code == 302
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
    assert period.history.first().history_change_reason == "重新开放：补报公安数据"


def test_periods_are_opened_and_dated_on_their_page_not_in_the_admin(admin_client):
    """open_period and change_deadline (报告期管理) check the code and the deadline and ask for
    a reason; the admin lists the periods and locks or reopens them through the actions."""
    period = ReportingPeriod.objects.get(code="2025")
    url = reverse("admin:metrics_reportingperiod_change", args=[period.pk])
    html = _errors(admin_client.get(url))
    assert 'name="state"' not in html and 'name="_save"' not in html

    response = admin_client.post(
        url,
        {"code": "2025", "start": "2025-01-01", "end": "2025-12-31", "deadline": "2026-01-31"},
    )
    assert response.status_code == 403
    period.refresh_from_db()
    assert period.deadline != datetime.date(2026, 1, 31)

    created = admin_client.post(
        reverse("admin:metrics_reportingperiod_add"),
        {"code": "2027", "start": "2027-01-01", "end": "2027-12-31", "deadline": "2027-12-15"},
    )
    assert created.status_code == 403
    assert not ReportingPeriod.objects.filter(code="2027").exists()


def test_staff_with_figure_permissions_but_not_a_superuser_is_refused_the_admin(client, demo_data):
    from django.contrib.auth.models import Permission

    staff = User.objects.create_user("auditor", password=DEMO_PASSWORD, is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_figure", "change_figure"])
    )
    _login(client, "auditor")
    figure = _figure()

    assert client.get(reverse("admin:metrics_figure_change", args=[figure.pk])).status_code == 403
    assert _correct(client, figure, value="1").status_code == 403
    assert _figure().version == 1
