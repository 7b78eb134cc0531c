"""The leader's dashboard as its users meet it: permissions per role, the JSON endpoint, the
drill-downs, the Excel export, the reminder button and the query bound whatever the number of
departments."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts import demo
from metrics.models import (
    Department,
    FigureStatus,
    Indicator,
    ReportingPeriod,
)
from reports.models import JobStatus, ReportJob, ReportKind, ReportTemplate, TemplateVersion
from tests import factories

A, S, D, R = (
    FigureStatus.APPROVED,
    FigureStatus.SUBMITTED,
    FigureStatus.DRAFT,
    FigureStatus.RETURNED,
)
DEADLINE = datetime.date(2026, 3, 15)

# --- views and permissions -----------------------------------------------------------------


@pytest.fixture
def overdue_demo(db):
    """The demo plus an overdue period 2024 where only 区委宣传部 has sent its figure."""
    demo.seed_demo()
    period = demo.ensure_period("2024", deadline=datetime.date(2025, 1, 15))
    people = Indicator.objects.get(code="edu_people_educated")
    factories.FigureFactory(indicator=people, period=period, value=Decimal(80000), status=S)
    return period


def _login(client, username):
    from metrics.models import User

    client.force_login(User.objects.get(username=username))
    return client


def test_anonymous_is_sent_to_login(client, db):
    for name in ("index", "data", "export"):
        response = client.get(reverse(f"dashboard:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_user_without_role_is_refused(client, db):
    demo.seed_demo()
    client.force_login(factories.UserFactory(role="clerk"))  # a clerk of no department
    assert client.get(reverse("dashboard:index") + "?period=2026").status_code == 403
    assert client.get(reverse("dashboard:data") + "?period=2026").status_code == 403


@pytest.mark.parametrize("username", ["leader", "reviewer"])
def test_leader_and_reviewer_see_every_department(client, overdue_demo, username):
    _login(client, username)
    response = client.get(reverse("dashboard:index") + "?period=2026")
    assert response.status_code == 200
    board = response.context["board"]
    assert len(board.rows) == Department.objects.count() == 7
    gaj = next(r for r in board.rows if r.code == "gaj")
    assert (gaj.expected, gaj.filled, gaj.empty) == (2, 0, 2)  # 公安分局 has filled nothing
    sfj = next(r for r in board.rows if r.code == "sfj")
    assert (sfj.expected, sfj.filled, sfj.submitted, sfj.approved, sfj.empty) == (
        15,
        13,
        5,
        5,
        2,
    )
    assert board.readiness.approved == 11 and board.readiness.total == 32
    assert board.readiness.percent == Decimal("34.4")
    content = response.content.decode()
    assert "公安分局" in content and "34.4" in content
    assert "/reports/?period=2026" in content
    # 区委政法委 has sent everything and waits for review: listed, but not reminded.
    assert response.context["remind_targets"] == len(board.readiness.blockers) - 1
    assert "只有数据未报齐（未填、草稿或被退回）的部门会被催报" in content
    # The overdue period: everyone but 区委宣传部 is late by the days since 2025-01-15.
    old = client.get(reverse("dashboard:index") + "?period=2024").context["board"]
    late = {r.code: r.days_overdue for r in old.rows}
    assert late["xcb"] == 0
    assert late["sfj"] == (old.today - datetime.date(2025, 1, 15)).days > 0
    assert old.totals.overdue == 6


def test_clerk_sees_only_their_own_department(client, overdue_demo):
    _login(client, "clerk_sfj")
    response = client.get(reverse("dashboard:index") + "?period=2026")
    assert response.status_code == 200
    board = response.context["board"]
    assert [r.code for r in board.rows] == ["sfj"]
    assert {h.code for h in board.headlines} <= {
        i.code for i in Indicator.objects.filter(department__code="sfj")
    }
    assert "区委政法委" not in response.content.decode()
    assert not response.context["show_reports"]
    data = client.get(reverse("dashboard:data") + "?period=2026").json()
    assert [d["code"] for d in data["departments"]] == ["sfj"]
    own = reverse("dashboard:department", args=["sfj"]) + "?period=2026"
    other = reverse("dashboard:department", args=["zfw"]) + "?period=2026"
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404
    other_indicator = reverse("dashboard:indicator", args=["grass_grid_workers"])
    assert client.get(other_indicator).status_code == 404
    assert (
        client.get(reverse("dashboard:data") + "?indicator=grass_grid_workers").status_code == 404
    )


def test_unknown_period_is_404(client, overdue_demo):
    _login(client, "leader")
    assert client.get(reverse("dashboard:index") + "?period=2031").status_code == 404
    assert client.get(reverse("dashboard:index") + "?period=bogus").status_code == 404


def test_default_period_is_the_current_one(client, overdue_demo):
    _login(client, "leader")
    response = client.get(reverse("dashboard:index"))
    assert response.context["period"].code == "2026"


def test_json_endpoint(client, overdue_demo):
    _login(client, "leader")
    url = reverse("dashboard:data") + "?period=2026&indicator=grass_grid_workers"
    data = client.get(url).json()
    assert data["period"]["code"] == "2026"
    assert data["readiness"] == {"percent": "34.4", "approved": 11, "total": 32}
    sfj = next(d for d in data["departments"] if d["code"] == "sfj")
    assert (sfj["approved"], sfj["submitted"], sfj["in_progress"], sfj["empty"]) == (5, 5, 3, 2)
    assert data["trend"]["code"] == "grass_grid_workers"
    # Only yearly periods in a yearly trend (2024 has no figure for this indicator).
    assert data["trend"]["points"] == [
        {"period": "2025", "value": "1860", "status": A},
        {"period": "2026", "value": "1925", "status": S},
    ]
    default = client.get(reverse("dashboard:data") + "?period=2026").json()
    assert default["trend"]["code"] == "biz_review_cases_received"
    missing = reverse("dashboard:data") + "?period=2026&indicator=nope"
    assert client.get(missing).status_code == 404


def test_drilldowns(client, overdue_demo):
    _login(client, "leader")
    response = client.get(reverse("dashboard:department", args=["sfj"]) + "?period=2026")
    assert response.status_code == 200
    rows = response.context["rows"]
    # The 15 figures sfj enters, then its 2 computed indicators, marked 计算.
    assert len([r for r in rows if not r.get("computed")]) == 15
    assert [r["status_label"] for r in rows if r.get("computed")] == ["计算", "计算"]
    assert "受理行政复议案件" in response.content.decode()
    response = client.get(reverse("dashboard:indicator", args=["biz_review_cases_received"]))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert [f.period.code for f in figures] == ["2026", "2025"]
    assert figures[0].change_text == "同比增长10.3%"
    assert len(response.context["history"]) == 2
    assert response.context["history"][0].changes == "新建"


def test_drilldowns_reach_the_evidence_files(client, overdue_demo, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from metrics import services
    from metrics.models import User

    materials = Indicator.objects.get(code="edu_materials_distributed")
    period = ReportingPeriod.objects.get(code="2026")
    services.add_evidence(
        indicator=materials,
        period=period,
        user=User.objects.get(username="clerk_sfj"),
        upload=SimpleUploadedFile("宣传资料发放台账.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    _login(client, "leader")
    figure_url = "/figures/2026/edu_materials_distributed/"
    for page in (
        reverse("dashboard:department", args=["sfj"]) + "?period=2026",
        reverse("dashboard:indicator", args=["edu_materials_distributed"]),
    ):
        assert f'href="{figure_url}#evidence"' in client.get(page).content.decode()
    figure_page = client.get(figure_url).content.decode()
    assert "宣传资料发放台账.pdf" in figure_page and "修改历史" in figure_page


def test_export_xlsx(client, overdue_demo):
    _login(client, "leader")
    response = client.get(reverse("dashboard:export") + "?period=2026")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "部门填报进度",
        "讲话稿就绪度",
        "核心数据同比",
        "异常提示",
        "阻碍正式稿",
    ]
    progress = [row for row in book["部门填报进度"].iter_rows(values_only=True)]
    assert progress[0][:7] == ("部门", "应填", "已填", "已报送", "已审核", "已退回", "未填")
    assert ("区司法局", 15, 13, 5, 5, 0, 2) in [row[:7] for row in progress]
    readiness = list(book["讲话稿就绪度"].iter_rows(values_only=True))
    assert readiness[-1][:3] == ("合计", 11, 32)
    headlines = list(book["核心数据同比"].iter_rows(values_only=True))
    assert headlines[1][0] == "受理行政复议案件" and headlines[1][-1] == "同比增长10.3%"


def test_report_panel_lists_the_period_jobs(client, overdue_demo):
    template = ReportTemplate.objects.create(name="测试模板")
    version = TemplateVersion.objects.create(template=template, number=1, text="…")
    done = ReportJob.objects.create(
        period=ReportingPeriod.objects.get(code="2026"),
        kind=ReportKind.FINAL,
        template_version=version,
        status=JobStatus.SUCCEEDED,
        snapshot={},
        pdf="reports/2026/a.pdf",
        docx="reports/2026/a.docx",
    )
    queued = ReportJob.objects.create(
        period=done.period, kind=ReportKind.DRAFT, template_version=version, snapshot={}
    )
    _login(client, "leader")
    content = client.get(reverse("dashboard:index") + "?period=2026").content.decode()
    assert f"/reports/jobs/{done.pk}/download/pdf/" in content
    assert f"/reports/jobs/{queued.pk}/" in content
    assert f"/reports/jobs/{queued.pk}/download/pdf/" not in content
    assert "排队中" in content and "正式稿" in content


def test_remind_button(client, overdue_demo):
    from metrics.models import Reminder

    _login(client, "clerk_sfj")
    assert client.post(reverse("dashboard:remind") + "?period=2026").status_code == 403
    assert not Reminder.objects.exists()
    # The deputy district head reminds the departments that hold up the final report.
    _login(client, "leader")
    page = client.get(reverse("dashboard:index") + "?period=2026").content.decode()
    assert "催报未报齐部门" in page and 'disabled title="催报' not in page
    response = client.post(reverse("dashboard:remind") + "?period=2026", follow=True)
    assert "已向3个部门发送催报提醒" in response.content.decode()
    # Not complete in the demo: 区司法局 (drafts, gaps), 区委组织部 (drafts), 公安分局 (nothing).
    reminded = set(Reminder.objects.values_list("department__code", flat=True))
    assert reminded == {"sfj", "zzb", "gaj"}
    assert set(Reminder.objects.values_list("sent_by__username", flat=True)) == {"leader"}
    # The reviewer, the same day: once a day per department, said so rather than sent again.
    _login(client, "reviewer")
    response = client.post(reverse("dashboard:remind") + "?period=2026", follow=True)
    assert "今天已向" in response.content.decode()
    assert Reminder.objects.count() == 3


# --- the query bound -----------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


# A fixed number, whatever the number of departments: the computed indicators and the
# documents' deadlines (文稿时间节点) each add their own, once; so do the earlier periods whose
# document deadlines are still ahead and 系统设置's district name; the departments'
# extensions (延期) are read for the table and again for the speech's readiness, which counts
# its own figures (its placeholders, then its departments' progress over them); a
# department's sheet asks once whether the office above approved its area as a whole.
MAX_QUERIES = 28


def test_query_count_does_not_grow_with_departments(client, db, django_assert_max_num_queries):
    demo.seed_demo()
    client.force_login(factories.UserFactory(role="leader"))
    urls = [
        reverse("dashboard:index") + "?period=2026",
        reverse("dashboard:data") + "?period=2026",
        reverse("dashboard:data") + "?period=2026&indicator=syn001_i05",
        reverse("dashboard:department", args=["syn001"]) + "?period=2026",
        reverse("dashboard:indicator", args=["syn001_i05"]) + "?period=2026",
        reverse("dashboard:export") + "?period=2026",
    ]
    demo.seed_synthetic(departments=2, periods=3)
    small = [_queries(client, url) for url in urls]
    demo.seed_synthetic(departments=20, periods=3)
    assert Department.objects.filter(code__startswith="syn").count() == 20
    for url in urls:
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(url)
    large = [_queries(client, url) for url in urls]
    assert small == large


def test_group_permissions_decide_access(client, db):
    """A user given the leader's group later sees everything: the check is the permission."""
    demo.seed_demo()
    user = factories.UserFactory(role="clerk")
    user.groups.add(Group.objects.get(name="区领导"))
    client.force_login(user)
    board = client.get(reverse("dashboard:index") + "?period=2026").context["board"]
    assert len(board.rows) == 7 and board.all_departments
