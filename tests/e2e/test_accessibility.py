"""axe-core (WCAG 2.0/2.1 A and AA) on every page of every role, in Debian's Chromium.

axe-core comes vendored inside the axe-playwright-python wheel (a dev dependency) and is
injected into each page by Playwright; nothing is fetched from a CDN. A failure names the
page, the rule and each element (its selector and HTML)."""

import datetime
import os

import pytest

from accounts import demo
from metrics import services
from metrics.models import Evidence, Figure, FigureStatus, Indicator, ReportingPeriod, User
from reports.models import JobStatus, ReportJob, ReportKind, ReportTemplate
from reports.selectors import active_template

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# A figure with evidence, to see the evidence list and its delete confirmation.
FIGURE = "edu_materials_distributed"  # 区司法局, a draft in the demo
SUBMITTED = "biz_review_cases_received"  # 区司法局, submitted
INDICATOR = "biz_review_cases_received"


def _pages(job_pk, evidence_pk, final_pk=None, import_pk=None):
    """(who, path) for each page a user of that role meets."""
    from metrics.models import User, ValidationRule

    clerk_pk = User.objects.get(username="clerk_sfj").pk
    rule_pk = ValidationRule.objects.order_by("pk").first().pk
    return {
        None: ["/login/"],
        "clerk_sfj": [
            "/",
            "/entry/2026/",
            f"/figures/2026/{FIGURE}/",
            f"/figures/2026/{SUBMITTED}/",
            f"/evidence/{evidence_pk}/delete/",
            "/entry/2025/",  # a locked period
            f"/figures/2025/{FIGURE}/",
            "/dashboard/",
            "/review/2026/",  # 403
            "/accounts/users/",  # 403: not the 法制办
            "/entry/2099/",  # 404: no such period
            "/no-such-page/",  # 404: no such address
        ],
        "reviewer": [
            "/",
            "/review/2026/",
            "/review/2026/sfj/",
            "/review/2026/sfj/approve/confirm/",
            "/review/2026/period/lock/confirm/",
            "/review/2025/",
            "/review/2025/sfj/",
            f"/figures/2026/{SUBMITTED}/",
            "/reports/template/",
            "/reports/template/?document=annual-report",
            "/reports/template/help/",
            "/reports/",
            "/reports/?document=annual-report",
            f"/reports/jobs/{job_pk}/",
            f"/reports/jobs/{final_pk}/public/",
            # 从文档导入: the upload and a proposal of the sample 简报
            "/reports/import/",
            f"/reports/import/{import_pk}/",
            "/dashboard/",
            "/accounts/users/",
            "/accounts/users/?role=clerk&active=1",
            "/accounts/users/new/",
            f"/accounts/users/{clerk_pk}/",
            "/accounts/import/",
            "/accounts/audit/",
            # 指标管理
            "/catalogue/",
            "/catalogue/?by=department&retired=all&q=复议",
            "/catalogue/new/",
            f"/catalogue/indicators/{INDICATOR}/",
            "/catalogue/indicators/biz_inhouse_counsel/retire/",
            "/catalogue/sections/",
            "/catalogue/departments/",
            "/catalogue/departments/sfj/",
            "/catalogue/departments/sfj/retire/",
            "/catalogue/changes/",
            "/catalogue/rules/",
            f"/catalogue/rules/{rule_pk}/",
            f"/catalogue/rules/{rule_pk}/deactivate/",
        ],
        "leader": [
            "/dashboard/",
            "/dashboard/?period=2025",
            "/dashboard/department/sfj/",
            f"/dashboard/indicator/{INDICATOR}/",
            "/reports/",
            "/reports/?period=2025",
            f"/reports/jobs/{job_pk}/",
            "/entry/2026/",  # 403: not a clerk
            "/catalogue/",  # 403: not the 法制办
        ],
        "admin": ["/", "/dashboard/"],
    }


def _seed():
    demo.seed_demo()
    period = ReportingPeriod.objects.get(code="2026")
    template = active_template()
    annual = ReportTemplate.objects.get(slug="annual-report")
    final = ReportJob.objects.create(
        period=ReportingPeriod.objects.get(code="2025"),
        kind=ReportKind.FINAL,
        template_version=annual.current_version,
        status=JobStatus.SUCCEEDED,
        pdf="reports/2025/a.pdf",
        docx="reports/2025/a.docx",
        snapshot={"district_name": "示范", "period_label": "2025年度", "figures": {}},
    )
    job = ReportJob.objects.create(
        period=period,
        kind=ReportKind.DRAFT,
        template_version=template.current_version,
        status=JobStatus.FAILED,
        error="生成失败：示例错误。",
        snapshot={"figures": {}},
    )
    figure = Figure.objects.get(period=period, indicator__code=FIGURE)
    assert figure.status == FigureStatus.DRAFT
    evidence = Evidence.objects.create(
        figure=figure,
        file="evidence/demo.pdf",
        original_name="宣传材料发放登记表.pdf",
        content_type="application/pdf",
        size=1024,
        sha256="0" * 64,
    )
    # 指标管理: a change in the history and a retired indicator the template still names.
    reviewer = User.objects.get(username="reviewer")
    counsel = Indicator.objects.get(code="biz_inhouse_counsel")
    services.update_indicator(indicator=counsel, user=reviewer, unit="名", reason="统一计量单位")
    services.retire_indicator(
        indicator=Indicator.objects.get(code="edu_culture_signs"),
        user=reviewer,
        reason="并入宣传栏统计",
        on=datetime.date(2026, 12, 31),
    )
    return job.pk, evidence.pk, final.pk, _import(reviewer).pk


def _import(reviewer):
    from pathlib import Path

    from reports.importing.reader import read_docx
    from reports.importing.store import paragraphs_json
    from reports.models import DocumentImport

    sample = Path(__file__).resolve().parents[2] / "docs" / "samples" / "法治简报示例.docx"
    return DocumentImport.objects.create(
        source_name=sample.name,
        paragraphs=paragraphs_json(read_docx(sample.read_bytes())),
        period=ReportingPeriod.objects.get(code="2025"),
        name="法治简报",
        created_by=reviewer,
    )


def _violations(page, where):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    )
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            found.append(
                f"{where}: {violation['id']} ({violation['impact']}) at {target}\n"
                f"    {node['html'][:200]}\n    {node.get('failureSummary', '')[:300]}"
            )
    return found


def test_every_page_of_every_role_passes_axe(browser, new_session, live_server):
    job_pk, evidence_pk, final_pk, import_pk = _seed()
    problems = []
    visited = 0
    for who, paths in _pages(job_pk, evidence_pk, final_pk, import_pk).items():
        if who is None:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = context.new_page()
        else:
            page = new_session(who, demo.DEMO_PASSWORD)
        for path in paths:
            where = f"{who or '未登录'} {path}"
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            problems += _violations(page, where)
            # Landmarks and the skip link on every page (axe's region rule is not WCAG-tagged).
            if page.locator("main#main").count() != 1:
                problems.append(f"{where}: no <main id=main> landmark")
            if page.locator("a.skip-link[href='#main']").inner_text() != "跳到主要内容":
                problems.append(f"{where}: no skip link 跳到主要内容")
            if who and page.locator("nav[aria-label=主导航]").count() != 1:
                problems.append(f"{where}: no <nav aria-label=主导航>")
            visited += 1
        if who is None:
            context.close()
    assert visited >= 30
    assert not problems, f"{len(problems)} accessibility violation(s):\n" + "\n".join(problems)


def test_keyboard_users_can_skip_to_the_content_and_see_where_they_are(new_session, live_server):
    demo.seed_demo()
    page = new_session("clerk_sfj", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/entry/2026/")
    # The first Tab reaches the skip link, which then shows itself on the page.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到主要内容"
    box = page.locator("a.skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tabbing on, each control that gets the focus draws a visible ring.
    for _ in range(4):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
        )
        tag = page.evaluate("document.activeElement.outerHTML.slice(0, 80)")
        assert ring[0] != "none" and ring[1] >= 2, f"no visible focus on {tag}"
