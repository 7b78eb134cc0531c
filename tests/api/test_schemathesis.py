"""Property-based run of schemathesis against the live test server, over HTTP, as a reviewer:
zero 5xx responses and zero responses that disagree with the published OpenAPI schema (status
codes, content types, headers and bodies), on every operation.

The schema is the one the portal publishes at /api/schema/ (read through WSGI when the module
is collected, since the live server only exists once a test runs)."""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lawgov.wsgi import application
from metrics.models import User

schema = schemathesis.openapi.from_dict(
    schemathesis.openapi.from_wsgi("/api/schema/", application).raw_schema
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Status codes seen, by operation: the run must reach the views, not only the refusals.
SEEN: dict[str, Counter] = {}


@pytest.fixture
def reviewer_token(demo_data, media, eager_tasks, live_server):
    # eager_tasks: a report requested here is built in the server thread rather than left
    # on the real broker for a later test's worker to find.
    return Token.objects.create(user=User.objects.get(username="reviewer")).key


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_conforms_to_its_schema(case, reviewer_token, live_server):
    response = case.call_and_validate(
        base_url=live_server.url,
        headers={"Authorization": f"Token {reviewer_token}"},
        checks=CHECKS,
    )
    SEEN.setdefault(case.operation.label, Counter())[response.status_code] += 1


def test_the_run_reached_the_views():
    """Runs after the property-based tests (same module, in order): every operation was
    called, and reads succeeded rather than all being refused."""
    if len(SEEN) < len(list(schema.get_all_operations())):
        pytest.skip("run together with test_api_conforms_to_its_schema")
    total = Counter()
    for counts in SEEN.values():
        total.update(counts)
    print("\nschemathesis:", sum(total.values()), "calls", dict(sorted(total.items())))
    assert not any(code >= 500 for code in total)
    assert total[200] > 0 and total[400] > 0
    assert SEEN["GET /api/v1/figures/"][200] > 0
