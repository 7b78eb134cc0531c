"""The web process settles Python's garbage collector once it has started (lawgov/collector.py):
what start-up built is frozen out of the collector's scans, so a request's own garbage is
collected without a long pause."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wsgi_application_freezes_what_start_up_built():
    code = (
        "import gc; assert gc.get_freeze_count() == 0; "
        "import lawgov.wsgi; print(gc.get_freeze_count())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 10_000  # Django's and the apps' objects, not a handful
