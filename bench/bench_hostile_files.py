"""Benchmark: how fast, and with how little memory, crafted sheets are refused.

Builds each hostile file of tests/metrics/hostile_files.py (packed tight, and "diluted" with an
incompressible image to slip under the compression-ratio check so that the XML scan has to
catch it), then reads it with `metrics.tabular.read_figure_rows` as the upload and
`load_figures` do, and measures:

- time: median of `--repeat` refusals in this process;
- tracemalloc peak: the most Python memory allocated during one refusal;
- peak RSS: the high-water mark (VmHWM) of a fresh subprocess that sets Django up, reads
  the file's bytes and then the file (about 70 MiB is Python, Django and openpyxl alone;
  `getrusage`'s ru_maxrss would carry over the parent's size through fork and exec).

The reference is a normal sheet read in the same run: one row per indicator of the demo
catalogue up to the row limit (the largest sheet the portal accepts), which imports. Ratios
are hostile / normal. `--before REV` also reads each file with the reader as it was at git
revision REV (e.g. 61110da), in a subprocess limited to 2.5 GB and `--before-timeout` s.

    .venv/bin/python bench/bench_hostile_files.py --repeat 5 --before 61110da --docs

`--docs` writes the table into docs/benchmarks.md (section "Hostile spreadsheet uploads").
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawgov.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("LOG_LEVEL", "WARNING")

SECTION = "## Hostile spreadsheet uploads"
MARK_START, MARK_END = "<!-- bench_hostile_files: start -->", "<!-- bench_hostile_files: end -->"


def setup():
    import django

    django.setup()


def max_rows() -> int:
    from metrics.catalogue import INDICATORS
    from metrics.tabular import ROW_MARGIN

    return len(INDICATORS) + ROW_MARGIN


def cases():
    from tests.metrics import hostile_files as h

    codes = [f"indicator_{n:04d}" for n in range(max_rows() - 1)]
    yield "normal sheet (reference)", "xlsx", lambda: h.normal_sheet(codes)
    for name, build in h.HOSTILE_XLSX.items():
        yield f"{name}, packed", "xlsx", build
        yield f"{name}, diluted", "xlsx", lambda build=build: build(dilute=True)
    yield (
        "normal CSV (reference)",
        "csv",
        lambda: ("code,value,remark\n" + "".join(f"{c},1,含撤回 2 起\n" for c in codes)).encode(),
    )
    for name, build in h.HOSTILE_CSV.items():
        yield name, "csv", build


def read(data: bytes, kind: str, reader=None):
    """The rows, or the refusal's first message."""
    from django.core.exceptions import ValidationError

    if reader is None:
        from metrics.tabular import read_figure_rows

        def reader(data, name):
            return read_figure_rows(data, name, max_rows=max_rows())

    try:
        return f"{len(reader(data, f'figures.{kind}'))} rows read"
    except ValidationError as exc:
        return exc.messages[0]


def old_reader(rev: str):
    """`read_figure_rows` as it was at `rev`, loaded beside the current module."""
    import importlib.util

    source = subprocess.run(
        ["git", "show", f"{rev}:metrics/tabular.py"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    spec = importlib.util.spec_from_loader("metrics._tabular_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "metrics"
    exec(compile(source, "metrics/tabular.py@" + rev, "exec"), module.__dict__)
    return module.read_figure_rows


def child(path: str, kind: str, rev: str | None) -> None:
    """Read one file in a fresh process; print seconds, peak RSS (KiB) and the outcome."""
    setup()
    reader = old_reader(rev) if rev else None
    if rev:
        limit = int(2.5 * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    data = Path(path).read_bytes()
    read(b"code,value\n", "csv", reader)  # imports done before measuring
    started = time.perf_counter()
    try:
        outcome = read(data, kind, reader)
    except MemoryError:
        outcome = "MemoryError"
    elapsed = time.perf_counter() - started
    peak = _high_water_kib()
    print(json.dumps({"seconds": elapsed, "rss_kib": peak, "outcome": outcome}))


def _high_water_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def in_subprocess(data: bytes, kind: str, rev=None, timeout=60):
    with tempfile.NamedTemporaryFile(suffix=f".{kind}") as file:
        file.write(data)
        file.flush()
        command = [sys.executable, __file__, "--child", file.name, kind]
        if rev:
            command += ["--child-rev", rev]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {
                "seconds": timeout,
                "rss_kib": None,
                "outcome": f"still running after {timeout} s",
            }
        if done.returncode:
            last = done.stderr.strip().splitlines()[-1][:80]
            return {"seconds": None, "rss_kib": None, "outcome": f"crashed: `{last}`"}
        return json.loads(done.stdout.strip().splitlines()[-1])


def measure(repeat: int, rev: str | None, rev_timeout: int):
    results = []
    for name, kind, build in cases():
        data = build()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            outcome = read(data, kind)
            times.append(time.perf_counter() - started)
        tracemalloc.start()
        read(data, kind)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        row = {
            "name": name,
            "kind": kind,
            "bytes": len(data),
            "seconds": statistics.median(times),
            "peak": peak,
            "rss_kib": in_subprocess(data, kind)["rss_kib"],
            "outcome": outcome,
        }
        if rev:
            row["before"] = in_subprocess(data, kind, rev, rev_timeout)
        results.append(row)
        print(f"{name}: {row['seconds'] * 1000:.1f} ms, {outcome}", file=sys.stderr)
    return results


def table(results, rev):
    reference = {r["kind"]: r for r in results if "reference" in r["name"]}
    head = "| file | size | refused with | median ms | × normal | tracemalloc peak | × normal | process peak RSS |"
    rule = "|---|---:|---|---:|---:|---:|---:|---:|"
    if rev:
        head += f" before ({rev}) |"
        rule += "---|"
    lines = [head, rule]
    for r in results:
        ref = reference[r["kind"]]
        rss = "—" if r["rss_kib"] is None else f"{r['rss_kib'] / 1024:.1f} MiB"
        cells = [
            r["name"],
            _size(r["bytes"]),
            r["outcome"].split("，")[0].split("：")[0],
            f"{r['seconds'] * 1000:.1f}",
            f"{r['seconds'] / ref['seconds']:.2f}",
            f"{r['peak'] / 2**20:.2f} MiB",
            f"{r['peak'] / ref['peak']:.2f}",
            rss,
        ]
        if rev:
            b = r["before"]
            if b["seconds"] is None:
                cells.append(b["outcome"])
            else:
                mem = "" if b["rss_kib"] is None else f", RSS {b['rss_kib'] / 1024:.0f} MiB"
                cells.append(f"{b['seconds']:.2f} s{mem} ({b['outcome'].split('，')[0]})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _size(n):
    return f"{n / 1024:.1f} KiB" if n < 1024**2 else f"{n / 1024**2:.2f} MiB"


def write_docs(text: str) -> None:
    """Put `text` between the section's markers (the prose around them stays), or append the
    section with its markers."""
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text()
    if MARK_START in current and MARK_END in current:
        start = current.index(MARK_START) + len(MARK_START)
        current = current[:start] + "\n" + text + current[current.index(MARK_END) :]
    else:
        current = f"{current.rstrip()}\n\n{SECTION}\n\n{MARK_START}\n{text}{MARK_END}\n"
    path.write_text(current)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", metavar="REV", help="also time the reader at this revision")
    parser.add_argument("--before-timeout", type=int, default=30)
    parser.add_argument("--docs", action="store_true", help="write the section into docs")
    parser.add_argument("--child", nargs=2, metavar=("PATH", "KIND"), help=argparse.SUPPRESS)
    parser.add_argument("--child-rev", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.child_rev)
        return
    setup()
    results = measure(args.repeat, args.before, args.before_timeout)
    command = "`.venv/bin/python bench/bench_hostile_files.py --repeat {}{}{}`".format(
        args.repeat,
        f" --before {args.before}" if args.before else "",
        " --docs" if args.docs else "",
    )
    body = table(results, args.before)
    print(body)
    if args.docs:
        write_docs(f"{command} — row limit {max_rows()}.\n\n{body}\n")


if __name__ == "__main__":
    main()
