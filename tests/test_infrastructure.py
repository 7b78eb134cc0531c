"""The two ways the portal runs: embedded (no environment: SQLite, no broker server) and with
DATABASE_URL / REDIS_URL (PostgreSQL and a real Celery worker over Redis)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _clean_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    env.update(extra)
    return env


def _settings_in_subprocess(env) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
        "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, 'lang': s.LANGUAGE_CODE,"
        "'tz': s.TIME_ZONE, 'district': s.DISTRICT_NAME}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_no_server():
    s = _settings_in_subprocess(_clean_env(DJANGO_SETTINGS_MODULE="lawgov.settings"))
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"].endswith("var/db.sqlite3")
    assert s["eager"] is True and s["broker"] == ""
    assert (s["lang"], s["tz"], s["district"]) == ("zh-hans", "Asia/Shanghai", "示范")


def test_environment_selects_postgres_and_redis():
    s = _settings_in_subprocess(
        _clean_env(
            DJANGO_SETTINGS_MODULE="lawgov.settings",
            DATABASE_URL="postgres://postgres@127.0.0.1:5432/lawgov",
            REDIS_URL="redis://127.0.0.1:6379/3",
            DISTRICT_NAME="东城",
        )
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["eager"] is False and s["broker"] == "redis://127.0.0.1:6379/3"
    assert s["district"] == "东城"


def test_production_refuses_a_missing_secret_key():
    env = _clean_env(DJANGO_SETTINGS_MODULE="lawgov.settings", DJANGO_DEBUG="false")
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_figures_live_in_postgresql_when_configured(postgres, demo_data):
    from metrics.models import Figure

    with postgres.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM metrics_figure WHERE value IS NOT NULL")
        (count,) = cursor.fetchone()
    assert count == Figure.objects.exclude(value=None).count() > 0
    # Constraints are enforced by the server itself, not only by Django.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic(), postgres.cursor() as cursor:
        cursor.execute("UPDATE metrics_figure SET value = 150 WHERE value_type = 'percentage'")


def test_a_real_celery_worker_answers_over_redis(redis_url, tmp_path):
    env = _clean_env(DJANGO_SETTINGS_MODULE="lawgov.settings", REDIS_URL=redis_url)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lawgov",
            "worker",
            "--concurrency=1",
            "--loglevel=WARNING",
            "-n",
            f"ping-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(tmp_path / "worker.log", "w"),
        stderr=subprocess.STDOUT,
    )
    try:
        from celery import Celery

        app = Celery(broker=redis_url, set_as_current=False)
        deadline = time.monotonic() + 60
        replies = []
        while time.monotonic() < deadline and not replies:
            replies = app.control.ping(
                timeout=1.0, destination=[f"ping-{os.getpid()}@{os.uname().nodename}"]
            )
        assert replies, (tmp_path / "worker.log").read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_worker_warns_at_start_when_pdf_subsetting_is_slow(monkeypatch, caplog):
    from reports import worker

    monkeypatch.setattr(worker, "harfbuzz_subset_available", lambda: False)
    with caplog.at_level("WARNING", logger="lawgov.worker"):
        worker.warn_about_slow_pdf_rendering()
    assert "libharfbuzz-subset0 is missing" in caplog.text
