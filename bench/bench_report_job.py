"""The report as the portal builds it: the service path of a warm worker (snapshot → PDF +
DOCX → files), `manage.py build_report` as a cold process, and, where LibreOffice is
installed, converting the same speech's DOCX to PDF with it, as offices do today.

    DATABASE_URL=... python bench/bench_report_job.py [--builds 20]

Runs against the configured database (seed it with `manage.py seed_demo`); prints markdown.
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


def _libreoffice_warm(docx: Path, outdir: Path) -> list[tuple[str, str]]:
    """LibreOffice kept resident and driven through UNO (bench/lo_warm.py, under the system
    Python that has python3-uno), where that is installed."""
    import json

    system_python = shutil.which("python3", path="/usr/bin")
    probe = subprocess.run([system_python, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        return [("LibreOffice kept warm", "python3-uno not installed; not measured")]
    result = subprocess.run(
        [system_python, str(REPO / "bench" / "lo_warm.py"), str(docx), str(outdir), "--runs", "11"],
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(result.stdout)
    first, rest = data["seconds"][0], data["seconds"][1:]
    return [
        ("LibreOffice kept warm (UNO): first conversion", f"{first * 1000:.0f} ms"),
        (f"LibreOffice kept warm (UNO): median of next {len(rest)}", _median_ms(rest)),
        ("LibreOffice kept warm: PDF size", f"{data['pdf_bytes'] / 1024:.0f} KiB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--builds", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

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
        (
            f"Warm worker: job service path (snapshot, PDF, DOCX, files), median of {args.builds}",
            _median_ms(warm),
        ),
        ("Warm worker: slowest of those builds", _median_ms([max(warm)])),
        (
            "PDF size",
            f"{statistics.median(sizes) / 1024:.0f} KiB ({statistics.median(sizes)} bytes)",
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
        rows += _libreoffice_warm(out / "cold.docx", out / "lo")
    else:
        rows.append(("LibreOffice", "not installed; comparison skipped"))
    print("| Measure | Value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
