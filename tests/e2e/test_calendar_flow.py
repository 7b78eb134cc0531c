"""The calendar issue walked through in a browser, with the 法制办's login alone (no admin):
2027 is opened with a deadline of 2028-01-15 and entry not yet open; 区司法局 gets a week
more for 2026 with a reason; an indicator that starts in 2027 is added and is absent from
2026's entry; entry of 2027 is opened and the clerk sees the new indicator; the clerk's 2027
figures are approved and the leader's 2027 draft compares with the 2026 values (同比); every
step is in 修改历史. The only ORM writes are the demo seed."""

import os
import subprocess

import pytest

from accounts import demo
from metrics.models import Figure, Indicator, ReportingPeriod
from tests.e2e.steps import open_from_header

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_INDICATOR = "行政复议决定书网上公开数"


def _pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


def test_the_office_runs_next_years_calendar_itself(
    new_session, live_server, media, eager_tasks, tmp_path, screenshot_dir
):
    demo.seed_demo()
    url = live_server.url
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)

    # 1. 2027 opened ahead: deadline 2028-01-15, entry not open yet.
    open_from_header(reviewer, "管理", "报告期")
    reviewer.wait_for_url(f"{url}/periods/")
    reviewer.fill("#id_code", "2027")
    reviewer.fill("#id_deadline", "2028-01-15")
    reviewer.fill("#id_reason", "部署2027年度法治政府建设数据填报")
    reviewer.click("button:has-text('开设报告期')")
    reviewer.wait_for_url(f"{url}/periods/2027/")
    assert "已开设2027年度（尚未开放填报）" in reviewer.locator(".messages").inner_text()
    assert "2028年1月15日" in reviewer.inner_text("main")
    reviewer.goto(f"{url}/periods/")
    reviewer.screenshot(path=str(screenshot_dir / "periods.png"), full_page=True)

    # 2. 区司法局 gets a week more for 2026, with the reason.
    reviewer.goto(f"{url}/periods/2026/")
    # The period's own deadline is shown, ready to change.
    assert reviewer.input_value("#id_deadline") == "2026-12-15"
    reviewer.select_option("#id_extension-department", label="区司法局")
    reviewer.get_by_label("延长至（必填）").fill("2026-12-22")
    reviewer.get_by_label("延期原因（必填）").fill("复议案件统计口径待市局确认")
    reviewer.click("button:has-text('延期')")
    assert "区司法局的截止日期已延长至2026年12月22日" in reviewer.locator(".messages").inner_text()
    reviewer.set_viewport_size({"width": 390, "height": 844})
    reviewer.screenshot(path=str(screenshot_dir / "period-detail-mobile.png"), full_page=True)
    overflow = reviewer.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"/periods/2026/ scrolls sideways at 390 px by {overflow} px"
    reviewer.set_viewport_size({"width": 1280, "height": 900})

    # 2026's submitted figures of 区司法局 approved: what 2027 is compared with (同比).
    reviewer.goto(f"{url}/review/2026/sfj/")
    reviewer.click("text=全部审核通过")
    reviewer.click("button:has-text('确认审核通过')")
    assert "已审核通过区司法局" in reviewer.locator(".messages").inner_text()

    # 3. An indicator that starts in 2027.
    reviewer.goto(f"{url}/catalogue/new/")
    reviewer.fill("#id_name", NEW_INDICATOR)
    reviewer.select_option("#id_section", label="依法行政与营商环境")
    reviewer.click("button[name=suggest]")
    reviewer.select_option("#id_department", label="区司法局")
    reviewer.fill("#id_unit", "件")
    reviewer.select_option("#id_first_period", label="2027年度")
    reviewer.fill("#id_reason", "2027年起统计")
    reviewer.click("form.catalogue-form button[type=submit]:has-text('保存')")
    reviewer.wait_for_url(f"{url}/catalogue/")
    code = Indicator.objects.get(name=NEW_INDICATOR).code

    # The clerk: 2026 is still the period, with the extended deadline and no new row.
    clerk = new_session("clerk_sfj", demo.DEMO_PASSWORD)
    clerk.goto(f"{url}/entry/")
    clerk.wait_for_url(f"{url}/entry/2026/")
    assert "2026年12月22日" in clerk.inner_text("main") and "本部门已延期" in clerk.inner_text(
        "main"
    )
    assert clerk.locator(f"#value-{code}").count() == 0

    # 4. Entry of 2027 opened early: the clerk's default moves there and shows the new row.
    reviewer.goto(f"{url}/periods/2027/")
    reviewer.click("button:has-text('开放填报')")
    assert "2027年度已开放填报" in reviewer.locator(".messages").inner_text()
    clerk.goto(f"{url}/entry/")
    clerk.wait_for_url(f"{url}/entry/2027/")
    assert clerk.locator(f"#value-{code}").count() == 1

    # 5. The clerk's 2027 figures: last year's values, 受理行政复议案件 one more, the new one 3.
    last_year = dict(
        Figure.objects.filter(
            period__code="2026", indicator__department__code="sfj", value__isnull=False
        ).values_list("indicator__code", "value")
    )
    received = "biz_review_cases_received"
    for field in clerk.locator("input[id^=value-]").all():
        field_code = field.get_attribute("id").removeprefix("value-")
        value = last_year.get(field_code)
        if field_code == received:
            value += 1
        field.fill("3" if value is None else f"{value.normalize():f}")
    clerk.click("button[name=action][value=submit]")
    assert "已报送" in clerk.locator(".messages").inner_text()
    reviewer.goto(f"{url}/review/2027/sfj/")
    reviewer.click("text=全部审核通过")
    reviewer.click("button:has-text('确认审核通过')")
    assert "已审核通过区司法局" in reviewer.locator(".messages").inner_text()

    # 6. The speech gets a sentence comparing with last year, then the leader's 2027 draft.
    reviewer.goto(f"{url}/reports/template/")
    text = reviewer.input_value("#template-text")
    sentence = f"全年受理行政复议案件{{{received}}}件，{{{received}|yoy}}。"
    at = text.index("发言完毕")
    reviewer.fill("#template-text", text[:at] + sentence + "\n\n" + text[at:])
    reviewer.click("button:has-text('保存为新版本')")
    leader = new_session("leader", demo.DEMO_PASSWORD)
    leader.goto(f"{url}/reports/?period=2027")
    leader.click("button[name=kind][value=draft]")
    leader.wait_for_url(f"{url}/reports/jobs/*/")
    leader.wait_for_selector("a:has-text('下载 PDF')", timeout=60_000)
    with leader.expect_download() as download:
        leader.click("a:has-text('下载 PDF')")
    path = tmp_path / "draft-2027.pdf"
    download.value.save_as(path)
    before = last_year[received]
    after = before + 1
    percent = (after - before) * 100 / before
    expected = f"全年受理行政复议案件{after.normalize():f}件，同比增长{percent:.1f}%。"
    assert expected in _pdf_text(path)

    # 7. Every step in 修改历史, each under its kind (the figures' own edits fill the first
    # pages of the whole trail).
    for kind, words in (
        ("period", "部署2027年度法治政府建设数据填报"),
        ("extension", "区司法局延期至 2026-12-22：复议案件统计口径待市局确认"),
        ("period", "开放填报"),
        ("indicator", NEW_INDICATOR),
    ):
        reviewer.goto(f"{url}/history/?kind={kind}")
        assert words in reviewer.inner_text("main"), words
    assert ReportingPeriod.objects.get(code="2027").deadline.isoformat() == "2028-01-15"
