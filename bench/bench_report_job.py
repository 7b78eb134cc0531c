"""The report as the portal builds it, all figures from one run: the renderer alone (warm
PDF), the service path of a warm worker (snapshot → PDF + DOCX → files), `manage.py
build_report` as a cold process, LibreOffice converting the same speech's DOCX to PDF (a new
process each time, and kept warm through UNO), and, with --browser, click → download link in
Chromium against gunicorn and a Celery worker over Redis (bench/click_to_link.py).

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/bench_report_job.py \
        [--builds 20] [--browser] [--jobs 20] [--restarts 3]

Runs against the configured database (migrated and seeded here); prints markdown.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawgov.settings")


def _median_ms(samples):
    return f"{statistics.median(samples) * 1000:.0f} ms"


def _libreoffice_warm(docx: Path, outdir: Path, found: dict, render) -> list[tuple[str, str]]:
    """LibreOffice kept resident and driven through UNO (bench/lo_warm.py --serve, under the
    system Python that has python3-uno), where that is installed. Its conversions alternate
    one for one with warm renders of our PDF (``render()``), so that both see the same load
    of this shared machine and the ratio compares like with like."""
    import json

    system_python = shutil.which("python3", path="/usr/bin")
    probe = subprocess.run([system_python, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        return [("LibreOffice kept warm", "python3-uno not installed; not measured")]
    server = subprocess.Popen(
        [system_python, str(REPO / "bench" / "lo_warm.py"), str(docx), str(outdir), "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert json.loads(server.stdout.readline()).get("ready")

        def convert() -> dict:
            server.stdin.write("convert\n")
            server.stdin.flush()
            return json.loads(server.stdout.readline())

        first = convert()["seconds"]
        convert()  # a second warm-up conversion, as our renderer is warmed up too
        lo, ours = [], []
        for _ in range(found["rounds"]):
            data = convert()
            lo.append(data["seconds"])
            ours.append(render())
    finally:
        server.stdin.close()
        server.wait(timeout=60)
    found["lo_warm"] = statistics.median(lo)
    found["pdf_interleaved"] = statistics.median(ours)
    return [
        ("LibreOffice kept warm (UNO): first conversion", f"{first * 1000:.0f} ms"),
        (f"LibreOffice kept warm (UNO): median of {len(lo)}", _median_ms(lo)),
        (
            f"Warm PDF render, median of {len(ours)} alternating with those conversions",
            _median_ms(ours),
        ),
        ("LibreOffice kept warm: PDF size", f"{data['pdf_bytes'] / 1024:.0f} KiB"),
    ]


def _p95(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _build_seconds(job) -> float:
    """The build as the job's own timestamps say (one clock): from the job marked running to
    its files stored, the same stretch of `run_report_job` in the worker and in-process."""
    return (job.finished_at - job.started_at).total_seconds()


def _browser_rows(args, workdir: Path, build_in_process) -> list[tuple[str, str]]:
    if not os.environ.get("REDIS_URL"):
        return [("Click → PDF link (browser)", "needs REDIS_URL (a worker over Redis)")]
    sys.path.insert(0, str(REPO / "bench"))
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import redis
    from click_to_link import measure

    # When each job's pages were told it moved on (the worker's announcements), heard by a
    # subscriber of our own, for the phase from the build's end to its announcement.
    announced: dict[int, float] = {}
    listener = redis.Redis.from_url(os.environ["REDIS_URL"]).pubsub()
    listener.psubscribe("lawgov:report-job:*")
    stop = threading.Event()

    def listen():
        while not stop.is_set():
            message = listener.get_message(timeout=0.2)
            if message and message["type"] == "pmessage":
                announced[int(message["channel"].rsplit(b":", 1)[1])] = time.time()

    hearing = threading.Thread(target=listen, daemon=True)
    hearing.start()
    in_process = []
    # Playwright's sync API runs an event loop in this thread, where Django refuses the
    # ORM: the in-process builds run in a thread of their own (one, keeping its connection).
    with ThreadPoolExecutor(max_workers=1) as builder:
        data = measure(
            jobs=args.jobs,
            restarts=args.restarts,
            workdir=workdir,
            between=lambda: in_process.append(
                _build_seconds(builder.submit(build_in_process).result())
            ),
        )
    stop.set()
    hearing.join(timeout=5)
    from reports.models import ReportJob

    # Where the time goes, from the jobs' own timestamps (one clock: all on this machine).
    phases = {"click → job stored": [], "stored → worker starts": [], "worker: build": []}
    phases["built → announced (committed, published)"] = []
    phases["announced → status answer received"] = []
    phases["answer received → link visible"] = []
    warm_ids = {job_id for job_id, _, _ in data["timeline"][-len(data["warm"]) :]}
    worker_builds = []
    for job_id, clicked, shown in data["timeline"]:
        job = ReportJob.objects.get(pk=job_id)
        stored, started, finished = (
            t.timestamp() for t in (job.requested_at, job.started_at, job.finished_at)
        )
        phases["click → job stored"].append(stored - clicked)
        phases["stored → worker starts"].append(started - stored)
        phases["worker: build"].append(finished - started)
        phases["built → announced (committed, published)"].append(
            announced.get(job_id, shown) - finished
        )
        answered = data["answered"].get(job_id) or shown
        phases["announced → status answer received"].append(
            answered - announced.get(job_id, answered)
        )
        phases["answer received → link visible"].append(shown - answered)
        if job_id in warm_ids:
            worker_builds.append(finished - started)
    warm = sorted(data["warm"])
    first = data["first"]
    ratio = statistics.median(worker_builds) / statistics.median(in_process)
    return (
        [
            (
                f"Click → visible 下载 PDF, warm worker, median of {len(warm)} (target ≤ 0.4 s)",
                f"**{statistics.median(warm):.3f} s**",
            ),
            (
                f"Click → visible 下载 PDF, warm worker, p95 of {len(warm)} (target ≤ 0.6 s)",
                f"**{_p95(warm):.3f} s**",
            ),
            ("Click → visible 下载 PDF, warm worker, slowest", f"{warm[-1]:.3f} s"),
            (
                f"Click → visible 下载 PDF, first job after a worker start, each of {len(first)} "
                "starts",
                " / ".join(f"{s:.3f}" for s in first) + " s",
            ),
        ]
        + [
            (
                f"…of which {name} (median / p95 / max of {len(values)})",
                f"{statistics.median(values) * 1000:.0f} / {_p95(values) * 1000:.0f} / "
                f"{max(values) * 1000:.0f} ms",
            )
            for name, values in phases.items()
        ]
        + [
            (
                f"Same build in this process, alternating with the warm jobs (median of "
                f"{len(in_process)})",
                _median_ms(in_process),
            ),
            (
                f"**Ratio: worker build / in-process build, alternating** (medians of "
                f"{len(worker_builds)} and {len(in_process)})",
                f"**{ratio:.2f}**",
            ),
        ]
    )


def _worker_alone_rows(rounds: int, workdir: Path, new_job, build_in_process):
    """The control for the ratio beside Chromium: the same worker's build and the in-process
    one alternating with no browser and no web server running, the job queued straight from
    this process. Equal here and slower beside the browser: the difference is the page's load
    competing for the two cores, not the worker."""
    sys.path.insert(0, str(REPO / "bench"))
    from click_to_link import _start_worker, _stop

    from reports.tasks import build_report

    env = {**os.environ, "LAWGOV_MEDIA_ROOT": str(workdir / "media")}
    worker = _start_worker(env, workdir / "worker-alone.log")
    worker_builds, in_process = [], []
    try:
        time.sleep(1)
        for _ in range(rounds):
            in_process.append(_build_seconds(build_in_process()))
            job = new_job()
            build_report.delay(job.pk)
            deadline = time.monotonic() + 60
            while not job.is_finished and time.monotonic() < deadline:
                time.sleep(0.02)
                job.refresh_from_db()
            worker_builds.append(_build_seconds(job))
    finally:
        _stop(worker)
    return [
        (
            f"Control, no browser: worker build / in-process build, alternating (medians of "
            f"{rounds}: {_median_ms(worker_builds)} / {_median_ms(in_process)})",
            f"{statistics.median(worker_builds) / statistics.median(in_process):.2f}",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", type=int, default=20)
    parser.add_argument("--browser", action="store_true", help="click → link in Chromium")
    parser.add_argument("--jobs", type=int, default=20, help="warm jobs in the browser")
    parser.add_argument("--restarts", type=int, default=3, help="worker starts (first jobs)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", district_only=True, verbosity=0)
    from reports import rendering
    from reports.rendering.fonts import reduced_fonts
    from reports.rendering.pdf import warm_up

    reduced_fonts(settings.REPORT_FONT_CACHE_DIR, build=True)
    found: dict = {}

    from metrics.models import ReportingPeriod
    from metrics.system import SystemAccount, system_account
    from reports import services

    requester = system_account(SystemAccount.COMMAND_LINE, permissions=("reports.request_report",))

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="lawgov-bench-")
    period = ReportingPeriod.objects.get(code="2025")
    warm, sizes = [], []
    services.run_report_job(
        job_id=services.create_report_job(period=period, kind="final", user=requester).pk
    )
    for _ in range(args.builds):
        started = time.perf_counter()
        job = services.run_report_job(
            job_id=services.create_report_job(period=period, kind="final", user=requester).pk
        )
        warm.append(time.perf_counter() - started)
        sizes.append(job.pdf_size)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # The renderer alone on the same job's template and snapshot, warm (fonts loaded).
    template = rendering.parse_template(job.template_version.text)
    font_args = {
        "font_dir": settings.REPORT_FONT_DIR,
        "font_cache_dir": settings.REPORT_FONT_CACHE_DIR,
    }
    warm_up(**font_args)
    render = []
    for _ in range(args.builds):
        started = time.perf_counter()
        rendering.render_pdf(template, job.snapshot, "final", **font_args)
        render.append(time.perf_counter() - started)
    found["pdf_warm"] = statistics.median(render)

    def one_render() -> float:
        started = time.perf_counter()
        rendering.render_pdf(template, job.snapshot, "final", **font_args)
        return time.perf_counter() - started

    found["rounds"] = args.builds
    docx_times = []
    for _ in range(args.builds):
        started = time.perf_counter()
        rendering.render_docx(template, job.snapshot, "final")
        docx_times.append(time.perf_counter() - started)

    out = Path(settings.MEDIA_ROOT)
    cold = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "build_report",
                "--period",
                "2025",
                "--output",
                str(out / "cold.pdf"),
                "--docx",
                str(out / "cold.docx"),
            ],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        cold.append(time.perf_counter() - started)

    rows = [
        (f"Warm PDF render (renderer alone), median of {args.builds}", _median_ms(render)),
        (f"DOCX render, median of {args.builds}", _median_ms(docx_times)),
        (
            f"Warm worker: job service path (snapshot, PDF, DOCX, files), median of {args.builds}",
            _median_ms(warm),
        ),
        ("Warm worker: slowest of those builds", _median_ms([max(warm)])),
        (
            "PDF size",
            f"{statistics.median(sizes) / 1024:.0f} KiB ({int(statistics.median(sizes))} bytes)",
        ),
        (f"Peak RSS of this process after {args.builds + 1} jobs", f"{rss_mib:.0f} MiB"),
        (
            "Cold `manage.py build_report` (new process), median of 3",
            f"{statistics.median(cold):.2f} s",
        ),
    ]
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        profile = tempfile.mkdtemp(prefix="lawgov-lo-")
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(out / "lo"),
                    str(out / "cold.docx"),
                ],
                check=True,
                capture_output=True,
            )
            runs.append(time.perf_counter() - started)
        lo_pdf = out / "lo" / "cold.pdf"
        rows += [
            ("LibreOffice headless DOCX → PDF, first run (cold)", f"{runs[0]:.2f} s"),
            (
                "LibreOffice headless DOCX → PDF, median of next 4 (new process each)",
                f"{statistics.median(runs[1:]):.2f} s",
            ),
            ("LibreOffice PDF size", f"{lo_pdf.stat().st_size / 1024:.0f} KiB"),
        ]
        rows += _libreoffice_warm(out / "cold.docx", out / "lo", found, one_render)
        found["lo_process"] = statistics.median(runs[1:])
    else:
        rows.append(("LibreOffice", "not installed; comparison skipped"))
    if "lo_warm" in found:
        rows.append(
            (
                "**Ratio: warm PDF render / LibreOffice kept warm, alternating** (target ≤ 0.8)",
                f"**{found['pdf_interleaved'] / found['lo_warm']:.2f}**",
            )
        )
    if "lo_process" in found:
        rows.append(
            (
                "Ratio: warm PDF render / LibreOffice new process each",
                f"{found['pdf_warm'] / found['lo_process']:.2f}",
            )
        )
    if args.browser:

        def new_job():
            return services.create_report_job(period=period, kind="final", user=requester)

        def build_in_process():
            return services.run_report_job(job_id=new_job().pk)

        if os.environ.get("REDIS_URL"):
            rows += _worker_alone_rows(
                args.jobs, Path(tempfile.mkdtemp(prefix="lawgov-alone-")), new_job, build_in_process
            )

        rows += _browser_rows(
            args, Path(tempfile.mkdtemp(prefix="lawgov-click-")), build_in_process
        )
    print("| Measure | Value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
