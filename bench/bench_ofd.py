"""Benchmark of the OFD (GB/T 33190) written beside the speech's PDF; prints a markdown table.

    python bench/bench_ofd.py [--font-cache var/fonts] [--builds 10] [--runs 3]

In one warm process (fonts, CSS and WeasyPrint loaded by a first build), for each build:
lay the speech out once, write the PDF from it (timed), then the OFD from the same layout
(timed: what a job adds on top of the PDF). Sizes are of the same build, so the ratio is
OFD / PDF of one layout. Each run prints the load average at its start and end.
Targets (issue 25): OFD ≤ 1.5 × the PDF's size, ≤ 50 ms on top of the PDF.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_render import snapshot  # noqa: E402 - needs the repository on sys.path first

from reports.rendering import DEFAULT_TEMPLATE_TEXT, parse_template  # noqa: E402
from reports.rendering.fonts import pdf_font_css, reduced_fonts  # noqa: E402
from reports.rendering.htmlout import document_html  # noqa: E402
from reports.rendering.ofd import DocInfo, write_ofd  # noqa: E402
from reports.rendering.ofd.fonts import subset_font  # noqa: E402
from reports.rendering.ofd.layout import page_layouts  # noqa: E402
from reports.rendering.pdf import (  # noqa: E402
    _font_configuration_and_stylesheets,
    install_inter_character_justification,
)
from reports.rendering.speech import render_text  # noqa: E402


def layout_speech(font_cache: Path):
    from weasyprint import HTML

    install_inter_character_justification()
    font_config, stylesheets = _font_configuration_and_stylesheets(
        pdf_font_css(None, font_cache, None)
    )
    speech = render_text(parse_template(DEFAULT_TEMPLATE_TEXT), snapshot(), "final")
    html = document_html(speech, "", break_hints=True, inline_style=False, cover=False)
    return HTML(string=html, base_url=".").render(font_config=font_config, stylesheets=stylesheets)


def one_build(font_cache: Path) -> dict[str, float]:
    document = layout_speech(font_cache)
    started = time.perf_counter()
    pdf = document.write_pdf()
    pdf_done = time.perf_counter()
    ofd = write_ofd(document, DocInfo(title="讲话稿", author="示范区人民政府"))
    ofd_done = time.perf_counter()
    # The OFD's parts, once more on the same layout: reading the layout tree, subsetting.
    pages = page_layouts(document)
    layout_done = time.perf_counter()
    used: dict = {}
    for page in pages:
        for run in page.runs:
            face, chars, glyphs = used.setdefault(run.face.key, (run.face, set(), set()))
            chars.update(run.text)
            glyphs.update(run.glyphs)
    for face, chars, glyphs in used.values():
        subset_font(face, chars, glyphs)
    subset_done = time.perf_counter()
    del document
    gc.collect(0)
    return {
        "pdf_ms": (pdf_done - started) * 1000,
        "ofd_ms": (ofd_done - pdf_done) * 1000,
        "layout_ms": (layout_done - ofd_done) * 1000,
        "subset_ms": (subset_done - layout_done) * 1000,
        "pdf_bytes": len(pdf),
        "ofd_bytes": len(ofd),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--font-cache", default=str(REPO / "var" / "fonts"))
    parser.add_argument("--builds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    font_cache = Path(args.font_cache)
    reduced_fonts(font_cache, build=True)
    one_build(font_cache)  # warm: imports, fonts, CSS, Pango, HarfBuzz
    rows = []
    for _ in range(args.runs):
        load_start = os.getloadavg()[0]
        builds = [one_build(font_cache) for _ in range(args.builds)]
        load_end = os.getloadavg()[0]
        rows.append((builds, load_start, load_end))

    def median(builds, key):
        return statistics.median(b[key] for b in builds)

    header = "| Measure | " + " | ".join(f"run {i + 1}" for i in range(len(rows))) + " |"
    print(header)
    print("|---" * (len(rows) + 1) + "|")
    lines = [
        ("Load average (1 min), start → end", lambda b, s, e: f"{s:.1f} → {e:.1f}"),
        ("PDF size", lambda b, s, e: f"{b[0]['pdf_bytes'] / 1024:.0f} KiB"),
        ("OFD size", lambda b, s, e: f"{b[0]['ofd_bytes'] / 1024:.0f} KiB"),
        (
            "**OFD / PDF size** (target ≤ 1.5)",
            lambda b, s, e: f"**{b[0]['ofd_bytes'] / b[0]['pdf_bytes']:.2f}**",
        ),
        (
            f"Write the PDF from the layout, median of {args.builds}",
            lambda b, s, e: f"{median(b, 'pdf_ms'):.0f} ms",
        ),
        (
            f"**Write the OFD on top, median of {args.builds}** (target ≤ 50 ms)",
            lambda b, s, e: f"**{median(b, 'ofd_ms'):.0f} ms**",
        ),
        ("…slowest of those", lambda b, s, e: f"{max(x['ofd_ms'] for x in b):.0f} ms"),
        (
            "…of which reading the layout tree (median)",
            lambda b, s, e: f"{median(b, 'layout_ms'):.0f} ms",
        ),
        (
            "…of which subsetting the fonts (median)",
            lambda b, s, e: f"{median(b, 'subset_ms'):.0f} ms",
        ),
        (
            "OFD time / PDF time (median)",
            lambda b, s, e: f"{median(b, 'ofd_ms') / median(b, 'pdf_ms'):.2f}",
        ),
    ]
    for label, cell in lines:
        print(f"| {label} | " + " | ".join(cell(*row) for row in rows) + " |")


if __name__ == "__main__":
    main()
