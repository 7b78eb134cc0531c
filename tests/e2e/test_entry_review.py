"""A clerk fills and submits, the reviewer returns one figure with a reason, the clerk fixes it,
the reviewer approves: in a real browser (Debian's Chromium) against the live server."""

import os

import pytest

from metrics import demo
from metrics.models import Figure, FigureStatus

# Playwright's sync API runs an event loop in this thread; the ORM calls here are plain
# synchronous test code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _status(code):
    return Figure.objects.get(period__code="2026", indicator__code=code).status


def test_clerk_submits_reviewer_returns_clerk_fixes_reviewer_approves(
    new_session, live_server, screenshot_dir
):
    demo.seed_demo()
    url = live_server.url
    clerk = new_session("clerk_sfj", demo.DEMO_PASSWORD)
    assert "待填 2 项" in clerk.content()
    clerk.click("text=进入填报")
    clerk.wait_for_url(f"{url}/entry/2026/")

    # A refused submit keeps what was typed and says next to the field what is wrong.
    clerk.fill("#value-edu_culture_signs", "一百五")
    clerk.click("button[name=action][value=submit]")
    row = clerk.locator("#row-edu_culture_signs")
    assert "不是数字" in row.inner_text()
    assert clerk.input_value("#value-edu_culture_signs") == "一百五"

    # htmx saves one row in place.
    clerk.fill("#value-edu_culture_signs", "150")
    row.locator("button.row-save").click()
    clerk.locator("#row-edu_culture_signs .saved").wait_for()
    assert Figure.objects.get(indicator__code="edu_culture_signs", period__code="2026").value == 150

    # Submitting with a figure missing is refused at that figure.
    clerk.click("button[name=action][value=submit]")
    assert "法治宣传板块尚未填写" in clerk.locator("#row-edu_publicity_panels").inner_text()
    clerk.fill("#value-edu_publicity_panels", "400")
    clerk.fill("input[name=remark-edu_publicity_panels]", "含新建法治公园板块")
    clerk.click("button[name=action][value=submit]")
    assert "已报送 5 项数据" in clerk.locator(".messages").inner_text()
    assert _status("edu_publicity_panels") == FigureStatus.SUBMITTED

    # The reviewer returns one figure with a reason.
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)
    reviewer.goto(f"{url}/review/2026/")
    reviewer.screenshot(path=str(screenshot_dir / "review-queue.png"), full_page=True)
    reviewer.click("table.queue >> text=区司法局")
    reviewer.wait_for_url(f"{url}/review/2026/sfj/")
    form = reviewer.locator("#row-edu_culture_signs form.return-form")
    form.locator("input[name=reason]").fill("与宣传部台账不一致（台账为 152 个），请核实")
    form.locator("button").click()
    assert "已退回：法治文化展示牌" in reviewer.locator(".messages").inner_text()
    assert _status("edu_culture_signs") == FigureStatus.RETURNED

    # The clerk sees the reason at that figure, fixes it and resubmits.
    clerk.goto(f"{url}/entry/2026/")
    returned = clerk.locator("#row-edu_culture_signs")
    assert "与宣传部台账不一致" in returned.inner_text()
    clerk.screenshot(path=str(screenshot_dir / "entry-form.png"), full_page=True)
    clerk.fill("#value-edu_culture_signs", "152")
    clerk.click("button[name=action][value=submit]")
    assert "已报送 1 项数据" in clerk.locator(".messages").inner_text()
    assert _status("edu_culture_signs") == FigureStatus.SUBMITTED

    # The reviewer approves the department in one click; the clerk can no longer edit.
    reviewer.goto(f"{url}/review/2026/sfj/")
    reviewer.click("text=全部审核通过")
    assert "已审核通过区司法局" in reviewer.locator(".messages").inner_text()
    statuses = set(
        Figure.objects.filter(period__code="2026", indicator__department__code="sfj").values_list(
            "status", flat=True
        )
    )
    assert statuses == {FigureStatus.APPROVED}
    clerk.goto(f"{url}/entry/2026/")
    assert clerk.locator("#value-edu_culture_signs").count() == 0

    # The history shows every change with its reason.
    clerk.goto(f"{url}/figures/2026/edu_culture_signs/")
    history = clerk.locator("#history").inner_text()
    for text in ("退回：与宣传部台账不一致", "审核通过", "150", "152"):
        assert text in history
