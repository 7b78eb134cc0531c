"""The city's 驾驶舱 in a real browser (Debian's Chromium driven by Playwright): the districts
side by side on a desktop and on a phone (390 px), where the comparison table scrolls inside
its own box and the page never sideways; a district's name drills down to its dashboard,
whose townships are side by side in turn. Screenshots: city-dashboard.png and
city-dashboard-mobile.png (`make screenshots` puts them in docs/screenshots)."""

import os

import pytest

from tests import factories
from tests.e2e.test_accessibility import _violations
from tests.reports.city import seed_city

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Test-password-2026"  # tests.factories.UserFactory's
WIDTH = 390


@pytest.fixture
def city_leader(live_server):
    # Seeded before Playwright starts its event loop in this thread.
    tree = seed_city()
    factories.UserFactory(role="leader", area=tree["city"], username="city_leader")
    return tree


def _watch(page):
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: page.problems.append(msg.text) if msg.type == "error" else None,
    )


def test_the_city_leader_compares_districts_on_desktop_and_phone(
    city_leader, new_session, live_server, screenshot_dir
):
    page = new_session("city_leader", PASSWORD)
    _watch(page)
    page.goto(f"{live_server.url}/dashboard/?period=2026")
    page.wait_for_selector("#children table.side-by-side")
    rows = page.locator("#children table.side-by-side tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).locator("th").inner_text() == "第1区"
    assert "同比下降1.0个百分点" in rows.nth(0).inner_text()
    assert page.locator("#children table.side-by-side tfoot").inner_text().startswith("示例市合计")
    ranking = page.locator("#children table.ranking tbody tr")
    assert ranking.nth(2).inner_text().split() == ["—", "第3区", "未报"]
    page.wait_for_load_state("networkidle")
    assert _violations(page, "city leader /dashboard/") == []
    page.screenshot(path=str(screenshot_dir / "city-dashboard.png"), full_page=True)

    page.set_viewport_size({"width": WIDTH, "height": 844})
    page.wait_for_timeout(200)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways at {WIDTH} px by {overflow} px"
    box = page.locator("#children .scroll-x")
    inner, shown = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert inner > shown <= WIDTH  # the table scrolls inside its box
    first = page.locator("#children table.side-by-side tbody tr").nth(0).locator("th.pin")
    before = first.bounding_box()
    box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    after = first.bounding_box()
    assert abs(after["x"] - before["x"]) < 1  # the area's name stays pinned while it scrolls
    box.evaluate("el => { el.scrollLeft = 0; }")
    page.locator("#children").screenshot(path=str(screenshot_dir / "city-dashboard-mobile.png"))

    page.locator("#children table.side-by-side tbody a.drill", has_text="第2区").click()
    page.wait_for_url("**/dashboard/?period=2026&area=990102")
    assert page.locator("h1").inner_text().startswith("第2区")
    assert (
        page.locator("#children table.side-by-side tbody tr")
        .all_inner_texts()[0]
        .startswith("第2区1镇")
    )
    assert page.locator(".crumbs a").inner_text() == "示例市"
    assert page.problems == []
