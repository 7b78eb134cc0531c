"""The reviewer locks the period through its confirmation page; then the leader's dashboard
offers no 催报 and counts no days left, and says who locked it and when. Its screenshots are
the README's (docs/screenshots/confirm-lock.png, locked-dashboard.png)."""

import os
import re

import pytest
from django.utils import timezone

from accounts import demo
from metrics.models import ReportingPeriod

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_reviewer_locks_through_the_confirmation_and_the_dashboard_goes_read_only(
    new_session, live_server, screenshot_dir
):
    demo.seed_demo()
    url = live_server.url
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)
    reviewer.goto(f"{url}/review/2026/")
    reviewer.click("text=锁定报告期")
    reviewer.wait_for_url(f"{url}/review/2026/period/lock/confirm/")
    confirmation = reviewer.locator("main").inner_text()
    assert "请确认：锁定2026年度报告期" in confirmation and "3 个部门" in confirmation
    reviewer.screenshot(path=str(screenshot_dir / "confirm-lock.png"), full_page=True)
    assert not ReportingPeriod.objects.get(code="2026").is_locked
    reviewer.click("button:has-text('确认锁定2026年度')")
    reviewer.wait_for_url(f"{url}/review/2026/")
    assert ReportingPeriod.objects.get(code="2026").is_locked

    leader = new_session("leader", demo.DEMO_PASSWORD)
    leader.goto(f"{url}/dashboard/?period=2026")
    leader.wait_for_selector("#dashboard.charts-ready")
    page = leader.locator("main").inner_text()
    assert (
        f"报告期已锁定（{timezone.localdate():%Y-%m-%d} 由李明锁定），如需修改请联系法制办" in page
    )
    assert "催报未报齐部门" not in page and not re.search(r"剩余\d+天", page)
    assert leader.locator("#chart-timeliness").count() == 0
    leader.screenshot(path=str(screenshot_dir / "locked-dashboard.png"), full_page=True)
