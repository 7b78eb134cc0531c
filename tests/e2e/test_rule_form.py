"""The reviewer writes a rule against last year in the browser: choosing 本指标上年数值 shows
only the allowed change (no other indicator, no constant), and the rule is listed in words."""

import pytest

from accounts import demo
from metrics.models import Indicator, ValidationRule

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_rule_against_last_year_written_in_the_browser(live_server, new_session):
    demo.seed_demo()
    rate = Indicator.objects.get(code="biz_review_closure_rate")
    page = new_session("reviewer", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/catalogue/rules/")
    assert page.locator("#id_right").is_visible() and not page.locator("#id_tolerance").is_visible()
    page.fill("#id_name", "办结率与上年相比")
    page.select_option("#id_left", str(rate.pk))
    page.check('input[name="target"][value="last_year"]')
    assert page.locator("#id_tolerance").is_visible()
    assert (
        not page.locator("#id_right").is_visible() and not page.locator("#id_constant").is_visible()
    )
    page.fill("#id_tolerance", "0.5")
    page.select_option("#id_severity", "warning")
    page.fill("#id_message", "办结率变动较大，请说明原因")
    page.click("button:has-text('新增')")
    page.wait_for_url(f"{live_server.url}/catalogue/rules/")
    assert "行政复议办结率 与上年相比变动不超过±0.5个百分点" in page.locator("main").inner_text()
    rule = ValidationRule.objects.get(name="办结率与上年相比")
    assert (rule.target, rule.right, rule.constant) == ("last_year", None, None)
