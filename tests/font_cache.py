"""The reduced fonts the renderer tests lay out with, built once per machine and kept outside
the clone (two or three minutes of fontTools work; rendering never builds them, a report uses
the full fonts meanwhile).

The folder is keyed by inputs_digest. The renderer names each file by its source's path and
mtime, which a fresh clone changes, so every role's font is also kept under a name of its own
(<role>.font) and linked to the name the renderer looks for. A file lock makes parallel test
workers build them once: the first builds, the others wait and reuse.

`.ci/run` starts `python -m tests.font_cache --processes 2` in the background while
LibreOffice installs, so that the suite's first renderer test finds them built (or waits on
the lock for the rest) instead of one test worker spending two minutes on them.
"""

import argparse
import fcntl
import hashlib
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def inputs_digest(sources: dict) -> str:
    """SHA-256 of everything a reduced font is made from: the source files' bytes, the
    characters kept, the glyph order and the code that cuts them. A fresh clone (new paths,
    new mtimes) finds the fonts an earlier run built; any change to an input rebuilds."""
    from reports.rendering import fonts, outlines

    digest = hashlib.sha256()
    for role, (source, simplify) in sorted(sources.items()):
        digest.update(f"{role}|{source.index}|{simplify}|".encode())
        with open(source.path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    digest.update(fonts.glyph_priority().encode())
    digest.update(repr(fonts.reduced_charset()).encode())
    for module in (fonts, outlines):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def cache_root() -> Path:
    path = os.environ.get("LAWGOV_TEST_FONT_CACHE")
    if path:
        return Path(path)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lawgov" / "test-fonts"


def _build_one(role: str, cache: str) -> None:
    from reports.rendering.fonts import _build_reduced, _reduced_path, reduced_sources

    source, simplify = reduced_sources()[role]
    target = _reduced_path(Path(cache), role, source)
    if not target.exists():
        _build_reduced(source, target, simplify=simplify)


def prepared(*, processes: int = 1) -> Path:
    """The folder of reduced fonts for this machine's sources, built first where missing
    (in `processes` processes: one per role at a time)."""
    from reports.rendering.fonts import _reduced_path, reduced_fonts, reduced_sources

    sources = reduced_sources()
    cache = cache_root() / inputs_digest(sources)
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            for role, (source, _) in sources.items():
                kept, wanted = cache / f"{role}.font", _reduced_path(cache, role, source)
                if kept.exists() and not wanted.exists():
                    os.link(kept, wanted)
            if processes > 1:
                with ProcessPoolExecutor(processes) as pool:
                    list(pool.map(_build_one, sources, [str(cache)] * len(sources)))
            for role, built in reduced_fonts(cache, build=True).items():
                kept = cache / f"{role}.font"
                if not kept.exists():
                    os.link(built, kept)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return cache


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    started = time.monotonic()
    folder = prepared(processes=args.processes)
    print(f"test fonts ready in {time.monotonic() - started:.0f} s: {folder}")
