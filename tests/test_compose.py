"""docker-compose.yml cannot be run here (no Docker engine). Instead lawgov/settings.py is
loaded, in a process of its own, with the environment compose gives each container, and what
the settings make of it must point at compose's own services, ports and volumes; the commands
must name the project's real WSGI module and Celery app."""

import functools
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from lawgov.health import HEALTH_PATH

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
# What an operator sets, as the header of docker-compose.yml shows.
OPERATOR = {
    "DJANGO_SECRET_KEY": "compose-test-secret",
    "DJANGO_ALLOWED_HOSTS": "fzb.example.gov.cn",
}
# The images' own defaults, which the db and redis services do not change.
POSTGRES_PORT, REDIS_PORT = 5432, 6379

_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}")


def interpolate(value, given: dict) -> str:
    """Compose's substitution: ${X:-default}, ${X:?error} (compose refuses to start without
    X), ${X}, and $$ for a literal $."""

    def one(match):
        if match.group(0) == "$$":
            return "$"
        name, kind, argument = match.groups()
        if given.get(name):
            return given[name]
        if kind == "?":
            raise LookupError(f"{name}: {argument}")
        return argument if kind == "-" else ""

    return _VARIABLE.sub(one, str(value))


def container_env(service: str, given: dict = OPERATOR) -> dict:
    return {
        name: interpolate(value, given)
        for name, value in SERVICES[service].get("environment", {}).items()
    }


def celery_app_name(command: str) -> str:
    words = shlex.split(command)
    assert words[0] == "celery" and words[1] == "-A", command
    return words[2]


# Loads the settings as a container would (nothing of this machine's environment but PATH),
# recording every variable they read through django-environ; asks Celery for the app
# `celery -A NAME` would run (argument 1), and gets a URL through the test client (argument 2).
_PROBE = """
import json, sys
import environ

read = []
get_value = environ.Env.get_value


def recording(self, var, *args, **kwargs):
    read.append(var)
    return get_value(self, var, *args, **kwargs)


environ.Env.get_value = recording
import django
from django.conf import settings

django.setup()
from django.urls import reverse

out = {
    "read": read,
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings.SECRET_KEY,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DATABASE": {k: settings.DATABASES["default"][k] for k in
                 ("ENGINE", "HOST", "PORT", "NAME", "USER", "PASSWORD")},
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    "REPORT_FONT_DIR": settings.REPORT_FONT_DIR,
    "WSGI_APPLICATION": settings.WSGI_APPLICATION,
    "LOGIN_URL": reverse(settings.LOGIN_URL),
    "beat_tasks": sorted(e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()),
}
if sys.argv[1] != "-":
    from celery.app.utils import find_app

    import lawgov.celery

    app = find_app(sys.argv[1])
    app.loader.import_default_modules()
    out["celery"] = {
        "is_the_project_app": app is lawgov.celery.app,
        "main": app.main,
        "broker_url": app.conf.broker_url,
        "task_always_eager": app.conf.task_always_eager,
        "tasks": sorted(app.tasks),
    }
if sys.argv[2] != "-":
    from urllib.parse import urlsplit

    from django.test import Client

    url = urlsplit(sys.argv[2])
    response = Client().get(url.path, HTTP_HOST=url.netloc)
    out["get"] = [response.status_code, response.get("Location")]
print(json.dumps(out))
"""


@functools.cache
def _probe(environment: tuple, celery_app: str = "-", url: str = "-") -> dict:
    env = {"PATH": os.environ.get("PATH", ""), **dict(environment)}
    env["DJANGO_SETTINGS_MODULE"] = "lawgov.settings"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, celery_app, url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def loaded(service: str, given: dict = OPERATOR) -> dict:
    """What lawgov/settings.py (and, for worker and beat, the Celery app their command names)
    make of the service's environment."""
    command = SERVICES[service]["command"]
    app = celery_app_name(command) if command.startswith("celery") else "-"
    return _probe(tuple(sorted(container_env(service, given).items())), app)


def test_services_are_web_worker_beat_db_redis():
    assert set(SERVICES) == {"web", "worker", "beat", "db", "redis"}


def test_every_service_that_others_wait_for_has_a_health_check():
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in SERVICES[name], name
    for service in APP_SERVICES:
        for needed in ("db", "redis"):
            assert SERVICES[service]["depends_on"][needed]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", APP_SERVICES)
@pytest.mark.parametrize("password", [None, "from-the-operator"])
def test_settings_connect_to_the_db_service_as_the_database_it_creates(service, password):
    given = {**OPERATOR, **({"POSTGRES_PASSWORD": password} if password else {})}
    database = loaded(service, given)["DATABASE"]
    db = container_env("db", given)
    assert database == {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "db",
        "PORT": POSTGRES_PORT,
        "NAME": db["POSTGRES_DB"],
        "USER": db["POSTGRES_USER"],
        "PASSWORD": db["POSTGRES_PASSWORD"],
    }
    assert database["PASSWORD"] == (password or "lawgov")
    assert "db" in SERVICES and "ports" not in SERVICES["db"]  # reached on compose's network
    assert "PGPORT" not in db and "command" not in SERVICES["db"]  # so it listens on 5432
    # The health check that web, worker and beat wait for asks about that same database.
    check = shlex.split(SERVICES["db"]["healthcheck"]["test"][1])
    assert check[0] == "pg_isready"
    assert dict(zip(check[1::2], check[2::2], strict=True)) == {
        "-U": db["POSTGRES_USER"],
        "-d": db["POSTGRES_DB"],
    }


@pytest.mark.parametrize("service", APP_SERVICES)
def test_celery_goes_through_the_redis_service(service):
    settings = loaded(service)
    broker = urlsplit(settings["CELERY_BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", REDIS_PORT)
    assert "--port" not in SERVICES["redis"]["command"]
    # Queued for the worker, not built inside the web request.
    assert settings["CELERY_TASK_ALWAYS_EAGER"] is False
    if "celery" in settings:
        assert settings["celery"]["broker_url"] == settings["CELERY_BROKER_URL"]
        assert settings["celery"]["task_always_eager"] is False


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_worker_and_beat_run_the_projects_celery_app(service):
    command = SERVICES[service]["command"]
    assert shlex.split(command)[3] == service
    app = loaded(service)["celery"]
    assert app["is_the_project_app"] and app["main"] == "lawgov"
    # The worker knows the report task and every task beat schedules.
    assert {"reports.tasks.build_report", *loaded(service)["beat_tasks"]} <= set(app["tasks"])
    if service == "worker":
        assert "deploy" not in SERVICES["worker"] or "replicas" not in SERVICES["worker"]["deploy"]
        assert "container_name" not in SERVICES["worker"]  # so `--scale worker=N` works
        check = shlex.split(SERVICES["worker"]["healthcheck"]["test"][1])
        assert celery_app_name(" ".join(check)) == celery_app_name(command)


def test_web_runs_gunicorn_on_the_wsgi_module_and_migrates():
    command = SERVICES["web"]["command"]
    settings = loaded("web")
    module, _, attribute = settings["WSGI_APPLICATION"].rpartition(".")
    assert f"gunicorn {module}:{attribute}" in command
    assert "manage.py migrate" in command
    assert (ROOT / Path(*module.split("."))).with_suffix(".py").is_file()
    # gunicorn listens on the port compose publishes and the health check asks.
    bind = re.search(r"--bind [\d.]+:(\d+)", command).group(1)
    assert [port.split(":")[-1] for port in SERVICES["web"]["ports"]] == [bind]
    health = urlsplit(_web_health_url())
    assert (str(health.port), health.path) == (bind, HEALTH_PATH)


def _web_health_url() -> str:
    return re.search(r"https?://[^'\"]+", SERVICES["web"]["healthcheck"]["test"][-1])[0]


def test_the_web_health_check_is_answered_in_production():
    """The check comes from inside the container (Host 127.0.0.1, plain http), which neither
    the operator's ALLOWED_HOSTS nor the HTTPS redirect would let through to a page. Here the
    compose database host does not exist, so the answer is the check's own 503, not a 400 or
    a redirect."""
    environment = tuple(sorted(container_env("web").items()))
    status, location = _probe(environment, url=_web_health_url())["get"]
    assert (status, location) == (503, None)


def test_the_compose_health_command_passes_against_a_running_portal(live_server):
    """The web service's health command itself, pointed at the live test server."""
    command = SERVICES["web"]["healthcheck"]["test"]
    assert command[0] == "CMD" and command[1] == "python"
    base = _web_health_url().removesuffix(HEALTH_PATH)
    code = command[-1].replace(base, live_server.url)
    assert subprocess.run([sys.executable, *command[2:-1], code], timeout=30).returncode == 0


def test_only_the_health_path_skips_the_host_check():
    environment = tuple(sorted(container_env("web").items()))
    url = _web_health_url().replace(HEALTH_PATH, "/login/")
    status, _ = _probe(environment, url=url)["get"]
    assert status == 400  # DisallowedHost: every other path keeps Django's checks


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_compose_sets_is_one_the_settings_read(service):
    variables = set(SERVICES[service]["environment"])
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"} <= variables
    read = set(loaded(service)["read"])
    assert variables <= read, variables - read


@pytest.mark.parametrize("service", APP_SERVICES)
def test_a_production_process_with_the_operators_secret_and_hosts(service):
    settings = loaded(service)
    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == OPERATOR["DJANGO_SECRET_KEY"]
    assert settings["ALLOWED_HOSTS"] == [OPERATOR["DJANGO_ALLOWED_HOSTS"]]
    # No default secret: compose refuses to start without one.
    with pytest.raises(LookupError, match="DJANGO_SECRET_KEY"):
        container_env(service, {})


def _mounts(service: str) -> dict[str, str]:
    """Mount point in the container -> named volume."""
    mounts = {}
    for volume in SERVICES[service].get("volumes", []):
        source, target = volume.split(":")[:2]
        mounts[target] = source
    return mounts


def test_volumes_keep_the_database_and_report_files():
    assert _mounts("db")["/var/lib/postgresql/data"] == "pgdata"
    assert (
        _mounts("redis")["/data"] == "redisdata" and "--appendonly" in SERVICES["redis"]["command"]
    )
    # The worker writes the reports where web serves them from: the same volume.
    media = {_mounts(service).get(loaded(service)["MEDIA_ROOT"]) for service in ("web", "worker")}
    assert media == {"media"}
    # Licensed fonts dropped into the fonts volume are the ones the worker's renderer reads.
    assert _mounts("worker")[loaded("worker")["REPORT_FONT_DIR"]] == "fonts"
    assert {"pgdata", "redisdata", "media", "fonts"} <= set(COMPOSE["volumes"])
