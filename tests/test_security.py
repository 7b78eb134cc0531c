import subprocess
import sys
from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.axes
def test_repeated_failed_logins_lock_the_account_out(client, demo_data, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/login/", {"username": "leader", "password": "wrong"})
    locked = client.post("/login/", {"username": "leader", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.axes
def test_a_correct_login_still_works_below_the_limit(client, demo_data):
    client.post("/login/", {"username": "leader", "password": "wrong"})
    response = client.post("/login/", {"username": "leader", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "lawgov.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" * 20 + "production-like-secret-0123456789-abcdefghijkl",
        "DJANGO_ALLOWED_HOSTS": "fzb.example.gov.cn",
        "LAWGOV_MEDIA_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_carry_security_headers(client, db):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"


def test_favicon_is_served_from_the_portals_own_files(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/img/favicon.svg")
