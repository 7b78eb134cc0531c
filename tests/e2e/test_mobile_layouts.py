"""At 390 px (a phone) the review queue, the account audit, the dashboard, the import
proposal and the entry form's computed indicators neither scroll sideways nor wrap a
table's cells one character a line: each table row is a labelled card (`table.stacked`)."""

import os
from pathlib import Path

import pytest

from accounts import demo

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "法治简报示例.docx"
WIDTH = 390

# What sticks out of the viewport, or a table cell narrower than two characters.
_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  for (const el of document.querySelectorAll('table a, table button, table select, table input, main select, main button, main a.button')) {
    const box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;
    if (box.left < -0.5 || box.right > width + 0.5) out.push(['outside', name(el), Math.round(box.left), Math.round(box.right)]);
  }
  for (const cell of document.querySelectorAll('main td')) {
    const box = cell.getBoundingClientRect();
    if (!box.width || !cell.textContent.trim()) continue;
    if (box.width < 32) out.push(['narrow', name(cell), cell.textContent.trim().slice(0, 12), Math.round(box.width)]);
  }
  for (const select of document.querySelectorAll('main select')) {
    const box = select.getBoundingClientRect();
    if (box.width && box.width < 120) out.push(['small select', name(select), Math.round(box.width)]);
  }
  return out;
}"""


def _check(page, label, screenshot_dir):
    page.set_viewport_size({"width": WIDTH, "height": 844})
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshot_dir / f"mobile-{label}.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{label} scrolls sideways at {WIDTH} px by {overflow} px"
    problems = page.evaluate(_PROBLEMS)
    assert not problems, (label, problems)


def _open(page, url, label, screenshot_dir):
    page.set_viewport_size({"width": WIDTH, "height": 844})
    page.goto(url)
    _check(page, label, screenshot_dir)


def test_reviewer_pages_at_390_px(new_session, live_server, screenshot_dir):
    demo.seed_demo()
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)
    _open(reviewer, f"{live_server.url}/review/2026/", "review-queue", screenshot_dir)
    assert reviewer.locator("table.stacked td[data-label]").count()


def test_admin_audit_at_390_px(new_session, live_server, screenshot_dir):
    demo.seed_demo()
    admin = new_session("admin", demo.DEMO_PASSWORD)
    _open(admin, f"{live_server.url}/accounts/audit/", "audit", screenshot_dir)
    assert admin.locator("table.stacked td[data-label='详情']").count()


def test_leader_dashboard_at_390_px(new_session, live_server, screenshot_dir):
    demo.seed_demo()
    leader = new_session("leader", demo.DEMO_PASSWORD)
    for period in ("2026", "2025"):
        _open(
            leader,
            f"{live_server.url}/dashboard/?period={period}",
            f"dashboard-{period}",
            screenshot_dir,
        )


def test_clerk_entry_computed_at_390_px(new_session, live_server, screenshot_dir):
    demo.seed_demo()
    for clerk in [
        login.username for login in demo.demo_logins() if login.username.startswith("clerk_")
    ]:
        page = new_session(clerk, demo.DEMO_PASSWORD)
        _open(page, f"{live_server.url}/entry/2026/", f"entry-{clerk}", screenshot_dir)
        computed = page.locator("section.computed table td")
        if computed.count():
            labelled = page.locator("section.computed table td[data-label]")
            assert labelled.count() == computed.count(), clerk


def test_import_proposal_at_390_px(new_session, live_server, screenshot_dir):
    demo.seed_demo()
    url = live_server.url
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)
    reviewer.goto(f"{url}/reports/import/")
    reviewer.set_input_files("#import-file", str(SAMPLE))
    reviewer.fill("#import-name", "法治简报")
    reviewer.click("button:has-text('读取文档')")
    reviewer.wait_for_url(f"{url}/reports/import/*/")
    _check(reviewer, "import", screenshot_dir)
    # No per-row select the browser would insist on: the shared department covers them.
    blocking = reviewer.eval_on_selector_all(
        "#import-form select[required]", "selects => selects.filter(s => !s.value).map(s => s.name)"
    )
    assert blocking == []
    assert reviewer.evaluate("document.getElementById('import-form').checkValidity()")
    reviewer.select_option("#default-department", "sfj")
    # 2025's report with 2026 under way: its new indicators start in 2026 (the reviewer says so).
    reviewer.select_option("#first-period", value="2026")
    reviewer.click("button[name=action][value=accept]")
    reviewer.wait_for_url(lambda address: "/reports/import/" not in address)
    assert "已导入" in reviewer.locator("body").inner_text()
