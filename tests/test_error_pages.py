"""What a person or another system sees when the database connection is gone, or something
no view handled went wrong: 503 with the API's JSON under /api/, a Chinese page elsewhere;
never a stack trace."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from accounts.demo import DEMO_PASSWORD
from tests.api.conftest import token_client

LEAKS = ("Traceback", "OperationalError", "InterfaceError", "server closed", "Errno")


def drop_database(error):
    """Within the block every query fails as on a lost connection (a context of its own, not
    `monkeypatch`: the test database's own teardown must still reach the database)."""

    def execute(self, sql, params=None):
        raise error

    return mock.patch.object(CursorWrapper, "execute", execute)


DROPPED = [
    OperationalError("server closed the connection unexpectedly"),
    InterfaceError("connection already closed"),
]


@pytest.fixture
def logged_in(demo_data):
    client = Client(raise_request_exception=False)
    assert client.login(username="clerk_sfj", password=DEMO_PASSWORD)
    return client


@pytest.mark.parametrize("error", DROPPED, ids=["operational", "interface"])
def test_the_api_answers_503_database_unavailable(demo_data, error):
    from metrics.models import User

    api = token_client(User.objects.get(username="clerk_sfj"))
    api.raise_request_exception = False
    with drop_database(error):
        responses = [
            api.get("/api/v1/figures/?period=2026"),
            api.post("/api/v1/figures/bulk/", {"period": "2026", "figures": []}, format="json"),
        ]
    for response in responses:
        assert response.status_code == 503, response.content
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {
            "code": "database_unavailable",
            "message": "数据库暂时不可用，请稍后重试。",
        }
        assert response["Retry-After"] == "10"


@pytest.mark.parametrize("error", DROPPED, ids=["operational", "interface"])
def test_the_web_shows_a_chinese_503_page(logged_in, error):
    with drop_database(error):
        responses = [logged_in.get("/"), logged_in.get("/entry/2026/")]
    for response in responses:
        assert response.status_code == 503
        page = response.content.decode()
        assert "数据库暂时不可用，请稍后重试。" in page and "返回首页" in page
        assert all(leak not in page for leak in LEAKS), page


def test_the_api_outside_drf_also_answers_json(demo_data):
    """An /api/ request that fails before DRF (in a middleware) keeps the API's shape."""
    from django.contrib.sessions.middleware import SessionMiddleware

    def lost(self, request):
        raise OperationalError("the database system is shutting down")

    client = Client(raise_request_exception=False)
    with mock.patch.object(SessionMiddleware, "process_request", lost):
        response = client.get("/api/v1/me/")
    assert response.status_code == 503
    assert response.json() == {
        "code": "database_unavailable",
        "message": "数据库暂时不可用，请稍后重试。",
    }


def test_any_other_failure_is_a_chinese_500_page_without_debug_details(logged_in, monkeypatch):
    from metrics import selectors

    def broken(*args, **kwargs):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(selectors, "current_period", broken)  # the home page asks for it first
    response = logged_in.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器内部错误" in page and 'href="/"' in page
    assert "secret internals" not in page and "ZeroDivisionError" not in page
