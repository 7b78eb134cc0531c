"""Behaviour at the edges, each once a defect found by an adversarial review: a sent figure
cleared in the admin, tampered form numbers, every face's state label for a value-less draft,
a reviewer acting on a figure changed since the page loaded, the draft save's query count, a
reminder without its notice, bulk writes moving updated_at."""

import datetime
import re
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.demo import DEMO_PASSWORD
from metrics import services, sheets
from metrics.models import Figure, FigureStatus, Reminder, User
from tests import factories


def _login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _fig(code, period="2026"):
    return Figure.objects.get(indicator__code=code, period__code=period)


# --- admin correction that clears the value of a submitted/approved figure -> 500 --------


@pytest.mark.parametrize("code", ["biz_review_cases_received", "biz_inhouse_counsel"])  # S, A
def test_correcting_a_sent_figure_to_empty_is_refused_not_a_500(client, demo_data, code):
    client.raise_request_exception = False
    _login(client, "admin")
    figure = _fig(code)
    response = client.post(
        reverse("admin:metrics_figure_change", args=[figure.pk]),
        {"value": "", "remark": "", "reason": "台账无此数", "loaded_version": figure.version},
    )
    assert response.status_code == 200, response.status_code  # form shown again with an error
    assert _fig(code).value is not None


def test_correct_figure_service_raises_validation_error_for_empty_sent_value(demo_data):
    from django.core.exceptions import ValidationError

    admin = User.objects.get(username="admin")
    figure = _fig("biz_review_cases_received")
    with pytest.raises(ValidationError):
        services.correct_figure(
            figure=figure,
            user=admin,
            value="",
            remark="",
            reason="x",
            expected_version=figure.version,
        )


# --- str.isdigit() accepts '²' but int('²') raises: 500 on bad input -----------------------


def test_entry_form_with_superscript_version_is_not_a_500(client, demo_data):
    client.raise_request_exception = False
    _login(client, "clerk_sfj")
    code = "edu_materials_distributed"
    response = client.post(
        reverse("entry", args=["2026"]),
        {f"value-{code}": "5", f"version-{code}": "²", "action": "save"},
    )
    assert response.status_code < 500, response.status_code


def test_entry_row_with_superscript_version_is_not_a_500(client, demo_data):
    client.raise_request_exception = False
    _login(client, "clerk_sfj")
    code = "edu_materials_distributed"
    response = client.post(
        reverse("entry_row", args=["2026", code]),
        {f"value-{code}": "5", f"version-{code}": "¹"},
    )
    assert response.status_code < 500, response.status_code


def test_uploaded_sheet_with_superscript_version_is_not_a_500(client, demo_data, media):
    client.raise_request_exception = False
    _login(client, "clerk_sfj")
    data = client.get(reverse("entry_sheet", args=["2026"])).content
    workbook = load_workbook(BytesIO(data))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "edu_legal_consultations")
    row[header.index("本期数值")].value = 3600
    row[header.index("版本")].value = "²"
    out = BytesIO()
    workbook.save(out)
    out.name = "sfj.xlsx"
    out.seek(0)
    response = client.post(reverse("entry_upload", args=["2026"]), {"file": out})
    assert response.status_code < 500, response.status_code


# --- faces that still print the stored status instead of metrics.progress' state -----------


@pytest.fixture
def valueless_draft(demo_data):
    """A draft without a value (a remark typed, the value cleared): its state is 未填."""
    clerk = User.objects.get(username="clerk_sfj")
    figure = _fig("edu_bulletin_boards")
    services.save_figure(
        indicator=figure.indicator,
        period=figure.period,
        value="",
        remark="待统计",
        user=clerk,
        expected_version=figure.version,
    )
    figure = _fig("edu_bulletin_boards")
    assert figure.status == FigureStatus.DRAFT and figure.value is None
    sheet = sheets.department_sheet(department=figure.indicator.department, period=figure.period)
    assert sheet.row("edu_bulletin_boards").state_label == "未填"  # what the entry sheet says
    return figure


def test_figure_page_says_the_same_state_as_the_entry_sheet(client, valueless_draft):
    _login(client, "clerk_sfj")
    html = client.get(
        reverse("figure_detail", args=["2026", "edu_bulletin_boards"])
    ).content.decode()
    head = html.split('<dl class="facts">')[0]
    assert "未填" in head and "草稿" not in head


def test_dashboard_indicator_drilldown_says_the_same_state(client, valueless_draft):
    _login(client, "leader")
    response = client.get(reverse("dashboard:indicator", args=["edu_bulletin_boards"]))
    [row] = [f for f in response.context["figures"] if f.period.code == "2026"]
    html = response.content.decode()
    table = html.split("<tbody>")[1].split("</tbody>")[0]  # the figures-by-period table
    assert "草稿" not in table, table


def test_clerks_workbook_says_the_same_state(client, valueless_draft):
    _login(client, "clerk_sfj")
    data = client.get(reverse("entry_sheet", args=["2026"])).content
    sheet = load_workbook(BytesIO(data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(
        r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "edu_bulletin_boards"
    )
    assert row[header.index("当前状态")] == "未填"


# --- review action with a non-numeric figure id -> 500 -------------------------------------


def test_review_action_with_a_bad_figure_id_is_not_a_500(client, demo_data):
    client.raise_request_exception = False
    _login(client, "reviewer")
    response = client.post(
        reverse("review_action", args=["2026", "sfj"]), {"action": "approve", "figure": "abc"}
    )
    assert response.status_code in (302, 400, 404), response.status_code


# --- the draft save writes row by row: queries grow with the rows --------------------------


def _draft_queries(n):
    department = factories.DepartmentFactory()
    period = factories.period("2026")
    indicators = [factories.IndicatorFactory(department=department) for _ in range(n)]
    clerk = factories.UserFactory(role="clerk", department=department)
    entries = [
        services.Entry(code=i.code, value=str(10 + k), version=0) for k, i in enumerate(indicators)
    ]
    with CaptureQueriesContext(connection) as captured:
        services.save_draft(department=department, period=period, entries=entries, user=clerk)
    return len(captured)


def test_save_draft_queries_do_not_grow_with_the_rows(db):
    few, many = _draft_queries(3), _draft_queries(30)
    assert many == few, f"{few} queries for 3 rows, {many} for 30"


# --- a reminder whose notice could not be linked is claimed for ever and never emailed -----


def test_a_reminder_without_notice_is_not_marked_emailed(demo_data, mailoutbox):
    from metrics.models import Department, Notice, ReportingPeriod

    gaj = Department.objects.get(code="gaj")
    period = ReportingPeriod.objects.get(code="2026")
    # what migration 0007 leaves for a reminder made by `send_reminders --date` (date ≠ the
    # notice's creation day): the notice exists, unlinked
    Notice.objects.create(department=gaj, period=period, title="催报：…", body="请报送")
    reminder = Reminder.objects.create(
        department=gaj, period=period, date=datetime.date(2026, 12, 1), unsent=3
    )
    sent = services.email_reminder(reminder_id=reminder.pk)
    reminder.refresh_from_db()
    assert len(mailoutbox) == 1 or (reminder.emailed_at is None and sent == 0), (
        f"emails sent: {len(mailoutbox)}, reported sent to {sent}, recipients={reminder.recipients}, "
        "no email went out, yet the reminder is marked emailed: the sweep will never retry"
    )


# --- the reviewer approves a value they never saw (no version on the review forms) ---------


def test_reviewer_approval_of_a_figure_corrected_since_the_page_loaded_is_refused(
    client, demo_data
):
    import re

    code = "biz_review_cases_received"  # 区司法局, submitted 64
    _login(client, "reviewer")
    page = client.get(reverse("review_department", args=["2026", "sfj"])).content.decode()
    figure = _fig(code)
    form = re.search(
        rf'<form method="post" action="([^"]+)">.{{0,200}}?name="figure" value="{figure.pk}">'
        r'.{0,120}?<input type="hidden" name="action" value="approve">',
        page,
        re.S,
    )
    assert form
    post = {"figure": str(figure.pk), "action": "approve"}
    post.update(dict(re.findall(r'name="(version)" value="(\d+)"', form.group(0))))
    # meanwhile an administrator corrects the value (status stays submitted)
    services.correct_figure(
        figure=figure,
        user=User.objects.get(username="admin"),
        value="640",
        remark="",
        reason="台账核对",
        expected_version=figure.version,
    )
    client.post(form.group(1), post)
    after = _fig(code)
    assert after.status != FigureStatus.APPROVED, (
        f"approved {after.value} although the reviewer's page showed 64"
    )


# --- the report panel words a refused final report's gaps its own way ---------------------


def test_report_panel_names_a_returned_figure_as_returned(client, demo_data, media):
    code = "biz_review_cases_received"
    reviewer = User.objects.get(username="reviewer")
    clerk = User.objects.get(username="clerk_sfj")
    services.return_figure(figure=_fig(code), user=reviewer, reason="请核对")
    figure = _fig(code)
    services.save_figure(
        indicator=figure.indicator,
        period=figure.period,
        value="",
        user=clerk,
        expected_version=figure.version,
    )
    assert _fig(code).status == FigureStatus.RETURNED
    sheet = sheets.department_sheet(department=figure.indicator.department, period=figure.period)
    assert sheet.row(code).state_label == "已退回"
    _login(client, "leader")
    response = client.post(reverse("reports:panel"), {"period": "2026", "kind": "final"})
    html = response.content.decode()
    name = figure.indicator.name
    item = re.search(rf"<li>{re.escape(name)} —— ([^<]+)</li>", html)
    assert item and item.group(1) == "已退回", item and item.group(1)


# --- bulk writes move updated_at (最近更新, the conflict message's time) --------------------------


def test_bulk_writes_move_updated_at(db):
    import time

    department = factories.DepartmentFactory()
    period = factories.period("2026")
    clerk = factories.UserFactory(role="clerk", department=department)
    figures = [
        factories.FigureFactory(
            indicator=factories.IndicatorFactory(department=department), period=period, value=7
        )
        for _ in range(2)
    ]
    before = {f.pk: Figure.objects.get(pk=f.pk).updated_at for f in figures}
    time.sleep(0.01)
    services.submit_figures(department=department, period=period, user=clerk)
    for f in figures:
        assert Figure.objects.get(pk=f.pk).updated_at > before[f.pk]


def test_approve_all_refuses_when_the_submitted_figures_changed_since_the_page(client, demo_data):
    _login(client, "reviewer")
    confirm = reverse("review_approve_confirm", args=["2026", "sfj"])
    page = client.get(confirm).content.decode()
    shown = re.findall(r'name="shown" value="(\d+:\d+)"', page)
    assert shown  # the confirmation lists what 全部审核通过 will approve
    figure = _fig("biz_review_cases_received")
    services.correct_figure(
        figure=figure,
        user=User.objects.get(username="admin"),
        value="640",
        remark="",
        reason="台账核对",
        expected_version=figure.version,
    )
    response = client.post(
        reverse("review_action", args=["2026", "sfj"]),
        {"action": "approve_all", "shown": shown, "confirmed": "yes"},
        follow=True,
    )
    assert "有变动，未审核任何数据" in response.content.decode()
    assert _fig("biz_review_cases_received").status == FigureStatus.SUBMITTED
    # With the page's list as it is now, the approval goes through.
    page = client.get(confirm).content.decode()
    shown = re.findall(r'name="shown" value="(\d+:\d+)"', page)
    client.post(
        reverse("review_action", args=["2026", "sfj"]),
        {"action": "approve_all", "shown": shown, "confirmed": "yes"},
    )
    assert _fig("biz_review_cases_received").status == FigureStatus.APPROVED
