"""The catalogue issue, walked through the pages as the 法制办 (reviewer, no admin) does it: a
new department (区信访局), a clerk of it, an entered indicator it owns and a computed rate over
two of them, a sentence in the speech template using both; the clerk logs in with the one-time
password, chooses their own, fills and submits the two figures; the reviewer approves them; a
draft of the open year is built and its PDF reads the figure and the rounded rate; the change
history and the account audit log show every step. The only ORM writes are the e2e seed."""

import os
import re
import subprocess

import pytest

from accounts import demo
from metrics.models import Department, Figure, FigureStatus, Indicator, User
from tests.e2e.steps import add_clerk

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OWN_PASSWORD = "Xfj-own-choice-2027"
RECEIVED, CLOSED = 37, 29  # 29 / 37 * 100 = 78.378…, 78.4 to one decimal place
RATE = "78.4"


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _new_indicator(
    page, url, *, name, unit, code=None, formula="", decimal_places=None, screenshot=None
):
    """The new-indicator form: the name and section, the suggested code (kept, or replaced by
    `code`), the department, and for a computed one its formula; `screenshot` is where to
    save the filled form. Returns the code saved."""
    page.goto(f"{url}/catalogue/new/")
    page.fill("#id_name", name)
    page.select_option("#id_section", label="基层治理")
    page.click("button[name=suggest]")
    suggested = page.input_value("#id_code")
    assert re.fullmatch(r"grass_[a-z0-9_]+", suggested), suggested
    assert f"建议代码：{suggested}" in page.inner_text("main")
    if code:
        page.fill("#id_code", code)
    page.select_option("#id_department", label="区信访局")
    page.fill("#id_unit", unit)
    if formula:
        page.fill("#id_formula", formula)
    if decimal_places is not None:
        page.fill("#id_decimal_places", str(decimal_places))
    page.fill("#id_reason", "信访工作纳入法治政府建设报告")
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    page.click("form.catalogue-form button[type=submit]:has-text('保存')")
    page.wait_for_url(f"{url}/catalogue/")
    saved = code or suggested
    assert f"已新增指标“{name}”（{saved}）" in page.locator(".messages").inner_text()
    return saved


def test_legal_affairs_office_adds_a_department_its_clerk_and_indicators_that_reach_the_report(
    new_session, browser, live_server, media, eager_tasks, tmp_path, screenshot_dir
):
    demo.seed_demo()
    url = live_server.url
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)

    # 1. The department.
    reviewer.goto(f"{url}/catalogue/departments/")
    reviewer.fill("#id_code", "信访")  # refused, in words that say what a code may be
    reviewer.fill("#id_name", "区信访局")
    reviewer.click("button[type=submit]:has-text('新增')")
    assert "只能用小写英文字母、数字和下划线" in reviewer.inner_text("main")
    assert reviewer.input_value("#id_name") == "区信访局"
    reviewer.fill("#id_code", "xfj")
    reviewer.fill("#id_name", "区信访局")
    reviewer.fill("#id_short_name", "信访局")
    reviewer.fill("#id_reason", "信访工作纳入报告")
    reviewer.click("button[type=submit]:has-text('新增')")
    reviewer.wait_for_url(f"{url}/catalogue/departments/")
    assert "已新增部门“区信访局”" in reviewer.locator(".messages").inner_text()
    assert reviewer.locator("table.history tr", has_text="区信访局").count() == 1
    department = Department.objects.get(code="xfj")
    assert (department.name, department.short_name) == ("区信访局", "信访局")

    # 2. Its clerk, with the one-time password read from the page.
    reviewer.goto(f"{url}/accounts/users/")
    one_time = add_clerk(reviewer, username="xfj_qian", name="钱七", department="区信访局")
    assert User.objects.get(username="xfj_qian").department == department

    # 3. Two entered indicators it owns (one code as suggested, one edited) and the rate.
    received = _new_indicator(reviewer, url, name="受理信访事项", unit="件")
    closed = _new_indicator(
        reviewer, url, name="办结信访事项", unit="件", code="grass_petitions_closed"
    )
    rate = _new_indicator(
        reviewer,
        url,
        name="信访事项办结率",
        unit="%",
        formula=f"{closed}/{received}*100",
        decimal_places=1,
        screenshot=screenshot_dir / "catalogue-new-indicator.png",
    )
    computed = Indicator.objects.get(code=rate)
    assert computed.is_computed and computed.decimal_places == 1
    assert Indicator.objects.get(code=received).department == department

    # The catalogue, as the 法制办 sees it on a desktop and on a phone.
    reviewer.goto(f"{url}/catalogue/?by=department")
    group = reviewer.locator("section.card", has=reviewer.locator("h2", has_text="区信访局"))
    assert "计算指标" in group.inner_text() and "受理信访事项" in group.inner_text()
    reviewer.goto(f"{url}/catalogue/")
    reviewer.screenshot(path=str(screenshot_dir / "catalogue.png"))
    reviewer.set_viewport_size({"width": 390, "height": 844})
    for page in ("catalogue/", "catalogue/departments/", "catalogue/sections/"):
        reviewer.goto(f"{url}/{page}")
        if page == "catalogue/":
            reviewer.screenshot(path=str(screenshot_dir / "catalogue-mobile.png"))
        overflow = reviewer.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"/{page} scrolls sideways at 390 px by {overflow} px"
        edit = reviewer.locator("td.actions a, td.actions button").last
        box = edit.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (page, box)
    reviewer.set_viewport_size({"width": 1280, "height": 900})

    # 4. The speech template: a sentence with the new figure and the rate, a new version.
    reviewer.goto(f"{url}/reports/template/")
    version = reviewer.locator("p.summary", has_text="当前第").inner_text()
    before = int(re.search(r"当前第(\d+)版", version).group(1))
    text = reviewer.input_value("#template-text")
    sentence = f"全年受理信访事项{{{received}}}件，信访事项办结率{{{rate}}}%。"
    marker = "发言完毕"
    assert marker in text
    at = text.index(marker)
    reviewer.fill("#template-text", text[:at] + sentence + "\n\n" + text[at:])
    # The live preview reads the new codes (nothing entered yet: marked for the draft).
    preview = reviewer.frame_locator("#preview iframe.preview-frame")
    preview.locator("body", has_text="信访事项办结率").wait_for()
    shown = "".join(preview.locator("body").inner_text().split())
    assert "全年受理信访事项【待填：受理信访事项】件" in shown
    reviewer.fill("input[name=comment]", "增加信访工作")
    reviewer.click("button:has-text('保存为新版本')")
    assert f"模板已保存为第{before + 1}版" in reviewer.locator(".messages").inner_text()
    reviewer.click("nav button:has-text('退出')")
    reviewer.wait_for_url(lambda address: "/login/" in address or address.rstrip("/") == url)

    # 5. The clerk: the one-time password, their own, then the entry page.
    clerk = new_session("xfj_qian", one_time)
    clerk.wait_for_url(f"{url}/account/password/")
    clerk.fill("input[name=old_password]", one_time)
    clerk.fill("input[name=new_password1]", OWN_PASSWORD)
    clerk.fill("input[name=new_password2]", OWN_PASSWORD)
    clerk.click("button[type=submit] >> text=修改密码")
    clerk.wait_for_url(f"{url}/account/password/done/")
    clerk.goto(f"{url}/entry/")
    clerk.wait_for_url(f"{url}/entry/2026/")
    assert "区信访局" in clerk.content()
    assert clerk.locator(f"#value-{rate}").count() == 0  # computed: never entered
    clerk.fill(f"#value-{received}", str(RECEIVED))
    clerk.fill(f"#value-{closed}", str(CLOSED))
    clerk.click("button[name=action][value=submit]")
    assert "已报送 2 项数据" in clerk.locator(".messages").inner_text()

    # 6. The reviewer approves them.
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)
    reviewer.goto(f"{url}/review/2026/")
    reviewer.click("table.queue >> text=区信访局")
    reviewer.wait_for_url(f"{url}/review/2026/xfj/")
    reviewer.click("text=全部审核通过")
    reviewer.wait_for_url(f"{url}/review/2026/xfj/approve/confirm/")
    reviewer.click("button:has-text('确认审核通过')")
    assert "已审核通过区信访局" in reviewer.locator(".messages").inner_text()
    statuses = set(
        Figure.objects.filter(period__code="2026", indicator__department=department).values_list(
            "status", flat=True
        )
    )
    assert statuses == {FigureStatus.APPROVED}

    # 7. 2026 is still open elsewhere, so a draft: the figure and the rounded rate in its PDF.
    reviewer.goto(f"{url}/reports/?period=2026")
    reviewer.click("button[name=kind][value=draft]")
    reviewer.wait_for_url(f"{url}/reports/jobs/*/")
    reviewer.wait_for_selector("a:has-text('下载 PDF')", timeout=60_000)
    with reviewer.expect_download() as download:
        reviewer.click("a:has-text('下载 PDF')")
    path = tmp_path / "draft.pdf"
    download.value.save_as(path)
    flat = "".join(_pdf_text(path).split())
    assert f"全年受理信访事项{RECEIVED}件，信访事项办结率{RATE}%。" in flat

    # 8. The history of the catalogue and the account audit log.
    reviewer.goto(f"{url}/catalogue/changes/")
    changes = reviewer.locator("main").inner_text()
    for what in (
        "区信访局（xfj）",
        f"受理信访事项（{received}）",
        f"办结信访事项（{closed}）",
        f"信访事项办结率（{rate}）",
    ):
        assert what in changes, what
    reviewer.goto(f"{url}/accounts/audit/?target=xfj_qian")
    audit = reviewer.locator("main").inner_text()
    assert "创建用户" in audit and "修改密码" in audit
