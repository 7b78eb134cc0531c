"""The leader's dashboard: counts against hand-computed fixtures, permissions per role, the
query bound whatever the number of departments, the JSON endpoint and the Excel export."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from metrics import demo
from metrics.models import (
    Department,
    Figure,
    FigureStatus,
    Indicator,
    ReportingPeriod,
    Section,
)
from reports import dashboard
from reports.models import JobStatus, ReportJob, ReportKind, ReportTemplate, TemplateVersion
from tests import factories

A, S, D, R = (
    FigureStatus.APPROVED,
    FigureStatus.SUBMITTED,
    FigureStatus.DRAFT,
    FigureStatus.RETURNED,
)
DEADLINE = datetime.date(2026, 3, 15)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def cur(db):
    return demo.ensure_period("2026S1", deadline=DEADLINE)


@pytest.fixture
def prev(db):
    return demo.ensure_period("2025S1", deadline=datetime.date(2025, 7, 15), locked=True)


def _indicators(department, codes, section="biz"):
    section = Section.objects.get(code=section)
    return [
        factories.IndicatorFactory(code=code, department=department, section=section, order=n)
        for n, code in enumerate(codes)
    ]


def _figure(indicator, period, value, status):
    return factories.FigureFactory(
        indicator=indicator,
        period=period,
        value=None if value is None else Decimal(value),
        status=status,
    )


@pytest.fixture
def board_data(cur, prev):
    """Three departments whose counts are worked out by hand in the tests below.

    ta: a1 approved 10 (prev 5: +100%), a2 submitted 5 (prev 4: +25%),
        a3 returned 3 (prev 10: −70%), a4 never filled (prev 8, approved)
    tb: b1, b2 approved — everything done
    tc: c1 draft without a value, c2 draft 7, c3 never filled
    """
    ta = factories.DepartmentFactory(code="ta", name="甲局", short_name="甲", order=201)
    tb = factories.DepartmentFactory(code="tb", name="乙局", short_name="乙", order=202)
    tc = factories.DepartmentFactory(code="tc", name="丙局", short_name="丙", order=203)
    a1, a2, a3, a4 = _indicators(ta, ["ta_1", "ta_2", "ta_3", "ta_4"], section="biz")
    b1, b2 = _indicators(tb, ["tb_1", "tb_2"], section="grass")
    c1, c2, c3 = _indicators(tc, ["tc_1", "tc_2", "tc_3"], section="edu")
    _figure(a1, cur, 10, A)
    _figure(a2, cur, 5, S)
    _figure(a3, cur, 3, R)
    _figure(b1, cur, 1, A)
    _figure(b2, cur, 2, A)
    _figure(c1, cur, None, D)
    _figure(c2, cur, 7, D)
    for indicator, value in ((a1, 5), (a2, 4), (a3, 10), (a4, 8)):
        _figure(indicator, prev, value, A)
    return {
        "ta": ta,
        "tb": tb,
        "tc": tc,
        "departments": Department.objects.filter(code__in=["ta", "tb", "tc"]),
    }


def _rows(board_data, period, today):
    rows = dashboard.department_rows(
        period=period, departments=board_data["departments"], today=today
    )
    return {r.code: r for r in rows}


# --- pure helpers --------------------------------------------------------------------------


# --- counts against the hand-computed fixture ------------------------------------------------


def test_department_counts(board_data, cur):
    rows = _rows(board_data, cur, today=datetime.date(2026, 3, 10))
    assert list(rows) == ["ta", "tb", "tc"]
    ta, tb, tc = rows["ta"], rows["tb"], rows["tc"]
    assert (ta.expected, ta.filled, ta.submitted, ta.approved, ta.returned, ta.empty) == (
        4,
        3,
        1,
        1,
        1,
        1,
    )
    assert (ta.draft, ta.in_progress, ta.unapproved, ta.complete) == (0, 1, 3, False)
    assert (tb.expected, tb.filled, tb.approved, tb.empty, tb.complete) == (2, 2, 2, 0, True)
    # One state per indicator (metrics.progress): an empty draft is 未填, not 草稿.
    assert (tc.expected, tc.filled, tc.draft, tc.empty, tc.in_progress) == (3, 1, 1, 2, 1)
    # Last activity: the latest updated_at of the department's figures in this period.
    latest = Figure.objects.filter(period=cur, indicator__department=board_data["ta"])
    assert ta.last_activity == max(f.updated_at for f in latest)


def test_timeliness_before_and_after_the_deadline(board_data, cur):
    before = _rows(board_data, cur, today=datetime.date(2026, 3, 10))
    assert before["ta"].timeliness == "剩余5天" and before["ta"].days_overdue == 0
    assert before["tb"].timeliness == "已报齐"
    on_the_day = _rows(board_data, cur, today=DEADLINE)
    assert on_the_day["tc"].timeliness == "今日截止"
    after = _rows(board_data, cur, today=datetime.date(2026, 3, 20))
    assert after["ta"].days_overdue == 5 and after["ta"].timeliness == "逾期5天"
    assert after["tc"].days_overdue == 5
    assert after["tb"].days_overdue == 0 and after["tb"].timeliness == "已报齐"
    totals = dashboard.totals(list(after.values()))
    assert (totals.departments, totals.complete, totals.overdue) == (3, 1, 2)
    assert (totals.expected, totals.approved, totals.empty) == (9, 3, 3)


def test_sections_and_readiness(board_data, cur):
    sections = {
        s.code: s
        for s in dashboard.queries.section_rows(period=cur, departments=board_data["departments"])
    }
    assert (sections["biz"].ready, sections["biz"].total) == (1, 4)
    assert (sections["grass"].ready, sections["grass"].total) == (2, 2)
    assert (sections["edu"].ready, sections["edu"].total) == (0, 3)
    assert (sections["lead"].ready, sections["lead"].total) == (0, 0)
    assert sections["biz"].percent == Decimal("25.0")
    rows = list(_rows(board_data, cur, today=DEADLINE).values())
    ready = dashboard.readiness(sections=list(sections.values()), rows=rows)
    assert (ready.approved, ready.total, ready.percent) == (3, 9, Decimal("33.3"))
    assert [r.code for r in ready.blockers] == ["ta", "tc"]
    assert not ready.ready


def test_big_changes_against_the_previous_period(board_data, cur, prev):
    changes, total = dashboard.queries.big_changes(
        period=cur, previous=prev, departments=board_data["departments"]
    )
    assert total == 2
    assert [(c.code, c.change, c.change_text) for c in changes] == [
        ("ta_1", Decimal("100.0"), "同比增长100.0%"),
        ("ta_3", Decimal("-70.0"), "同比下降70.0%"),
    ]
    assert dashboard.queries.big_changes(
        period=cur, previous=None, departments=Department.objects.all()
    ) == ([], 0)


def test_figures_returned_more_than_once(board_data, cur):
    twice = Indicator.objects.get(code="ta_2")
    figure = Figure.objects.get(indicator=twice, period=cur)  # history: submitted
    for status, value in ((R, 5), (R, 6), (S, 6), (R, 6), (S, 7)):
        figure.status, figure.value = status, Decimal(value)
        figure.save()  # returned, edited while returned (not a new return), …, returned again
    once = Figure.objects.get(indicator__code="ta_3", period=cur)  # created returned
    once.value = Decimal(4)
    once.save()
    flagged = dashboard.queries.repeated_returns(period=cur, departments=board_data["departments"])
    assert [(r.code, r.times) for r in flagged] == [("ta_2", 2)]
    assert (
        dashboard.queries.repeated_returns(
            period=cur, departments=Department.objects.filter(code="tb")
        )
        == []
    )


def test_rule_failures_with_explanations(cur):
    catalogue = {i.code: i for i in Indicator.objects.all()}
    _figure(catalogue["biz_review_cases_received"], cur, 64, S)
    _figure(catalogue["biz_review_cases_closed"], cur, 70, S)
    district = _figure(catalogue["grass_district_centers"], cur, 3, S)
    district.explanation = "新建两个区级分中心"
    district.save()
    _figure(catalogue["grass_township_centers"], cur, 2, S)
    failures = dashboard.queries.rule_failures(period=cur, department_ids=None)
    assert [(f.severity, f.is_error) for f in failures] == [("error", True), ("warning", False)]
    assert "办结行政复议案件数不应超过受理数" in failures[0].message
    assert failures[1].explanation == "新建两个区级分中心"
    sfj = Department.objects.get(code="sfj")
    only_sfj = dashboard.queries.rule_failures(period=cur, department_ids={sfj.pk})
    assert [f.severity for f in only_sfj] == ["error"]


def test_headlines_with_previous_period(cur, prev):
    catalogue = {i.code: i for i in Indicator.objects.all()}
    for code, now, before in (
        ("biz_review_cases_received", 64, 58),
        ("grass_grid_workers", 1800, 1860),
        ("edu_people_educated", 86500, 86500),
    ):
        _figure(catalogue[code], cur, now, S)
        _figure(catalogue[code], prev, before, A)
    _figure(catalogue["grass_disputes_mediated"], cur, 10, D)
    lines = dashboard.queries.headlines(
        period=cur, previous=prev, departments=Department.objects.all()
    )
    # The catalogue's headline indicators, in their order (Indicator.headline_order).
    assert [h.code for h in lines] == [
        "biz_review_cases_received",
        "grass_grid_workers",
        "grass_mass_prevention_force",
        "grass_disputes_mediated",
        "edu_people_educated",
        "edu_materials_distributed",
    ]
    by_code = {h.code: h for h in lines}
    assert by_code["biz_review_cases_received"].change_text == "同比增长10.3%"
    assert by_code["biz_review_cases_received"].value_display == "64"
    assert by_code["grass_grid_workers"].change_text == "同比下降3.2%"
    assert by_code["edu_people_educated"].change_text == "与上年持平"
    assert by_code["grass_disputes_mediated"].change_text == "上年无可比数据"
    assert by_code["edu_materials_distributed"].change_text == "本期未填报"
    assert by_code["edu_materials_distributed"].status_label == "未填"


def test_department_drilldown_rows(board_data, cur):
    figure = Figure.objects.get(indicator__code="ta_1", period=cur)
    figure.value = Decimal("11.50")
    figure.save()
    rows = dashboard.department_figures(department=board_data["ta"], period=cur)
    assert [r["code"] for r in rows] == ["ta_1", "ta_2", "ta_3", "ta_4"]
    first, last = rows[0], rows[3]
    assert (first["value_display"], first["status"], first["history_count"]) == ("11.5", A, 2)
    assert (last["has_figure"], last["status_label"], last["history_count"]) == (
        False,
        "未填",
        0,
    )


# --- views and permissions -----------------------------------------------------------------


@pytest.fixture
def overdue_demo(db):
    """The demo plus an overdue period 2024 where only 区委宣传部 has sent its figure."""
    demo.seed_demo()
    period = demo.ensure_period("2024", deadline=datetime.date(2025, 1, 15))
    people = Indicator.objects.get(code="edu_people_educated")
    _figure(people, period, 80000, S)
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
    assert len(response.context["rows"]) == 15
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


MAX_QUERIES = 20


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
