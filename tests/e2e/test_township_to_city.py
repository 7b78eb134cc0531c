"""From a township to the city, in a real browser (Debian's Chromium): a township's 司法所
clerk enters and submits their figures, their district's reviewer approves them, and the
city's 驾驶舱 shows the district's new total."""

import os

import pytest

from metrics.models import Figure, FigureStatus
from tests import factories
from tests.e2e.test_accessibility import _violations
from tests.reports.city import seed_city, town

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Test-password-2026"  # tests.factories.UserFactory's


@pytest.fixture
def city(live_server):
    # Seeded before Playwright starts its event loop in this thread.
    tree = seed_city()
    third = tree["districts"][2]
    unit = town(tree, 3, 1)
    factories.UserFactory(role="clerk", department=unit, username="clerk_town31")
    factories.UserFactory(role="reviewer", area=third, username="reviewer_d3")
    factories.UserFactory(role="leader", area=tree["city"], username="city_leader")
    factories.UserFactory(role="reviewer", area=tree["city"], username="city_reviewer")
    tree["unit"] = unit
    return tree


def test_a_township_figure_reaches_the_citys_dashboard(city, new_session, live_server):
    url, unit = live_server.url, city["unit"]
    clerk = new_session("clerk_town31", PASSWORD)
    clerk.goto(f"{url}/entry/2026/")
    assert unit.name in clerk.content()
    clerk.fill("#value-mediated", "30")
    clerk.fill("#value-mediated_ok", "27")
    clerk.click("button[name=action][value=submit]")
    assert "已报送 2 项数据" in clerk.locator(".messages").inner_text()
    statuses = set(Figure.objects.filter(unit=unit).values_list("status", flat=True))
    assert statuses == {FigureStatus.SUBMITTED}

    # Submitted is not approved: the city's dashboard does not count it yet.
    leader = new_session("city_leader", PASSWORD)
    board = f"{url}/dashboard/?period=2026&area={city['city'].code}"
    leader.goto(board)
    row = leader.locator("#children table.side-by-side tbody tr", has_text="第3区")
    assert "30" not in row.inner_text()

    reviewer = new_session("reviewer_d3", PASSWORD)
    reviewer.goto(f"{url}/review/2026/")
    reviewer.click(f"table.queue >> text={unit.name}")
    reviewer.wait_for_url(f"{url}/review/2026/{unit.code}/")
    reviewer.click("text=全部审核通过")
    reviewer.wait_for_url(f"{url}/review/2026/{unit.code}/approve/confirm/")
    reviewer.click("button:has-text('确认审核通过')")
    assert f"已审核通过{unit.name}" in reviewer.locator(".messages").inner_text()

    leader.goto(board)
    leader.wait_for_selector("#children table.side-by-side")
    assert "30" in row.inner_text()


def test_the_city_reviewer_sees_its_districts_and_approves_a_complete_one(
    city, new_session, live_server
):
    reviewer = new_session("city_reviewer", PASSWORD)
    reviewer.goto(f"{live_server.url}/review/2026/")
    rows = reviewer.locator("#areas table tbody tr")
    assert rows.count() == 3
    reviewer.wait_for_load_state("networkidle")
    assert _violations(reviewer, "city reviewer /review/2026/") == []
    # 第1区 is complete (seed_city): approved as a whole from its row.
    rows.nth(0).locator("button", has_text="整体审核确认第1区").click()
    assert "已整体审核确认第1区" in reviewer.locator(".messages").inner_text()
    assert "已整体审核确认" in reviewer.locator("#areas table tbody tr").nth(0).inner_text()
