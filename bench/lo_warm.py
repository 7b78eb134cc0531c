"""LibreOffice kept resident: convert one DOCX to PDF repeatedly through UNO, the way a
conversion service (unoserver and the like) keeps soffice warm.

Runs under the system Python, which has Debian's python3-uno (the project's venv does not):
    /usr/bin/python3 bench/lo_warm.py FILE.docx OUTDIR [--runs 10]
Prints one JSON object: the seconds of each conversion and the size of the last PDF.
With --serve it converts once per line read from stdin and answers each with a JSON line,
so that a caller can interleave these conversions with its own renders (same machine load).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # noqa: F401 (registers the com.sun.star import hook)
from com.sun.star.beans import PropertyValue


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _props(**values):
    result = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        result.append(prop)
    return tuple(result)


def _connect(port: int, deadline: float):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    while True:
        try:
            return resolver.resolve(
                f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
            )
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("docx", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    port = _free_port()
    profile = tempfile.mkdtemp(prefix="lawgov-lo-warm-")
    process = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = _connect(port, time.monotonic() + 60)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        args.outdir.mkdir(parents=True, exist_ok=True)
        source = uno.systemPathToFileUrl(str(args.docx.resolve()))
        target_path = args.outdir / "lo-warm.pdf"
        target = uno.systemPathToFileUrl(str(target_path.resolve()))

        def convert() -> float:
            started = time.perf_counter()
            document = desktop.loadComponentFromURL(source, "_blank", 0, _props(Hidden=True))
            document.storeToURL(target, _props(FilterName="writer_pdf_Export"))
            document.close(True)
            return time.perf_counter() - started

        if args.serve:
            print(json.dumps({"ready": True}), flush=True)
            for _line in sys.stdin:
                seconds = convert()
                size = os.path.getsize(target_path)
                print(json.dumps({"seconds": seconds, "pdf_bytes": size}), flush=True)
            return
        seconds = [convert() for _ in range(args.runs)]
        print(json.dumps({"seconds": seconds, "pdf_bytes": os.path.getsize(target_path)}))
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
