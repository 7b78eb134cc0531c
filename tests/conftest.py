import contextlib
import os

import pytest

from accounts import demo
from tests import factories
from tests.processes import start_worker


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_server(available: bool, reason: str) -> None:
    """Skip with a visible reason where a server is not reachable; in CI that is a failure."""
    if available:
        return
    if _in_ci():
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres(settings):
    from django.db import connection

    require_server(
        connection.vendor == "postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/lawgov",
    )
    return connection


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    reachable = False
    if url:
        import redis

        try:
            reachable = bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
        except redis.RedisError:
            reachable = False
    require_server(
        reachable, "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0 with a server running"
    )
    return url


@pytest.fixture
def period(db):
    return factories.period("2026")


@pytest.fixture
def previous_period(db):
    return factories.period("2025", locked=True)


@pytest.fixture
def sfj(db):
    from metrics.models import Department

    return Department.objects.get(code="sfj")


@pytest.fixture
def clerk(sfj):
    return factories.UserFactory(role="clerk", department=sfj)


@pytest.fixture
def reviewer(db):
    return factories.UserFactory(role="reviewer")


@pytest.fixture
def leader(db):
    return factories.UserFactory(role="leader")


@pytest.fixture
def demo_data(db):
    demo.seed_demo()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for a test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _login_throttling_off(settings, request):
    # The test client's login() authenticates without a request, which django-axes refuses;
    # tests marked `axes` exercise the lockout through the real login form.
    if "axes" not in request.keywords:
        settings.AXES_ENABLED = False


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded and generated files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def live_worker(redis_url, postgres, media, tmp_path):
    """A real Celery worker process consuming from Redis and writing to the test database."""
    import subprocess

    db = postgres.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LAWGOV_MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "lawgov.settings",
    }
    log = tmp_path / "worker.log"
    process = start_worker(env, log, f"test-{os.getpid()}")
    process.log = log
    process.env = env
    yield process
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def publishing_to(url: str, transport_options: dict | None = None):
    """This process publishes its Celery tasks to another broker for a while (a Redis the
    test started, Kombu's file system). The app's own pools are set aside untouched and put
    back afterwards: closing them would break every later test's publishing."""
    from lawgov.celery import app

    saved = {
        "url": app.conf.broker_url,
        "options": app.conf.broker_transport_options,
        "eager": app.conf.task_always_eager,
        "pool": app._pool,
        "producers": app.amqp._producer_pool,
    }
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options or {}
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url = saved["url"]
        app.conf.broker_transport_options = saved["options"]
        app.conf.task_always_eager = saved["eager"]
        app._pool = saved["pool"]
        app.amqp._producer_pool = saved["producers"]


@pytest.fixture
def eager_tasks(monkeypatch):
    """Run queued Celery tasks in-process, even where REDIS_URL names a real broker."""
    from celery.app.task import Task

    def run_here(self, args=None, kwargs=None, **options):
        return self.apply(args, kwargs, task_id=options.get("task_id"))

    monkeypatch.setattr(Task, "apply_async", run_here)


@pytest.fixture
def _empty_database_for_serialized_rollback(django_db_setup, django_db_blocker):
    """A serialized_rollback test loads the database as migrations left it into empty tables.
    They are empty after another serialized test; after a plain transactional test Django's
    flush has re-created the content types and permissions under new ids, and loading then
    collides (django_content_type_app_label_model_…_uniq). Run in one process, pytest-django's
    order happened to avoid that; on xdist workers any order occurs, so the tables are emptied
    here first, as Django's own flush between serialized tests does."""
    from django.core.management import call_command
    from django.db import connections

    with django_db_blocker.unblock():
        for alias in connections:
            if hasattr(connections[alias], "_test_serialized_contents"):
                call_command(
                    "flush",
                    verbosity=0,
                    interactive=False,
                    database=alias,
                    reset_sequences=False,
                    inhibit_post_migrate=True,
                )


def pytest_collection_modifyitems(items):
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("serialized_rollback"):
            # First of the test's fixtures: before pytest-django loads the serialized data.
            item.fixturenames.insert(0, "_empty_database_for_serialized_rollback")
