"""报告期管理 and 系统设置 through the pages and the API, with the permission matrix."""

import datetime

import pytest
from rest_framework.test import APIClient

from metrics.models import DeadlineExtension, OfficeSettings, ReportingPeriod
from tests import factories

PAGES = ["/periods/", "/periods/2026/", "/settings/"]


@pytest.mark.parametrize("role", ["clerk", "leader"])
def test_only_the_office_reaches_the_calendar_pages(demo_data, client, role, sfj):
    user = factories.UserFactory(role=role, department=sfj if role == "clerk" else None)
    client.force_login(user)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.post("/periods/", {"code": "2027", "deadline": "2028-01-15"}).status_code == 403
    assert not ReportingPeriod.objects.filter(code="2027").exists()


def test_the_reviewer_runs_the_cycle_on_the_pages(demo_data, client, reviewer):
    client.force_login(reviewer)
    page = client.get("/periods/").content.decode()
    assert "报告期管理" in page and "2026年度" in page
    done = client.post("/periods/", {"code": "2027", "deadline": "2028-01-15"}, follow=True)
    assert "已开设2027年度（尚未开放填报）" in done.content.decode()
    refused = client.post("/periods/", {"code": "2027", "deadline": "2028-01-15", "reason": "再开"})
    assert refused.status_code == 400 and "2027年度已经开设" in refused.content.decode()
    assert 'value="再开"' in refused.content.decode()  # what was typed is kept
    moved = client.post(
        "/periods/2026/extend/",
        {
            "extension-department": reviewer_department_pk(),
            "extension-deadline": "2026-12-22",
            "extension-reason": "统计口径确认",
        },
        follow=True,
    )
    assert "截止日期已延长至2026年12月22日" in moved.content.decode()
    bad = client.post("/periods/2026/deadline/", {"deadline": "2027-01-31", "reason": ""})
    assert bad.status_code == 400
    assert ReportingPeriod.objects.get(code="2026").deadline == datetime.date(2026, 12, 15)
    client.post("/periods/2027/open-entry/", {})
    assert ReportingPeriod.objects.get(code="2027").is_open_for_entry
    history = client.get("/catalogue/changes/?kind=period").content.decode()
    assert "2027年度" in history and "开放填报" in history
    history = client.get("/catalogue/changes/?kind=extension").content.decode()
    assert "区司法局 · 2026年度" in history and "统计口径确认" in history


def reviewer_department_pk():
    from metrics.models import Department

    return Department.objects.get(code="sfj").pk


def test_the_settings_page_saves_and_refuses_a_stale_save_keeping_what_was_typed(
    demo_data, client, reviewer
):
    client.force_login(reviewer)
    form = {
        "district_name": "东湖",
        "reminder_days_before": "5",
        "auto_lock_grace_days": "2",
        "reason": "区划调整",
        "version": "0",
    }
    assert client.post("/settings/", form).status_code == 302
    stored = OfficeSettings.objects.get()
    assert (stored.district_name, stored.reminder_days_before, stored.auto_lock) == (
        "东湖",
        5,
        False,
    )
    assert "东湖区法治政府建设" in client.get("/").content.decode()
    stale = client.post("/settings/", {**form, "district_name": "西湖"})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    assert 'value="西湖"' in stale.content.decode()
    assert OfficeSettings.objects.get().district_name == "东湖"


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")
    return client


def test_the_calendar_through_the_api(demo_data, reviewer):
    api = _api(reviewer)
    made = api.post("/api/v1/periods/", {"code": "2027", "deadline": "2028-01-15"}, format="json")
    assert made.status_code == 201 and made.json()["state"] == "planned"
    again = api.post("/api/v1/periods/", {"code": "2027", "deadline": "2028-01-15"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "period_exists"
    early = api.post("/api/v1/periods/", {"code": "2028", "deadline": "2027-01-01"}, format="json")
    assert early.status_code == 400 and early.json()["code"] == "deadline_invalid"
    moved = api.patch(
        "/api/v1/periods/2027/", {"deadline": "2028-01-31", "reason": "顺延"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["deadline"] == "2028-01-31"
    opened = api.post("/api/v1/periods/2027/open-entry/", {}, format="json")
    assert opened.json()["state"] == "open"
    extended = api.post(
        "/api/v1/periods/2026/extensions/",
        {"department": "sfj", "deadline": "2026-12-22", "reason": "延期"},
        format="json",
    )
    assert extended.status_code == 200
    assert extended.json()["extensions"] == [
        {
            "department": "sfj",
            "department_name": "区司法局",
            "deadline": "2026-12-22",
            "reason": "延期",
        }
    ]
    withdrawn = api.post(
        "/api/v1/periods/2026/extensions/sfj/withdraw/", {"reason": "已按时报送"}, format="json"
    )
    assert withdrawn.json()["extensions"] == [] and not DeadlineExtension.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "leader"])
def test_the_api_refuses_the_calendar_to_others_and_writes_nothing(demo_data, role, sfj):
    user = factories.UserFactory(role=role, department=sfj if role == "clerk" else None)
    api = _api(user)
    for method, url, body in [
        ("post", "/api/v1/periods/", {"code": "2027", "deadline": "2028-01-15"}),
        ("patch", "/api/v1/periods/2026/", {"deadline": "2027-01-31", "reason": "x"}),
        (
            "post",
            "/api/v1/periods/2026/extensions/",
            {"department": "sfj", "deadline": "2026-12-22", "reason": "x"},
        ),
    ]:
        answer = getattr(api, method)(url, body, format="json")
        assert answer.status_code == 403 and answer.json()["code"] == "forbidden", url
    period = ReportingPeriod.objects.get(code="2026")
    assert period.deadline == datetime.date(2026, 12, 15) and not DeadlineExtension.objects.exists()
    assert not ReportingPeriod.objects.filter(code="2027").exists()


def test_the_calendar_is_in_the_openapi_schema(demo_data, client):
    schema = client.get("/api/schema/").content.decode()
    assert "开设报告期" in schema and "为一个部门延长截止日期" in schema


def test_a_documents_deadlines_are_edited_on_the_report_page_and_kept_in_the_history(
    demo_data, client, reviewer
):
    from reports.models import ReportTemplate

    client.force_login(reviewer)
    page = client.get("/reports/?document=annual-report&period=2026").content.decode()
    assert "报送 3月1日" in page and "修改时间节点" in page
    answer = client.post(
        "/reports/deadlines/",
        {
            "document": "annual-report",
            "period": "2026",
            "deadlines": "报送 2月28日\n公开 4月1日",
            "reason": "市里提前收报",
        },
        follow=True,
    )
    assert "时间节点已保存" in answer.content.decode()
    assert ReportTemplate.objects.get(slug="annual-report").deadlines[0] == {
        "label": "报送",
        "month": 2,
        "day": 28,
    }
    history = client.get("/catalogue/changes/?kind=document").content.decode()
    assert "文稿：法治政府建设年度报告" in history
    assert "报送3月1日、公开4月1日 → 报送2月28日、公开4月1日：市里提前收报" in history
    refused = client.post(
        "/reports/deadlines/",
        {"document": "annual-report", "period": "2026", "deadlines": "报送 二月底"},
        follow=True,
    )
    assert "应写成“报送 3月1日”的形式" in refused.content.decode()


def test_a_clerk_cannot_edit_a_documents_deadlines(demo_data, client, sfj):
    from reports.models import ReportTemplate

    client.force_login(factories.UserFactory(role="clerk", department=sfj))
    before = ReportTemplate.objects.get(slug="annual-report").deadlines
    answer = client.post(
        "/reports/deadlines/", {"document": "annual-report", "deadlines": "报送 1月1日"}
    )
    assert answer.status_code == 403
    assert ReportTemplate.objects.get(slug="annual-report").deadlines == before


def test_the_review_queue_names_a_departments_extension(demo_data, client, reviewer):
    from metrics import services
    from metrics.models import Department

    period = ReportingPeriod.objects.get(code="2026")
    services.extend_deadline(
        period=period,
        department=Department.objects.get(code="sfj"),
        deadline=datetime.date(2026, 12, 22),
        user=reviewer,
        reason="延期",
    )
    client.force_login(reviewer)
    page = client.get("/review/2026/").content.decode()
    row = page[page.index("/review/2026/sfj/") :][:400]
    assert "延期至12月22日" in row
    assert page.count("延期至") == 1


def test_last_year_stays_reachable_when_next_years_entry_opens_early(
    demo_data, client, reviewer, sfj
):
    from metrics import services

    services.open_period(
        code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer, open_entry=True
    )
    client.force_login(factories.UserFactory(role="clerk", department=sfj))
    page = client.get("/").content.decode()
    assert "区司法局 · 2027年度" in page
    assert 'href="/entry/2026/"' in page and "2026年度（截止 2026年12月15日）" in page
    client.force_login(reviewer)
    assert 'href="/review/2026/"' in client.get("/").content.decode()


def test_the_history_reads_states_in_chinese_and_hides_the_version_counter(
    demo_data, client, reviewer
):
    from metrics import services

    period = services.open_period(code="2027", deadline=datetime.date(2028, 1, 15), user=reviewer)
    services.open_entry_for(period=period, user=reviewer)
    services.update_office_settings(user=reviewer, version=0, district_name="滨江")
    client.force_login(reviewer)
    page = client.get("/catalogue/changes/").content.decode()
    assert "状态：未开放填报 → 填报中" in page
    assert "planned" not in page and "版本：" not in page
    assert "区县名称：示范 → 滨江" in page
