"""修改历史 as one trail: a figure edit, an indicator change, a period change, an account's
password reset and a document import and report build on one page; each filter; the query
count whatever the number of rows; a clerk reads their own department only; records kept
beyond 180 days and never editable."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from accounts import people
from accounts.models import AccountEvent
from metrics import history, services
from metrics.models import (
    Department,
    Figure,
    FigureComment,
    FigureStatus,
    Indicator,
    ReportingPeriod,
    User,
)
from reports import services as report_services
from reports.models import DocumentImport, ReportEvent
from tests import factories


def _open_figure(department_code: str) -> Figure:
    """A figure of the open period the department's clerk may still change."""
    return (
        Figure.objects.filter(
            period__code="2026",
            indicator__department__code=department_code,
            status__in=[FigureStatus.DRAFT, FigureStatus.RETURNED],
            indicator__formula="",
        )
        .select_related("indicator__department", "period")
        .order_by("indicator__code")
        .first()
    )


@pytest.fixture
def trail(demo_data):
    """One of each kind of change, by the office and by a clerk."""
    reviewer = User.objects.get(username="reviewer")
    clerk = User.objects.get(username="clerk_sfj")
    figure = _open_figure("sfj")
    services.save_figure(
        indicator=figure.indicator,
        period=figure.period,
        value="7",
        user=clerk,
        reason="更正笔误",
    )
    FigureComment.objects.create(figure=figure, author=reviewer, text="请补充说明来源")
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    services.update_indicator(
        indicator=indicator, user=reviewer, unit="名", upper_bound=Decimal(50), reason="统一单位"
    )
    period = ReportingPeriod.objects.get(code="2026")
    services.change_deadline(
        period=period, deadline=datetime.date(2027, 1, 20), user=reviewer, reason="统一安排"
    )
    target = factories.UserFactory(
        role="clerk", department=figure.indicator.department, username="zhao"
    )
    people.reset_password(user=reviewer, target=target, reason="忘记密码")
    DocumentImport.objects.create(
        source_name="法治简报示例.docx",
        paragraphs=[],
        period=ReportingPeriod.objects.get(code="2025"),
        name="法治简报",
        created_by=reviewer,
    )
    report_services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"), kind="draft", user=reviewer
    )
    return {"reviewer": reviewer, "clerk": clerk, "target": target, "figure": figure}


def _page(client, user, query=""):
    client.force_login(user)
    response = client.get(f"/history/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_one_page_shows_every_kind_of_change_together(client, trail):
    page = _page(client, trail["reviewer"])
    figure = trail["figure"]
    # The figure edit: whose, which figure, old → new, the reason.
    assert f"填报数据：{figure.indicator.name}" in page and "更正笔误" in page
    assert "→ 7" in page and trail["clerk"].display_name in page
    assert "数据意见" in page and "请补充说明来源" in page
    assert "单位：人 → 名" in page and "统一单位" in page
    assert "报告期：2026年度" in page and "统一安排" in page and "2027-01-20" in page
    assert "重置密码" in page and "忘记密码" in page
    assert "文档导入：法治简报示例.docx" in page
    assert "生成草稿" in page


def test_the_old_address_shows_the_same_page(client, trail):
    client.force_login(trail["reviewer"])
    old = client.get("/catalogue/changes/?kind=account").content.decode()
    new = client.get("/history/?kind=account").content.decode()
    assert "重置密码" in old and "统一单位" not in old
    assert old[old.index("<table") :] == new[new.index("<table") :]


def test_filter_by_kind(client, trail):
    page = _page(client, trail["reviewer"], "?kind=figure")
    assert "更正笔误" in page and "统一单位" not in page and "重置密码" not in page
    page = _page(client, trail["reviewer"], "?kind=account")
    assert "重置密码" in page and "更正笔误" not in page
    page = _page(client, trail["reviewer"], "?kind=import")
    assert "法治简报示例.docx" in page and "重置密码" not in page


def test_filter_by_person(client, trail):
    page = _page(client, trail["reviewer"], f"?user={trail['clerk'].pk}")
    assert "更正笔误" in page
    assert "统一单位" not in page and "忘记密码" not in page and "请补充说明来源" not in page
    page = _page(client, trail["reviewer"], f"?user={trail['reviewer'].pk}")
    assert "统一单位" in page and "忘记密码" in page and "更正笔误" not in page


def test_filter_by_object_text(client, trail):
    page = _page(client, trail["reviewer"], "?q=inhouse")
    assert "统一单位" in page and "更正笔误" not in page and "忘记密码" not in page
    page = _page(client, trail["reviewer"], f"?q={trail['figure'].indicator.code}")
    assert "更正笔误" in page and "请补充说明来源" in page and "统一单位" not in page


def test_filter_by_dates(client, trail):
    long_ago = timezone.now() - datetime.timedelta(days=40)
    AccountEvent.objects.create(
        at=long_ago, event="password_reset", actor="reviewer", target="clerk_sfj", detail="旧记录"
    )
    day = timezone.localdate(long_ago)
    page = _page(client, trail["reviewer"], f"?since={day}&until={day}")
    assert "旧记录" in page and "忘记密码" not in page
    assert "统一单位" not in page and "更正笔误" not in page
    page = _page(client, trail["reviewer"], f"?since={day + datetime.timedelta(days=1)}")
    assert "旧记录" not in page and "统一单位" in page
    page = _page(client, trail["reviewer"], "?since=2026-02-30")  # impossible: ignored
    assert "统一单位" in page


def test_query_count_does_not_grow_with_the_rows(client, trail, django_assert_max_num_queries):
    reviewer = trail["reviewer"]
    client.force_login(reviewer)
    client.get("/history/")
    with django_assert_max_num_queries(40) as before:
        client.get("/history/")
    allowed = len(before.captured_queries)  # read now: a later request clears the log
    for n in range(15):
        services.update_department(
            department=Department.objects.get(code="gaj"), user=reviewer, order=n + 1, reason="调"
        )
        people.reset_password(user=reviewer, target=trail["target"], reason=f"第{n}次")
        FigureComment.objects.create(figure=trail["figure"], author=reviewer, text=f"意见{n}")
    with django_assert_max_num_queries(allowed):
        assert client.get("/history/").status_code == 200


def test_a_clerk_reads_only_their_own_departments_figures(client, trail):
    page = _page(client, trail["clerk"])
    assert "更正笔误" in page and "请补充说明来源" in page
    assert "统一单位" not in page and "忘记密码" not in page and "法治简报示例" not in page
    assert "/catalogue/sections/" not in page  # no 指标管理 tabs for a clerk
    gaj_clerk = User.objects.get(username="clerk_gaj")
    services.save_figure(
        indicator=factories.IndicatorFactory(department=gaj_clerk.department, name="公安指标"),
        period=trail["figure"].period,
        value="3",
        user=gaj_clerk,
        reason="公安更正",
    )
    assert "公安更正" not in _page(client, trail["clerk"])
    assert "公安更正" not in _page(client, trail["clerk"], "?kind=account")
    assert "公安更正" in _page(client, gaj_clerk) and "更正笔误" not in _page(client, gaj_clerk)
    assert "公安更正" in _page(client, trail["reviewer"])


def test_the_leader_reads_the_figures_but_not_the_accounts(client, trail):
    page = _page(client, User.objects.get(username="leader"))
    assert "更正笔误" in page and "统一单位" in page and "忘记密码" not in page


def test_without_a_role_there_is_no_history(client, db):
    nobody = User.objects.create_user(username="nobody", password="x")
    client.force_login(nobody)
    assert client.get("/history/").status_code == 403


def test_a_record_older_than_180_days_still_shows(client, trail):
    AccountEvent.objects.create(
        at=timezone.now() - datetime.timedelta(days=181),
        event="password_reset",
        actor="reviewer",
        target="clerk_sfj",
        detail="半年前的重置",
    )
    old = Figure.history.filter(history_change_reason="更正笔误").get()
    Figure.history.filter(pk=old.pk).update(
        history_date=timezone.now() - datetime.timedelta(days=181)
    )
    page = _page(client, trail["reviewer"], "?kind=account&q=半年前")
    assert "半年前的重置" in page
    page = _page(client, trail["reviewer"], "?kind=figure&q=" + trail["figure"].indicator.code)
    assert "更正笔误" in page


def test_the_trail_cannot_be_edited_from_the_admin(demo_data):
    """Nobody, not even a superuser, adds, changes or deletes an audit record in the admin;
    historical records have no admin of their own."""
    superuser = User.objects.get(username="admin")
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model in (AccountEvent, ReportEvent):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    for source in history.all_sources().values():
        if source.id_field == "history_id":
            historical = source.keys(history.Filters()).model
            assert historical not in admin.site._registry


def test_a_township_clerk_reads_the_history_of_what_their_unit_reported(client, tree):
    """The history goes with the unit that reported a figure: two townships report the same
    indicator (owned by neither), each clerk reads their own edits, not the neighbour's, and
    the line names the township."""
    from tests.metrics.unit_city import clerk_of, town

    one, two = town(tree, 1, 1), town(tree, 1, 2)
    for unit, reason in ((one, "一镇填报"), (two, "二镇填报")):
        services.save_figure(
            indicator=tree["cases"],
            period=tree["period"],
            value="12",
            user=clerk_of(tree, unit),
            reason=reason,
        )
    page = _page(client, clerk_of(tree, one))
    assert "一镇填报" in page and "二镇填报" not in page
    assert one.name in page
    assert "二镇填报" in _page(client, clerk_of(tree, two))
