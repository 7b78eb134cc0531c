"""The reviewer's grouped header with the keyboard and on a phone (390 px): Tab reaches a
group, Enter opens it, Tab walks its links, Escape closes it and returns to the group; on a
phone every group stays on screen and its links open within the width."""

import pytest

from accounts import demo
from tests.e2e.test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _focused_text(page) -> str:
    return page.evaluate("() => document.activeElement.textContent.trim()")


def test_the_header_groups_work_with_the_keyboard(live_server, new_session):
    demo.seed_demo()
    page = new_session("reviewer", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/review/2026/")
    summaries = page.locator("nav[aria-label=主导航] details.nav-group > summary")
    assert summaries.all_inner_texts() == ["数据", "文稿", "管理", "我的"]
    page.locator("nav[aria-label=主导航] > a", has_text="首页").focus()
    page.keyboard.press("Tab")
    assert _focused_text(page) == "数据"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused_text(page) == "管理"
    page.keyboard.press("Enter")
    manage = page.locator("details.nav-group").nth(2)
    assert manage.evaluate("d => d.open")
    assert _violations(page, "reviewer, 管理 open") == []
    page.keyboard.press("Tab")
    assert _focused_text(page) == "指标管理"
    page.keyboard.press("Tab")
    assert _focused_text(page) == "报告期"
    page.keyboard.press("Escape")
    assert not manage.evaluate("d => d.open") and _focused_text(page) == "管理"
    # Open 我的 with Space and follow 修改密码 with Enter.
    page.keyboard.press("Tab")
    page.keyboard.press(" ")
    page.keyboard.press("Tab")
    assert _focused_text(page) == "修改密码"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/account/password/")


def test_the_header_fits_a_phone(live_server, new_session, screenshot_dir):
    demo.seed_demo()
    page = new_session("reviewer", demo.DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/review/2026/")
    header = page.locator("header.topbar")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    box = header.bounding_box()
    assert box["height"] < 200, box  # the name and a few groups, not thirteen links
    for summary in page.locator("details.nav-group > summary").all():
        b = summary.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390, (summary.inner_text(), b)
    page.screenshot(
        path=str(screenshot_dir / "header-mobile.png"), clip={**box, "height": box["height"] + 260}
    )
    page.locator("details.nav-group > summary", has_text="管理").click()
    links = page.locator("details.nav-group[open] a")
    assert links.count() == 7  # 指标管理 报告期 用户管理 系统设置 登录锁定 账号审计 修改历史
    for link in links.all():
        b = link.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390, (link.inner_text(), b)
    page.screenshot(path=str(screenshot_dir / "header-mobile-open.png"))
