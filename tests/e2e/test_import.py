"""从文档导入 in a real browser: the reviewer uploads the sample 简报, sets the department of
the new indicators and accepts; the leader picks the new document on the report page and
downloads its final PDF, which reads as the 简报 did."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from accounts import demo

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "法治简报示例.docx"


def _squash(text):
    text = re.sub(r"^\s*—\s*\d+\s*—\s*$", "", text, flags=re.MULTILINE)
    return re.sub(r"\s+", "", text)


def test_reviewer_imports_the_sample_and_the_leader_downloads_it(
    new_session, live_server, media, eager_tasks, tmp_path
):
    from docx import Document

    demo.seed_demo()
    url = live_server.url
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)
    reviewer.goto(f"{url}/reports/import/")
    reviewer.set_input_files("#import-file", str(SAMPLE))
    reviewer.fill("#import-name", "法治简报")
    assert reviewer.locator("#import-period").input_value() == "2025"
    reviewer.click("button:has-text('读取文档')")
    reviewer.wait_for_url(f"{url}/reports/import/*/")
    assert reviewer.locator("mark", has_text="45").count() == 1
    selects = reviewer.locator("select[id^=department-]")
    assert selects.count() == 3
    for n in range(selects.count()):
        selects.nth(n).select_option(label="区司法局")
    # 2026 is under way: the reviewer says from which period the new indicators are entered.
    reviewer.select_option("#first-period", value="2026")
    reviewer.click("button:has-text('接受并生成文稿')")
    reviewer.wait_for_url(f"{url}/reports/?*")
    assert "已导入“法治简报”" in reviewer.inner_text("body")

    leader = new_session("leader", demo.DEMO_PASSWORD)
    leader.goto(f"{url}/reports/?period=2025")
    leader.select_option("select[name=document]", label="法治简报")
    leader.wait_for_url(re.compile(r".*document=doc-.*"))
    leader.click("button[name=kind][value=final]")
    leader.wait_for_url(f"{url}/reports/jobs/*/")
    leader.wait_for_selector("a:has-text('下载 PDF')", timeout=60_000)
    with leader.expect_download() as download:
        leader.click("a:has-text('下载 PDF')")
    path = tmp_path / "briefing.pdf"
    download.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    original = "".join(p.text for p in Document(str(SAMPLE)).paragraphs)
    assert _squash(text) == _squash(original)


REPORT = """示范区司法局2025年度法治工作报告
全年受理行政复议案件58起，办结55起。
全年办理法律援助案件215件，开展法治讲座36场。
"""


def test_the_reviewers_choices_survive_save(new_session, live_server):
    """The shared department, a new indicator's section and the first period are kept when
    the reviewer saves, and the accept that follows uses them."""
    from metrics.models import Indicator

    demo.seed_demo()
    url = live_server.url
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)
    reviewer.goto(f"{url}/reports/import/")
    reviewer.fill("#import-text", REPORT)
    reviewer.fill("#import-name", "司法局报告")
    reviewer.click("button:has-text('读取文档')")
    reviewer.wait_for_url(f"{url}/reports/import/*/")
    review = reviewer.url
    sections = reviewer.locator("select[id^=section-]")
    assert sections.count() == 2
    first_section = sections.nth(0).get_attribute("id")
    reviewer.select_option(f"#{first_section}", value="edu")
    for n in range(reviewer.locator("select[id^=department-]").count()):
        reviewer.locator("select[id^=department-]").nth(n).select_option(value="")
    reviewer.select_option("#default-department", label="区司法局")
    reviewer.select_option("#first-period", value="2026")
    reviewer.click("button:has-text('保存修改')")
    reviewer.wait_for_selector("text=修改已保存")
    reviewer.goto(review)  # a fresh load: what is shown comes from what was stored
    assert reviewer.locator(f"#{first_section}").input_value() == "edu"
    assert reviewer.locator("#default-department").input_value() == "sfj"
    assert reviewer.locator("#first-period").input_value() == "2026"
    reviewer.click("button:has-text('接受并生成文稿')")
    reviewer.wait_for_url(f"{url}/reports/?*")
    assert "已导入“司法局报告”" in reviewer.inner_text("body")
    created = Indicator.objects.get(name="办理法律援助案件")
    assert (created.department.code, created.section.code) == ("sfj", "edu")
    assert created.first_period.code == "2026"
