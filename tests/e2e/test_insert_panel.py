"""The reviewer inserts a figure into the speech by name, with the keyboard: the 插入数据
panel finds it by part of its name or its department, the chosen form makes the placeholder,
it lands at the cursor, and the live preview names the figure on hover. The formula editor's
list puts 【名称】 into the formula the same way."""

import pytest

from accounts import demo
from tests.e2e.test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_insert_panel_puts_a_placeholder_at_the_cursor(live_server, new_session):
    demo.seed_demo()
    page = new_session("reviewer", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/template/")
    text = page.locator("#template-text")
    text.fill("# 标题\n本年受理案件，办结若干。")
    # The cursor after “受理”.
    page.evaluate(
        "() => { const t = document.getElementById('template-text');"
        " const at = t.value.indexOf('受理') + 2; t.setSelectionRange(at, at); }"
    )
    search = page.locator("#template-text-search")
    search.fill("复议 司法局")  # part of the name and the department
    options = page.locator("#template-text-options [role=option]")
    options.first.wait_for()
    listed = options.all_inner_texts()
    assert _violations(page, "reviewer, 插入数据 list open") == []
    assert any("受理行政复议案件" in o and "区司法局" in o for o in listed)
    index = next(i for i, o in enumerate(listed) if o.startswith("受理行政复议案件"))
    for _ in range(index + 1):
        search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == f"picker-0-option-{index}"
    search.press("Enter")
    page.select_option("#template-text-form", "yoy")
    page.click("button[data-insert]")
    assert text.input_value() == "# 标题\n本年受理{biz_review_cases_received|yoy}案件，办结若干。"
    # The live preview shows the figure; hovering says which figure it is.
    frame = page.frame_locator("#preview iframe")
    figure = frame.locator('[data-code="biz_review_cases_received"]')
    figure.wait_for()
    assert figure.get_attribute("title").startswith("受理行政复议案件")


def test_the_formula_editor_inserts_names(live_server, new_session):
    demo.seed_demo()
    page = new_session("reviewer", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/catalogue/new/")
    search = page.locator("#id_formula-search")
    search.fill("办结行政复议")
    page.locator("#id_formula-options [role=option]").first.wait_for()
    search.press("ArrowDown")
    search.press("Enter")
    page.locator("#id_formula").press("End")
    page.locator("#id_formula").type(" / ")
    search.fill("受理行政复议")
    page.locator("#id_formula-options [role=option]").first.wait_for()
    search.press("ArrowDown")
    search.press("Enter")
    assert (
        page.locator("#id_formula").input_value() == "【办结行政复议案件】 / 【受理行政复议案件】"
    )
