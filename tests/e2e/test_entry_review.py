"""A clerk fills and submits, the reviewer returns one figure with a reason, the clerk fixes it,
the reviewer approves: in a real browser (Debian's Chromium) against the live server."""

import os

import pytest

from accounts import demo
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
    reviewer.wait_for_url(f"{url}/review/2026/sfj/approve/confirm/")
    reviewer.click("button:has-text('确认审核通过')")
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


def _value(code):
    figure = Figure.objects.filter(period__code="2026", indicator__code=code).first()
    return None if figure is None else figure.value


def _editable_codes(page):
    return [
        name.removeprefix("value-")
        for name in page.eval_on_selector_all(
            "form.entry-form input.num-input", "fields => fields.map(f => f.name)"
        )
    ]


def test_enter_saves_the_row_it_was_typed_in(new_session, live_server):
    demo.seed_demo()
    clerk = new_session("clerk_sfj", demo.DEMO_PASSWORD)
    clerk.goto(f"{live_server.url}/entry/2026/")
    first, second = _editable_codes(clerk)[:2]
    first_before = clerk.input_value(f"#value-{first}")
    stored_first = _value(first)

    clerk.fill(f"#value-{second}", "321")
    clerk.press(f"#value-{second}", "Enter")
    clerk.locator(f"#row-{second} .saved").wait_for()
    assert clerk.locator(f"#row-{first} .saved").count() == 0
    # The cursor stays in the field where Enter was pressed.
    assert clerk.evaluate("document.activeElement.id") == f"value-{second}"

    clerk.reload()
    assert clerk.input_value(f"#value-{second}") == "321"
    assert clerk.input_value(f"#value-{first}") == first_before
    assert _value(second) == 321 and _value(first) == stored_first


def test_enter_without_script_saves_the_whole_sheet_not_another_row(browser, live_server):
    demo.seed_demo()
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "clerk_sfj")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/entry/2026/")
    first, second = _editable_codes(page)[:2]
    stored_first = _value(first)
    page.fill(f"#value-{second}", "654")
    with page.expect_navigation():
        page.press(f"#value-{second}", "Enter")
    assert "草稿已保存" in page.locator(".messages").inner_text()
    assert page.input_value(f"#value-{second}") == "654"
    assert _value(second) == 654 and _value(first) == stored_first
    context.close()


def test_leaving_with_unsaved_typing_asks_first(new_session, live_server):
    demo.seed_demo()
    clerk = new_session("clerk_sfj", demo.DEMO_PASSWORD)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    clerk.on("dialog", answer)
    entry = f"{live_server.url}/entry/2026/"
    home = clerk.locator("header nav a", has_text="首页")

    # Nothing typed: leaving asks nothing.
    clerk.goto(entry)
    home.click()
    clerk.wait_for_url(f"{live_server.url}/")
    assert dialogs == []

    # Typed and not saved: the browser asks, and staying keeps the typing.
    clerk.goto(entry)
    code = _editable_codes(clerk)[0]
    clerk.click(f"#value-{code}")
    clerk.fill(f"#value-{code}", "77")
    home.click()
    clerk.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert clerk.url == entry and clerk.input_value(f"#value-{code}") == "77"

    # Saved (the row with its button, then the sheet): leaving asks nothing.
    clerk.locator(f"#row-{code} button.row-save").click()
    clerk.locator(f"#row-{code} .saved").wait_for()
    home.click()
    clerk.wait_for_url(f"{live_server.url}/")
    clerk.goto(entry)
    clerk.click(f"#value-{code}")
    clerk.fill(f"#value-{code}", "78")
    clerk.click("button.secondary[name=action][value=save] >> text=保存草稿")
    assert "草稿已保存" in clerk.locator(".messages").inner_text()
    home.click()
    clerk.wait_for_url(f"{live_server.url}/")
    assert dialogs == ["beforeunload"] and _value(code) == 78

    # A refused value stays typed and unsaved: leaving asks again.
    clerk.goto(entry)
    clerk.click(f"#value-{code}")
    clerk.fill(f"#value-{code}", "七十九")
    clerk.click("button[name=action][value=submit]")
    assert "不是数字" in clerk.locator(f"#row-{code}").inner_text()
    home.click()
    clerk.wait_for_timeout(500)
    assert dialogs == ["beforeunload", "beforeunload"] and clerk.url == entry


def test_entry_form_at_390_px(new_session, live_server, screenshot_dir):
    demo.seed_demo()
    clerk = new_session("clerk_sfj", demo.DEMO_PASSWORD)
    clerk.set_viewport_size({"width": 390, "height": 844})
    clerk.goto(f"{live_server.url}/entry/2026/")
    assert clerk.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = clerk.eval_on_selector_all(
        "form.entry-form input[type=text], form.entry-form button.row-save",
        "fields => fields.map(f => [f.name || f.className, f.getBoundingClientRect().height,"
        " f.getBoundingClientRect().width])",
    )
    assert boxes
    for name, height, width in boxes:
        assert height >= 44, (name, height)
        if name.startswith(("value-", "remark-")):
            assert width >= 300, (name, width)  # the card's full width
    # What a phone shows where the editable figures begin, the save bar at the bottom.
    clerk.locator("form.entry-form tbody.figure-row:has(input.num-input)").first.evaluate(
        "row => window.scrollTo(0, row.getBoundingClientRect().top + window.scrollY - 110)"
    )
    clerk.screenshot(path=str(screenshot_dir / "entry-form-mobile.png"))
