"""/healthz: what the container's health check asks, answered before the host check and the
HTTPS redirect, with the database's state."""

from unittest import mock

from django.db import OperationalError


def test_healthy_with_any_host_and_no_redirect(client, db, settings):
    settings.ALLOWED_HOSTS = ["fzb.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert (response.status_code, response.content) == (200, b"ok")
    # Every other path keeps Django's checks.
    assert client.get("/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_unhealthy_without_the_database(client, db):
    from django.db import connection

    broken = mock.patch.object(
        connection, "cursor", side_effect=OperationalError("server closed the connection")
    )
    with broken:
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"database unavailable")
