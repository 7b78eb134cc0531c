"""The leader's one button, in a real browser (Debian's Chromium) against the live server: a
draft of the open year with its gaps marked, a final report of the approved year, both
downloaded as PDF and Word, and a final report of the open year refused with its gaps."""

import os
import subprocess

import pytest

from accounts import demo

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _download(page, link_text, path):
    with page.expect_download() as download:
        page.click(f"a:has-text('{link_text}')")
    download.value.save_as(path)
    return path


def _request(page, url, period, kind):
    page.goto(f"{url}/reports/?period={period}")
    page.click(f"button[name=kind][value={kind}]")


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_leader_requests_reports_and_downloads_pdf_and_word(
    new_session, live_server, media, eager_tasks, tmp_path, screenshot_dir
):
    from docx import Document

    demo.seed_demo()
    url = live_server.url
    leader = new_session("leader", demo.DEMO_PASSWORD)

    # The open year: a final report is refused with what blocks it, by department.
    _request(leader, url, "2026", "final")
    gaps = leader.locator("#gaps")
    assert "暂不能生成正式稿" in gaps.inner_text() and "公安分局" in gaps.inner_text()

    # A draft can always be built; the job page ends on the downloads.
    _request(leader, url, "2026", "draft")
    leader.wait_for_url(f"{url}/reports/jobs/*/")
    leader.wait_for_selector("a:has-text('下载 PDF')", timeout=60_000)
    assert "已完成" in leader.locator("#job-status").inner_text()
    draft = _pdf_text(_download(leader, "下载 PDF", tmp_path / "draft.pdf"))
    assert "【待填：" in draft and "【待审：" in draft

    # The approved year: the speech, with its figures, as PDF and as Word.
    _request(leader, url, "2025", "final")
    leader.wait_for_selector("a:has-text('下载 Word')", timeout=60_000)
    leader.screenshot(path=str(screenshot_dir / "report-job.png"), full_page=True)
    final_pdf = _download(leader, "下载 PDF", tmp_path / "final.pdf")
    final = _pdf_text(final_pdf)
    # Page 1 as the README shows it (pdftoppm -r 70, as a reader would look at it).
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "70",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(final_pdf),
            str(screenshot_dir / "report-page1"),
        ],
        check=True,
    )
    assert (screenshot_dir / "report-page1.png").stat().st_size > 10_000
    flat = "".join(final.split())
    assert flat.count("尊敬的各位领导，同志们：") == 1 and "发言完毕，谢谢大家！" in flat
    assert "【待" not in flat and "*" not in flat
    assert f"受理行政复议案件{demo.FIGURES_2025['biz_review_cases_received']}起" in flat
    word = Document(str(_download(leader, "下载 Word", tmp_path / "final.docx")))
    text = "".join(p.text for p in word.paragraphs)
    assert "发言完毕，谢谢大家！" in text and "尊敬的各位领导，同志们：" in text


def test_the_job_page_follows_the_job_without_reloading(new_session, live_server, media):
    """The page a leader is left on after asking shows 排队中, then 生成中, then the downloads,
    as the worker moves the job along: a long poll (reports/job_events.py), no reload."""
    from django.utils import timezone

    from metrics.models import ReportingPeriod, User
    from reports import services
    from reports.models import JobStatus, ReportJob

    demo.seed_demo()
    job = services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"),
        kind="final",
        user=User.objects.get(username="leader"),
    )
    leader = new_session("leader", demo.DEMO_PASSWORD)
    leader.goto(f"{live_server.url}/reports/jobs/{job.pk}/")
    leader.evaluate("window.notReloaded = true")
    status = leader.locator("#job-status")
    assert "now" in status.locator("li", has_text="排队中").get_attribute("class")

    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    leader.wait_for_selector("#job-status li.now:has-text('生成中')", timeout=10_000)

    services.run_report_job(job_id=job.pk)  # what the worker does next
    leader.wait_for_selector("#job-status a:has-text('下载 PDF')", timeout=10_000)
    assert "已完成" in status.inner_text()
    assert leader.evaluate("window.notReloaded") is True


def test_the_job_page_asks_again_when_its_wait_fails(new_session, live_server, media):
    """The status request that waits on the server is cut (a restart, a dropped connection):
    the page asks again after a pause and still shows the downloads once the job is built."""
    from metrics.models import ReportingPeriod, User
    from reports import services

    demo.seed_demo()
    job = services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"),
        kind="final",
        user=User.objects.get(username="leader"),
    )
    leader = new_session("leader", demo.DEMO_PASSWORD)
    cut = []

    def cut_the_first(route):
        if cut:
            route.continue_()
        else:
            cut.append(route.request.url)
            route.abort()

    leader.route("**/status/**", cut_the_first)
    leader.goto(f"{live_server.url}/reports/jobs/{job.pk}/")
    services.run_report_job(job_id=job.pk)
    leader.wait_for_selector("#job-status a:has-text('下载 PDF')", timeout=15_000)
    assert cut == [f"{live_server.url}/reports/jobs/{job.pk}/status/?seen=queued"]
