"""Click → download link, as the leader meets it in the browser: gunicorn and one Celery
worker over Redis on loopback, Debian's Chromium driven by Playwright, from the click on
生成正式稿 (the panel's 申请生成 button) to the visible 下载 PDF link on the job page.

Measured for the first job after a worker has started (its pool process warmed up at
start: lawgov/celery.py) and for N jobs with that worker warm. Used by
bench/bench_report_job.py --browser; needs DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Lawgov-demo-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def _start_worker(env: dict, log: Path) -> subprocess.Popen:
    # The suite's own way of starting a worker (its own process group, the project's app).
    sys.path.insert(0, str(REPO))
    from tests.processes import start_worker

    process = start_worker(env, log, f"bench-{os.getpid()}")
    # Started: the worker says it is ready, and its pool process has loaded the fonts.
    _wait_for(
        lambda: (
            "ready." in log.read_text() and "report fonts and stylesheet loaded" in log.read_text()
        ),
        120,
        "the worker",
    )
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)


def measure(*, jobs: int = 20, restarts: int = 3, workdir: Path, between=None) -> dict:
    """{"first": [s, ...] (one per worker start), "warm": [s, ...], "timeline": [(job id,
    click time, link time), ...]}. `between()`, if given, runs after each warm job (the bench
    builds the same document in its own process there, so that the worker's build and the
    in-process one alternate and see the same load)."""
    from playwright.sync_api import sync_playwright

    # Plain HTTP on loopback: the development settings (no HTTPS redirect, no secure cookies).
    env = {**os.environ, "LAWGOV_MEDIA_ROOT": str(workdir / "media"), "DJANGO_DEBUG": "true"}
    port = _free_port()
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lawgov.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            # Each request with its start and duration, to see what runs beside a build.
            "--access-logfile",
            str(workdir / "access.log"),
            "--access-logformat",
            '%(t)s "%(r)s" %(s)s %(L)s',
        ],
        cwd=REPO,
        env=env,
        stdout=(workdir / "web.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    results: dict = {"first": [], "warm": [], "timeline": [], "answered": {}}
    worker = None
    try:

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return True
            except OSError:
                return False

        _wait_for(answers, 60, "gunicorn")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{url}/login/")
            page.fill("input[name=username]", "leader")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(lambda address: "/login/" not in address)

            def one_job() -> float:
                page.goto(f"{url}/reports/?period=2025")
                button = page.locator("button[name=kind][value=final]")
                button.wait_for()
                clicked_at = time.time()
                button.click()
                page.wait_for_url(re.compile(r"/reports/jobs/\d+/$"), wait_until="commit")
                # Seen in the page at each animation frame, stamped with the page's clock
                # (this machine's): Playwright's own waiting re-checks after 0, 20, 50, 100,
                # 100 and then every 500 ms, which would add up to half a second to a job
                # page that waits on the server for its link.
                shown_at = (
                    page.wait_for_function(
                        """() => {
                      const link = document.querySelector("#job-status a[href$='/download/pdf/']");
                      return link && link.checkVisibility() ? Date.now() : null;
                    }""",
                        polling="raf",
                    ).json_value()
                    / 1000
                )
                seconds = shown_at - clicked_at
                job_id = int(re.search(r"/jobs/(\d+)/", page.url).group(1))
                # When the browser had the status answer that carried the link (its own
                # clock is this machine's): the server's part ends there.
                results["answered"][job_id] = page.evaluate(
                    """() => {
                      const asks = performance.getEntriesByType("resource")
                        .filter((entry) => entry.name.includes("/status/"));
                      const last = asks[asks.length - 1];
                      return last ? (performance.timeOrigin + last.responseEnd) / 1000 : null;
                    }"""
                )
                results["timeline"].append((job_id, clicked_at, clicked_at + seconds))
                return seconds

            for restart in range(restarts):
                worker = _start_worker(env, workdir / f"worker-{restart}.log")
                time.sleep(1)  # the worker idle after its start, as a real one would be
                results["first"].append(one_job())
                if restart == restarts - 1:
                    one_job()  # not counted: the page and the server are warm from here
                    for _ in range(jobs):
                        results["warm"].append(one_job())
                        if between is not None:
                            between()
                _stop(worker)
                worker = None
            browser.close()
    finally:
        if worker is not None:
            _stop(worker)
        _stop(web)
    return results
