"""Benchmark of the OFD (GB/T 33190) written beside the PDF; prints a markdown table per document.

    python bench/bench_ofd.py [--font-cache var/fonts] [--builds 10] [--runs 3]
                              [--document speech|report|both]

The documents: the speech (the default template, final) and the annual report
(ANNUAL_REPORT_TEXT in the report's layout, final). In one warm process (fonts, CSS and
WeasyPrint loaded by a first build), for each build, with the garbage collector held off
as ``pdf.write_from_layout`` does for a job: lay the document out once, write the PDF
from it while recording its glyphs (``ofd.recording_glyphs``), then the OFD from the
same layout and recording (timed). What the OFD adds on top of the PDF is the OFD write
plus the time spent recording inside the PDF write (measured inside the hook); the PDF
time is the PDF write without it. Sizes are of the same build, so the ratio is OFD / PDF
of one layout. Each run prints the load average at its start and end.
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

from reports.rendering import (  # noqa: E402
    ANNUAL_REPORT_TEXT,
    DEFAULT_TEMPLATE_TEXT,
    parse_template,
)
from reports.rendering.fonts import pdf_font_css, reduced_fonts  # noqa: E402
from reports.rendering.htmlout import document_html  # noqa: E402
from reports.rendering.ofd import DocInfo, recording_glyphs, write_ofd  # noqa: E402
from reports.rendering.ofd.fonts import subset_font  # noqa: E402
from reports.rendering.ofd.layout import page_layouts  # noqa: E402
from reports.rendering.ofd.package import _used_fonts  # noqa: E402
from reports.rendering.pdf import (  # noqa: E402
    _font_configuration_and_stylesheets,
    install_inter_character_justification,
)
from reports.rendering.speech import render_text  # noqa: E402

DOCUMENTS = {
    # name: (template, page layout)
    "speech": (DEFAULT_TEMPLATE_TEXT, "speech"),
    "report": (ANNUAL_REPORT_TEXT, "report"),
}


def annual_snapshot() -> dict:
    """``bench_render.snapshot`` with a figure for each code of the annual report."""
    codes = parse_template(ANNUAL_REPORT_TEXT).codes()
    figures = {
        code: {
            "value": str(10 + 7 * i),
            "status": "approved",
            "name": code,
            "unit": "个",
            "department": "区司法局",
            "previous": str(9 + 7 * i),
        }
        for i, code in enumerate(codes)
    }
    return {**snapshot(), "figures": figures}


def lay_out(font_cache: Path, document: str):
    from weasyprint import HTML

    template, layout = DOCUMENTS[document]
    install_inter_character_justification()
    font_config, stylesheets = _font_configuration_and_stylesheets(
        pdf_font_css(None, font_cache, None)
    )
    figures = annual_snapshot() if document == "report" else snapshot()
    speech = render_text(parse_template(template), figures, "final")
    html = document_html(
        speech, "", break_hints=True, inline_style=False, cover=False, layout=layout
    )
    return HTML(string=html, base_url=".").render(font_config=font_config, stylesheets=stylesheets)


def one_build(font_cache: Path, document_name: str) -> dict[str, float]:
    gc.disable()
    try:
        document = lay_out(font_cache, document_name)
        started = time.perf_counter()
        with recording_glyphs() as recording:
            pdf = document.write_pdf()
        pdf_done = time.perf_counter()
        ofd = write_ofd(
            document, DocInfo(title="讲话稿", author="示范区人民政府"), recording=recording
        )
        ofd_done = time.perf_counter()
        # The OFD's parts, once more on the same layout: placing the recorded glyphs,
        # subsetting the fonts.
        pages = page_layouts(document, recording)
        layout_done = time.perf_counter()
        for face, characters, glyphs in _used_fonts(pages).values():
            subset_font(face, characters, glyphs)
        subset_done = time.perf_counter()
        recorded = len(recording)
        del document
    finally:
        gc.enable()
        gc.collect(0)
    return {
        "pdf_ms": (pdf_done - started - recording.seconds) * 1000,
        "record_ms": recording.seconds * 1000,
        "ofd_ms": (ofd_done - pdf_done + recording.seconds) * 1000,
        "layout_ms": (layout_done - ofd_done) * 1000,
        "subset_ms": (subset_done - layout_done) * 1000,
        "pdf_bytes": len(pdf),
        "ofd_bytes": len(ofd),
        "recorded": recorded,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--font-cache", default=str(REPO / "var" / "fonts"))
    parser.add_argument("--builds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--document", choices=[*DOCUMENTS, "both"], default="both")
    args = parser.parse_args()
    font_cache = Path(args.font_cache)
    reduced_fonts(font_cache, build=True)
    names = list(DOCUMENTS) if args.document == "both" else [args.document]
    for name in names:
        one_build(font_cache, name)  # warm: imports, fonts, CSS, Pango, HarfBuzz
    for name in names:
        rows = []
        for _ in range(args.runs):
            load_start = os.getloadavg()[0]
            builds = [one_build(font_cache, name) for _ in range(args.builds)]
            load_end = os.getloadavg()[0]
            rows.append((builds, load_start, load_end))
        print(f"\n{name}\n")
        print_table(rows, args.builds)


def print_table(rows, builds: int) -> None:
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
            f"Write the PDF from the layout (less the recording), median of {builds}",
            lambda b, s, e: f"{median(b, 'pdf_ms'):.0f} ms",
        ),
        (
            f"**The OFD on top (recording + OFD write), median of {builds}** (target ≤ 50 ms)",
            lambda b, s, e: f"**{median(b, 'ofd_ms'):.0f} ms**",
        ),
        ("…slowest of those", lambda b, s, e: f"{max(x['ofd_ms'] for x in b):.0f} ms"),
        (
            "…of which recording the glyphs during the PDF write (median)",
            lambda b, s, e: f"{median(b, 'record_ms'):.1f} ms",
        ),
        (
            "…of which placing the recorded glyphs on the pages (median)",
            lambda b, s, e: f"{median(b, 'layout_ms'):.1f} ms",
        ),
        (
            "…of which subsetting the fonts (median)",
            lambda b, s, e: f"{median(b, 'subset_ms'):.1f} ms",
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
