"""What a user meets on the way: a locked period offers no actions and says who locked it and
when; locking, approving a whole department and deleting evidence ask first, on a page of
their own (no JavaScript needed) and change nothing until confirmed; a closed evidence upload
says why."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from metrics import selectors, services
from metrics.models import Evidence, Figure, FigureStatus, ReportingPeriod, User

pytestmark = pytest.mark.usefixtures("demo_data")


def _login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _text(response) -> str:
    """The page as a user reads it: tags out, spaces folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _lock_2026():
    reviewer = User.objects.get(username="reviewer")
    return services.lock_period(period=ReportingPeriod.objects.get(code="2026"), user=reviewer)


def _lock_sentence():
    reviewer = User.objects.get(username="reviewer")
    return f"报告期已锁定（{timezone.localdate():%Y-%m-%d} 由{reviewer.display_name}锁定），如需修改请联系法制办"


# ---------------------------------------------------------------------------------------
# Who locked it, and when


def test_period_lock_names_who_locked_it_and_when():
    period = ReportingPeriod.objects.get(code="2026")
    assert selectors.period_lock(period) is None
    before = timezone.now()
    _lock_2026()
    lock = selectors.period_lock(ReportingPeriod.objects.get(code="2026"))
    assert lock.user.username == "reviewer" and lock.when >= before
    assert lock.notice == _lock_sentence()
    # Reopened and locked again by the scheduler: the newest lock counts.
    from tests.factories import scheduler

    services.reopen_period(period=period, user=User.objects.get(username="reviewer"), reason="更正")
    period = services.lock_period(period=period, user=scheduler(), reason="自动锁定")
    assert selectors.period_lock(period).by == scheduler().display_name


# ---------------------------------------------------------------------------------------
# A locked period is read-only everywhere


def test_a_locked_period_offers_no_actions_and_says_why(client):
    _lock_2026()
    sentence = _lock_sentence()

    _login(client, "clerk_sfj")
    entry = client.get("/entry/2026/")
    assert sentence in _text(entry)
    html = entry.content.decode()
    assert 'value="save"' not in html and 'value="submit"' not in html
    assert 'name="file"' not in html and 'name="value-' not in html
    figure = client.get("/figures/2026/edu_materials_distributed/")
    assert sentence in _text(figure)
    assert (
        'name="file"' not in figure.content.decode() and "/delete/" not in figure.content.decode()
    )
    home = _text(client.get("/"))
    assert sentence in home

    _login(client, "reviewer")
    # The office is not told to ask itself: it is told how to reopen.
    office = sentence.replace(
        "，如需修改请联系法制办", "，如需修改，可在“数据审核”页点“重新开放报告期”"
    )
    queue = _text(client.get("/review/2026/"))
    assert office in queue and "催报" not in queue.replace("不再催报", "")
    assert "重新开放报告期" in queue and "联系法制办" not in queue
    department = _text(client.get("/review/2026/sfj/"))
    assert office in department and "全部审核通过" not in department
    assert "联系法制办" not in department
    assert 'value="approve"' not in client.get("/review/2026/sfj/").content.decode()

    _login(client, "leader")
    board = client.get("/dashboard/?period=2026")
    page = _text(board)
    assert sentence in page
    assert "催报未报齐部门" not in page and not re.search(r"剩余\d+天", page)
    assert 'id="chart-timeliness"' not in board.content.decode()
    # The charts' data counts no days left either.
    data = client.get("/dashboard/data.json?period=2026").json()
    assert all(d["days_left"] == 0 and d["locked"] for d in data["departments"])
    assert {d["timeliness"] for d in data["departments"]} <= {"已锁定", "已报齐"}
    drill = _text(client.get("/dashboard/department/sfj/?period=2026"))
    assert sentence in drill and not re.search(r"剩余\d+天", drill)
    report = _text(client.get("/reports/?period=2026"))
    assert sentence in report


def test_an_open_period_still_offers_them(client):
    _login(client, "leader")
    page = _text(client.get("/dashboard/?period=2026"))
    assert "催报未报齐部门" in page and "报告期已锁定" not in page


def test_a_locked_period_is_not_reminded():
    _lock_2026()
    from django.core.exceptions import ValidationError

    from metrics.models import Department

    with pytest.raises(ValidationError, match="已锁定"):
        services.send_reminder(
            department=Department.objects.get(code="sfj"),
            period=ReportingPeriod.objects.get(code="2026"),
            user=User.objects.get(username="reviewer"),
        )


# ---------------------------------------------------------------------------------------
# Confirmations


def test_locking_asks_first_and_nothing_changes_until_confirmed(client):
    _login(client, "reviewer")
    queue = client.get("/review/2026/").content.decode()
    assert 'href="/review/2026/period/lock/confirm/"' in queue
    # The first click: a page saying what will happen; the period is still open.
    page = _text(client.get("/review/2026/period/lock/confirm/"))
    assert "请确认：锁定2026年度报告期" in page
    assert "不能再修改、报送2026年度的数据" in page
    assert re.search(r"仍有 \d+ 项未报齐（3 个部门：", page)
    assert "确认锁定2026年度" in page
    # A lock posted without the confirmation (an old form, a double click) goes to the page.
    response = client.post("/review/2026/period/", {"action": "lock"})
    assert response.status_code == 302 and response.url == "/review/2026/period/lock/confirm/"
    assert not ReportingPeriod.objects.get(code="2026").is_locked
    # Confirmed: locked.
    response = client.post("/review/2026/period/", {"action": "lock", "confirmed": "yes"})
    assert ReportingPeriod.objects.get(code="2026").is_locked


def test_approving_a_department_asks_first_naming_the_figures(client):
    _login(client, "reviewer")
    department = client.get("/review/2026/sfj/").content.decode()
    assert 'href="/review/2026/sfj/approve/confirm/"' in department
    page = _text(client.get("/review/2026/sfj/approve/confirm/"))
    assert "请确认：全部审核通过：区司法局" in page
    assert "将审核通过区司法局2026年度的 5 项待审核数据" in page
    assert "受理行政复议案件：64" in page
    assert "确认审核通过 5 项" in page
    submitted = set(
        Figure.objects.filter(status=FigureStatus.SUBMITTED).values_list("pk", flat=True)
    )
    client.post("/review/2026/sfj/action/", {"action": "approve_all"})
    assert (
        set(Figure.objects.filter(status=FigureStatus.SUBMITTED).values_list("pk", flat=True))
        == submitted
    )
    page = client.post(
        "/review/2026/sfj/action/", {"action": "approve_all", "confirmed": "yes"}, follow=True
    ).content.decode()
    assert "已审核通过区司法局的 5 项数据" in page
    assert not Figure.objects.filter(
        status=FigureStatus.SUBMITTED, indicator__department__code="sfj"
    ).exists()


def test_a_department_with_nothing_to_approve_is_told_so(client):
    _login(client, "reviewer")
    response = client.get("/review/2026/gaj/approve/confirm/", follow=True)
    assert "公安分局没有待审核的数据" in _text(response)


@pytest.fixture
def evidence(media):
    clerk = User.objects.get(username="clerk_sfj")
    figure = Figure.objects.get(period__code="2026", indicator__code="edu_materials_distributed")
    upload = SimpleUploadedFile("发放登记表.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    return services.add_evidence(
        indicator=figure.indicator, period=figure.period, upload=upload, user=clerk
    )


def test_deleting_evidence_asks_first_naming_the_file(client, evidence):
    _login(client, "clerk_sfj")
    figure_page = client.get("/figures/2026/edu_materials_distributed/").content.decode()
    assert f'href="/evidence/{evidence.pk}/delete/"' in figure_page
    page = _text(client.get(f"/evidence/{evidence.pk}/delete/"))
    assert "请确认：删除佐证材料“发放登记表.pdf”" in page
    assert "将删除发放各类宣传资料（2026年度）的佐证材料" in page
    assert "删除后不能恢复" in page
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    page = _text(client.post(f"/evidence/{evidence.pk}/delete/", follow=True))
    assert "已删除佐证材料“发放登记表.pdf”" in page
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_the_confirmation_pages_refuse_who_may_not(client, evidence):
    _login(client, "clerk_sfj")
    assert client.get("/review/2026/period/lock/confirm/").status_code == 403
    assert client.get("/review/2026/sfj/approve/confirm/").status_code == 403
    _login(client, "reviewer")
    assert client.get(f"/evidence/{evidence.pk}/delete/").status_code == 403


# ---------------------------------------------------------------------------------------
# Why evidence upload is closed


def test_the_figure_page_says_why_evidence_upload_is_closed(client):
    _login(client, "clerk_sfj")
    submitted = _text(client.get("/figures/2026/biz_review_cases_received/"))
    assert "已报送，退回后可补充佐证材料" in submitted and "法制办审核员" in submitted
    approved = _text(client.get("/figures/2026/biz_inhouse_counsel/"))
    assert "已审核通过；如需补充，请联系法制办重新开放" in approved
    draft = client.get("/figures/2026/edu_materials_distributed/").content.decode()
    assert 'name="file"' in draft and "退回后可补充" not in draft
    # A reviewer is not told what the clerk can do.
    _login(client, "reviewer")
    assert "退回后可补充" not in _text(client.get("/figures/2026/biz_review_cases_received/"))


def test_deleting_evidence_of_a_submitted_figure_says_why_not(client, evidence):
    # The figure was sent on since the page was opened.
    Figure.objects.filter(pk=evidence.figure_id).update(status=FigureStatus.SUBMITTED)
    _login(client, "clerk_sfj")
    page = _text(client.get(f"/evidence/{evidence.pk}/delete/", follow=True))
    assert "已报送，退回后可补充佐证材料" in page
    assert Evidence.objects.filter(pk=evidence.pk).exists()
