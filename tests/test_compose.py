"""docker-compose.yml cannot be run here (no Docker engine); check that what it runs and the
variables it sets match the project."""

import re
from pathlib import Path

import environ
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_services_are_web_worker_beat_db_redis():
    assert set(SERVICES) == {"web", "worker", "beat", "db", "redis"}


def test_every_service_that_others_wait_for_has_a_health_check():
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in SERVICES[name], name
    assert SERVICES["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_volumes_keep_the_database_and_report_files():
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    media = SERVICES["web"]["environment"]["LAWGOV_MEDIA_ROOT"]
    assert any(v.endswith(":" + media) for v in SERVICES["worker"]["volumes"])
    assert {"pgdata", "media"} <= set(COMPOSE["volumes"])


def test_web_runs_gunicorn_on_the_wsgi_module_and_migrates():
    command = SERVICES["web"]["command"]
    assert "gunicorn lawgov.wsgi:application" in command
    assert "manage.py migrate" in command
    assert (ROOT / "lawgov" / "wsgi.py").is_file()


def test_worker_and_beat_run_the_projects_celery_app():
    assert SERVICES["worker"]["command"].startswith("celery -A lawgov worker")
    assert SERVICES["beat"]["command"].startswith("celery -A lawgov beat")
    assert "deploy" not in SERVICES["worker"] or "replicas" not in SERVICES["worker"]["deploy"]
    assert "container_name" not in SERVICES["worker"]  # so `--scale worker=N` works


def test_environment_names_are_the_ones_settings_read():
    settings_text = (ROOT / "lawgov" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\("([A-Z_]+)"', settings_text)) | set(
        re.findall(r'env\.db\("([A-Z_]+)"', settings_text)
    )
    for service in ("web", "worker", "beat"):
        variables = set(SERVICES[service]["environment"])
        assert variables <= read, variables - read
        assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"} <= variables


def test_database_url_points_at_the_db_service_and_parses():
    env = SERVICES["web"]["environment"]
    url = env["DATABASE_URL"].replace("${POSTGRES_PASSWORD:-lawgov}", "lawgov")
    config = environ.Env.db_url_config(url)
    assert (config["ENGINE"], config["HOST"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db",
        "lawgov",
    )
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert env["DJANGO_DEBUG"] == "false"
    assert "${DJANGO_SECRET_KEY:?" in env["DJANGO_SECRET_KEY"]  # no default secret
