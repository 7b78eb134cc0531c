"""Benchmark of the report renderer; prints a markdown table.

    python bench/bench_render.py [--font-cache var/fonts] [--builds 20] [--rss-builds 100]

Measures, with the reduced fonts cached on disk (built first if missing):
warm render median, a cold process (imports + one render), PDF size, peak RSS
over many builds in one process, and a template ten times the speech's length.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reports.rendering import (  # noqa: E402 - needs the repository on sys.path first
    DEFAULT_TEMPLATE_TEXT,
    harfbuzz_subset_available,
    parse_template,
    render_docx,
    render_pdf,
)
from reports.rendering.fonts import reduced_fonts  # noqa: E402


def snapshot() -> dict:
    codes = parse_template(DEFAULT_TEMPLATE_TEXT).codes()
    figures = {
        code: {
            "value": str(100 + 37 * i),
            "status": "approved",
            "name": code,
            "unit": "个",
            "department": "区司法局",
            "previous": str(90 + 37 * i),
        }
        for i, code in enumerate(codes)
    }
    return {
        "district_name": "示范",
        "period": "2025",
        "period_label": "2025年度",
        "figures": figures,
    }


def long_template() -> str:
    """The speech body ten times over, under one title."""
    lines = DEFAULT_TEMPLATE_TEXT.splitlines()
    title = [line for line in lines if line.startswith("# ")]
    body = [line for line in lines if not line.startswith("# ")]
    return "\n".join(title + body * 10)


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def rss_child(font_cache: str, builds: int) -> dict:
    """Run the builds in a fresh process so its peak RSS is the renderer's alone."""
    code = f"""
import json, resource, sys
sys.path.insert(0, {str(REPO)!r})
sys.path.insert(0, {str(Path(__file__).parent)!r})
from bench_render import snapshot
from reports.rendering import DEFAULT_TEMPLATE_TEXT, parse_template, render_pdf
template, snap = parse_template(DEFAULT_TEMPLATE_TEXT), snapshot()
render_pdf(template, snap, font_cache_dir={font_cache!r})
first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for _ in range({builds} - 1):
    render_pdf(template, snap, font_cache_dir={font_cache!r})
print(json.dumps({{"first": first, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_process(font_cache: str) -> float:
    code = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
sys.path.insert(0, {str(Path(__file__).parent)!r})
from bench_render import snapshot
from reports.rendering import DEFAULT_TEMPLATE_TEXT, render_pdf
render_pdf(DEFAULT_TEMPLATE_TEXT, snapshot(), font_cache_dir={font_cache!r})
"""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font-cache", default=str(REPO / "var" / "fonts"))
    parser.add_argument("--builds", type=int, default=20)
    parser.add_argument("--rss-builds", type=int, default=100)
    args = parser.parse_args()
    font_cache = os.path.abspath(args.font_cache)

    build_time, fonts = timed(reduced_fonts, font_cache)
    template, snap = parse_template(DEFAULT_TEMPLATE_TEXT), snapshot()
    first_time, pdf = timed(render_pdf, template, snap, font_cache_dir=font_cache)
    warm = [
        timed(render_pdf, template, snap, font_cache_dir=font_cache)[0] for _ in range(args.builds)
    ]
    full_fonts = [timed(render_pdf, template, snap)[0] for _ in range(5)]
    full_pdf = render_pdf(template, snap)
    draft = [
        timed(render_pdf, template, snap, "draft", font_cache_dir=font_cache)[0] for _ in range(5)
    ]
    docx = [timed(render_docx, template, snap)[0] for _ in range(args.builds)]
    long = parse_template(long_template())
    long_times, long_pdf = [], b""
    for _ in range(5):
        seconds, long_pdf = timed(render_pdf, long, snap, font_cache_dir=font_cache)
        long_times.append(seconds)
    cold = cold_process(font_cache)
    rss = rss_child(font_cache, args.rss_builds)
    kib = 1 if sys.platform != "darwin" else 1024  # ru_maxrss is KiB on Linux

    rows = [
        (
            "HarfBuzz subsetting (libharfbuzz-subset)",
            "yes" if harfbuzz_subset_available() else "NO",
        ),
        ("Reduced fonts available / lookup time", f"{len(fonts)} roles, {build_time:.2f} s"),
        ("First render in this process", f"{first_time:.2f} s"),
        (f"Warm render, median of {args.builds} (final PDF)", f"{statistics.median(warm):.3f} s"),
        ("Warm render, full system fonts, median of 5", f"{statistics.median(full_fonts):.3f} s"),
        ("Warm render, draft with cover, median of 5", f"{statistics.median(draft):.3f} s"),
        (f"DOCX render, median of {args.builds}", f"{statistics.median(docx) * 1000:.1f} ms"),
        ("Cold process (imports + one render)", f"{cold:.2f} s"),
        ("PDF size (reduced fonts)", f"{len(pdf) / 1024:.0f} KiB"),
        ("PDF size (full system fonts)", f"{len(full_pdf) / 1024:.0f} KiB"),
        ("Peak RSS after 1 build", f"{rss['first'] * kib / 1024:.0f} MiB"),
        (f"Peak RSS after {args.rss_builds} builds", f"{rss['peak'] * kib / 1024:.0f} MiB"),
        ("10× template: warm render, median of 5", f"{statistics.median(long_times):.2f} s"),
        ("10× template: PDF size", f"{len(long_pdf) / 1024:.0f} KiB"),
    ]
    print("| Measure | Value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print(
        f"\nPython {sys.version.split()[0]}, peak RSS of this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
