"""The leader's dashboard in a real browser (Debian's Chromium driven by Playwright): the charts
render from the vendored ECharts under the strict CSP, without console errors, and a screenshot
is kept for the README."""

import os

import pytest

from accounts import demo
from metrics.models import Indicator
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _require_chromium():
    if CHROMIUM.exists():
        return
    reason = f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture
def dashboard_demo(live_server):
    # Seeded before Playwright starts its event loop in this thread, so the ORM runs as usual.
    demo.seed_demo()


@pytest.fixture
def dashboard_browser(dashboard_demo):
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def dashboard_page(dashboard_browser, live_server):
    context = dashboard_browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    page.problems = []
    page.on(
        "console",
        lambda msg: (
            page.problems.append(f"console {msg.type}: {msg.text} @ {msg.location}")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: page.problems.append(f"request failed: {req.url}"))
    page.goto(f"{live_server.url}/login/?next=/dashboard/%3Fperiod%3D2026")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.problems.clear()  # the login page (base.html) is not the dashboard's to answer for
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/?period=2026")
    yield page
    context.close()


def test_leader_sees_rendered_charts_without_console_errors(
    dashboard_page, live_server, screenshot_dir
):
    page = dashboard_page
    page.wait_for_selector("#dashboard.charts-ready", timeout=15000)
    for chart in ("chart-completion", "chart-timeliness", "chart-trend"):
        assert page.locator(f"#{chart} canvas").count() >= 1, chart
    assert "2026年度" in page.locator("h1").inner_text()
    assert page.locator("#readiness-percent").inner_text().strip().endswith("%")
    assert page.locator("table.departments tbody tr").count() == 7
    # The demo's real gaps: 公安分局 has filled nothing yet.
    assert "公安分局" in page.locator("#blockers").inner_text()

    # Another indicator's trend is fetched and drawn.
    page.select_option("#indicator-select", "grass_grid_workers")
    page.wait_for_load_state("networkidle")
    assert "grass_grid_workers" in page.locator("#indicator-link").get_attribute("href")

    page.wait_for_timeout(600)  # let the charts' entry animation finish
    page.screenshot(path=str(screenshot_dir / "dashboard.png"), full_page=True)
    for p in page.problems:
        print("PROBLEM", p[-200:])
    assert page.problems == []

    # Drill down to a department, then to one of its indicators.
    page.click("table.departments a:has-text('区司法局')")
    page.wait_for_url("**/dashboard/department/sfj/?period=2026")
    # Its 15 entered indicators and its 2 computed ones (行政复议办结率, 外聘法律顾问合计).
    own = Indicator.objects.filter(department__code="sfj")
    assert (own.entered().count(), own.computed().count()) == (15, 2)
    assert page.locator("table.figures tbody tr").count() == 17
    page.click("table.figures a:has-text('受理行政复议案件')")
    page.wait_for_url("**/dashboard/indicator/biz_review_cases_received/**")
    assert "修改记录" in page.content()
    assert page.problems == []


def test_clicking_a_bar_drills_down_to_its_department(dashboard_page):
    """The completion chart is not only a picture: a click on a department's bar opens that
    department's figures."""
    page = dashboard_page
    page.wait_for_selector("#dashboard.charts-ready", timeout=15000)
    page.locator("#chart-completion").scroll_into_view_if_needed()
    page.wait_for_timeout(600)  # the bars grow in with an animation
    x, y, label = page.evaluate(
        """() => {
            const el = document.getElementById("chart-completion");
            const chart = echarts.getInstanceByDom(el);
            const option = chart.getOption();
            const approved = option.series[0].data;  // the bottom of each stacked bar
            const index = approved.findIndex((value) => value > 0);
            const [px, py] = chart.convertToPixel({ seriesIndex: 0 }, [index, approved[index] / 2]);
            const box = el.getBoundingClientRect();
            return [box.left + px, box.top + py, option.xAxis[0].data[index]];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url("**/dashboard/department/*/?period=2026")
    assert label in page.locator("h1").inner_text()
    assert page.problems == []


def test_print_layout_hides_navigation(dashboard_page):
    page = dashboard_page
    page.wait_for_selector("#dashboard.charts-ready", timeout=15000)
    page.emulate_media(media="print")
    assert not page.locator(".topbar nav").is_visible()
    assert not page.locator(".dash-tools").is_visible()
    assert page.locator("table.departments").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    assert page.problems == []
