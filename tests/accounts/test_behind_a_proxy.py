"""Item 10 of issue 21: behind the deployment's reverse proxy the lockout and the audit log
count the client's address (LAWGOV_TRUSTED_PROXY_COUNT, accounts.addresses), so five
failures from one client no longer lock everybody out through the proxy's address."""

import pytest
import yaml
from django.conf import settings as django_settings
from django.test import RequestFactory

from accounts.addresses import client_address
from accounts.demo import DEMO_PASSWORD
from accounts.models import AccountEvent, Event

pytestmark = pytest.mark.axes
PROXY = "172.18.0.5"


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LAWGOV_TRUSTED_PROXY_COUNT = 1


def attempt(client, username, *, client_ip, password="wrong"):
    return client.post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_ip,
    )


def test_failures_of_one_client_do_not_lock_the_others_behind_the_proxy(client, demo_data):
    for name in ("a1", "a2", "a3"):
        attempt(client, name, client_ip="203.0.113.7")
    assert (
        attempt(client, "leader", client_ip="203.0.113.7", password=DEMO_PASSWORD).status_code
        == 429
    )
    other = attempt(client, "leader", client_ip="203.0.113.8", password=DEMO_PASSWORD)
    assert other.status_code == 302
    failed = AccountEvent.objects.filter(event=Event.LOGIN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_an_address_written_by_the_client_itself_is_not_believed(client, demo_data):
    """The proxy appends what it saw; what the client put before it is ignored, so a client
    cannot rotate addresses to escape the lockout."""
    for n in range(3):
        attempt(client, f"b{n}", client_ip=f"10.{n}.0.1, 203.0.113.9")
    locked = attempt(client, "leader", client_ip="10.99.0.1, 203.0.113.9", password=DEMO_PASSWORD)
    assert locked.status_code == 429


CASES = [
    # (trusted proxies, X-Forwarded-For, REMOTE_ADDR, client)
    (0, "203.0.113.1", PROXY, PROXY),
    (1, "203.0.113.1", PROXY, "203.0.113.1"),
    (1, "1.1.1.1, 203.0.113.1", PROXY, "203.0.113.1"),
    (2, "203.0.113.1, 10.0.0.2", PROXY, "203.0.113.1"),
    (2, "9.9.9.9, 203.0.113.1, 10.0.0.2", PROXY, "203.0.113.1"),
    (1, "", PROXY, PROXY),  # no header: not through the proxy
    (2, "10.0.0.2", PROXY, PROXY),  # fewer hops than proxies
    (1, "not-an-address", PROXY, PROXY),
    (1, "2001:db8::1", PROXY, "2001:db8::1"),
    (1, " 203.0.113.1 ", PROXY, "203.0.113.1"),
    (1, "\x00", PROXY, PROXY),
]


@pytest.mark.parametrize(("count", "header", "remote", "expected"), CASES)
def test_the_client_is_that_many_hops_from_the_right(settings, count, header, remote, expected):
    settings.LAWGOV_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=header)
    assert client_address(request) == expected


def test_the_compose_example_sets_one_proxy_and_the_readme_documents_it():
    root = django_settings.BASE_DIR
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    env = compose["x-app"]["environment"]
    assert str(env["LAWGOV_TRUSTED_PROXY_COUNT"]).endswith("1}") or env[
        "LAWGOV_TRUSTED_PROXY_COUNT"
    ] in (1, "1")
    readme = (root / "README.md").read_text()
    assert "LAWGOV_TRUSTED_PROXY_COUNT" in readme and "LAWGOV_CLIENT_IP_HEADER" in readme
