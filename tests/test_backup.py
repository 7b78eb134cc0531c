"""`make backup` / `make restore` round-trip figures, their history and report files. Each
case runs the real commands in subprocesses against its own database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

STATE = (
    "from metrics.models import Figure;"
    "import os, pathlib;"
    "f = Figure.objects.get(indicator__code='biz_review_cases_received', period__code='2025');"
    "print(f.value, f.history.count(), Figure.objects.count(),"
    " (pathlib.Path(os.environ['LAWGOV_MEDIA_ROOT']) / 'reports' / 'x.pdf').read_bytes().decode())"
)
TOUCH = (
    "from metrics.models import Figure;"
    "f = Figure.objects.get(indicator__code='biz_review_cases_received', period__code='2025');"
    "f.remark = '复核'; f.save()"
)
CHANGE = (
    "from metrics.models import Figure;"
    "import os, pathlib;"
    "f = Figure.objects.get(indicator__code='biz_review_cases_received', period__code='2025');"
    "f.value = 1; f.save(); Figure.objects.filter(period__code='2026').delete();"
    "(pathlib.Path(os.environ['LAWGOV_MEDIA_ROOT']) / 'reports' / 'x.pdf').write_bytes(b'changed')"
)


def _manage(env, *args):
    if args[0] == "shell":
        args = (*args, "--no-imports")
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _round_trip(env, tmp_path):
    media = Path(env["LAWGOV_MEDIA_ROOT"])
    _manage(env, "migrate", "-v0")
    _manage(env, "seed_demo", "--district-only")
    (media / "reports").mkdir(parents=True)
    (media / "reports" / "x.pdf").write_bytes(b"original")
    _manage(env, "shell", "-c", TOUCH)  # one more history row to carry over
    before = _manage(env, "shell", "-c", STATE).split()
    archive = tmp_path / "backup.tar.gz"
    _manage(env, "backup", "--output", str(archive))
    _manage(env, "shell", "-c", CHANGE)
    assert _manage(env, "shell", "-c", STATE).split() != before
    _manage(env, "restore", str(archive))
    after = _manage(env, "shell", "-c", STATE).split()
    assert after == before
    assert before[0] == "58.0000" and before[1] == "2" and before[3] == "original"


def _env(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(
        DATABASE_URL=database_url,
        LAWGOV_MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SETTINGS_MODULE="lawgov.settings",
    )
    return env


def test_backup_and_restore_on_sqlite(tmp_path):
    _round_trip(_env(tmp_path, f"sqlite:///{tmp_path / 'portal.sqlite3'}"), tmp_path)


def test_backup_and_restore_on_postgresql(tmp_path, postgres):
    name = f"lawgov_backup_{os.getpid()}"
    db = postgres.settings_dict
    host, port, user = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["USER"] or "postgres"
    admin = ["psql", "-h", host, "-p", str(port), "-U", user, "-d", "postgres", "-q", "-c"]
    subprocess.run([*admin, f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
    subprocess.run([*admin, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    try:
        _round_trip(_env(tmp_path, f"postgres://{user}@{host}:{port}/{name}"), tmp_path)
    finally:
        subprocess.run([*admin, f"DROP DATABASE IF EXISTS {name}"], capture_output=True)


@pytest.mark.parametrize("target", ["backup", "restore"])
def test_make_targets_exist(target):
    makefile = (ROOT / "Makefile").read_text()
    assert f"\n{target}:" in makefile
