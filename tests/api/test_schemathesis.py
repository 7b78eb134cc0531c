"""Property-based run of schemathesis against the live test server, over HTTP, as a reviewer:
zero 5xx responses and zero responses that disagree with the published OpenAPI schema (status
codes, content types, headers and bodies), on every operation.

The schema is the one the portal publishes at /api/schema/ (read through WSGI when the module
is collected, since the live server only exists once a test runs)."""

import os
import threading
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lawgov.wsgi import application
from metrics.models import User
from tests import factories

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

# Status codes seen, by role and operation: {(username, "GET /api/v1/figures/"): Counter}.
Seen = dict[tuple[str, str], Counter]

# The reviewer reaches the review side; the clerk of 区司法局 the writes (values, bulk, evidence
# upload, submit), which refuse the reviewer before they read their input.
ROLES = ["reviewer", "clerk_sfj"]


def _let_requests_finish():
    # The live server closes a request after its answer has gone out; let those threads end
    # while the database is still open to them, rather than after the test's teardown.
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=5)


def _token(username: str) -> str:
    return factories.api_token(User.objects.get(username=username))


@pytest.fixture(params=ROLES)
def api_user(request, demo_data, media, eager_tasks, live_server):
    # eager_tasks: a report requested here is built in the server thread rather than left
    # on the real broker for a later test's worker to find.
    yield request.param, _token(request.param)
    _let_requests_finish()


# CI draws 10 cases per operation and role (120 tests, a few seconds each on a live server);
# a run by hand draws 20. Every operation is still called by both roles either way.
PROPERTY_SETTINGS = settings(
    max_examples=10 if os.environ.get("CI", "").lower() == "true" else 20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


# test_the_run_reached_the_views draws fewer cases per operation: it asks only whether the
# generated input gets past the refusals to the views.
REACH_SETTINGS = settings(parent=PROPERTY_SETTINGS, max_examples=6)


def _call(case, username, token, base_url, seen: Seen | None = None):
    response = case.call_and_validate(
        base_url=base_url,
        headers={"Authorization": f"Token {token}"},
        checks=CHECKS,
    )
    if seen is not None:
        seen.setdefault((username, case.operation.label), Counter())[response.status_code] += 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@schema.parametrize()
@PROPERTY_SETTINGS
def test_api_conforms_to_its_schema(case, api_user, live_server):
    username, token = api_user
    _call(case, username, token, live_server.url)


def _property_run(operation, username, base_url, seen: Seen):
    """What test_api_conforms_to_its_schema does for one operation and role, outside pytest's
    parametrization: cases drawn with valid and invalid input, the same checks."""
    token = _token(username)
    cases = st.one_of([operation.as_strategy(generation_mode=mode) for mode in GenerationMode])

    @given(case=cases)
    @REACH_SETTINGS
    def run(case):
        _call(case, username, token, base_url, seen)

    run()


@pytest.fixture
def every_operation_called(demo_data, media, eager_tasks, live_server) -> Seen:
    """Every role calls every operation here, in this test's own run: nothing is carried over
    from the tests above, so the result is the same alone, first, last or in another order."""
    seen: Seen = {}
    for username in ROLES:
        for result in schema.get_all_operations():
            _property_run(result.ok(), username, live_server.url, seen)
    _let_requests_finish()
    return seen


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_run_reached_the_views(every_operation_called):
    """Every operation was called, and reads succeeded rather than all being refused."""
    seen = every_operation_called
    assert len(seen) == len(ROLES) * len(list(schema.get_all_operations()))
    total = Counter()
    for counts in seen.values():
        total.update(counts)
    print("\nschemathesis:", sum(total.values()), "calls", dict(sorted(total.items())))
    assert not any(code >= 500 for code in total)
    assert total[200] > 0 and total[400] > 0
    assert seen[("reviewer", "GET /api/v1/figures/")][200] > 0
    # The clerk's writes got past the permission check to the input: refused as invalid
    # (or accepted), not only 403.
    for operation in ("POST /api/v1/figures/", "POST /api/v1/figures/bulk/"):
        counts = seen[("clerk_sfj", operation)]
        assert counts[400] + counts[200] + counts[201] + counts[409] > 0, (operation, counts)


# Inputs that once gave a 500 or slipped through, sent as explicit cases through the same
# checks, so that they stay caught whatever the generator happens to draw.
TRICKY_VALUES = [
    "9e9999999", "-9E+9999999", "1e5", "NaN", "Infinity", "1_000", "١٢٣", "१२३", "𝟏𝟐𝟑",
    "1\x00", "\x01", "\x85", "1" * 21, "9" * 100, "9" * 101,
]  # fmt: skip
TRICKY_TEXT = ["\x00", "a\x01b", "\x1b[31m", "\x7f", "\x85", "\ud800", "长" * 3000]
TRICKY_QUERIES = ["\x00", "a\x01b", "\n", "\x7f", "\x85", "2026\x00"]


def _tricky_cases(figure_id: int):
    def case(label, **kwargs):
        method, path = label.split(" ", 1)
        return label, schema[path][method].Case(**kwargs)

    for value in TRICKY_VALUES:
        figure = {"period": "2027", "indicator": "biz_review_cases_received", "value": value}
        yield case("POST /api/v1/figures/", body=figure, media_type="application/json")
        bulk = {"period": "2027", "department": "sfj", "figures": [{"code": "x", "value": value}]}
        bulk["figures"][0]["code"] = "biz_review_cases_received"
        yield case("POST /api/v1/figures/bulk/", body=bulk, media_type="application/json")
        yield case(
            "PATCH /api/v1/figures/{id}/",
            path_parameters={"id": figure_id},
            body={"value": value, "version": 1},
            media_type="application/json",
        )
    for text in TRICKY_TEXT:
        figure = {"period": "2027", "indicator": "biz_review_cases_received", "value": "1"}
        yield case(
            "POST /api/v1/figures/", body={**figure, "remark": text}, media_type="application/json"
        )
        yield case(
            "POST /api/v1/figures/", body={**figure, "period": text}, media_type="application/json"
        )
    for text in TRICKY_QUERIES:
        yield case("GET /api/v1/figures/", query={"period": text})
        yield case("GET /api/v1/figures/", query={"indicator": text, "status": "draft"})
        yield case("GET /api/v1/indicators/", query={"department": text})
        yield case("GET /api/v1/periods/{code}/", path_parameters={"code": text})
        yield case("GET /api/v1/indicators/{code}/", path_parameters={"code": text})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_known_bad_inputs_are_refused_as_the_schema_says(
    demo_data, media, eager_tasks, live_server
):
    from metrics.models import Figure

    figure = Figure.objects.filter(
        period__code="2026", indicator__department__code="sfj", status="draft"
    ).first()
    headers = {"Authorization": f"Token {_token('clerk_sfj')}"}
    statuses = Counter()
    for label, case in _tricky_cases(figure.pk):
        response = case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)
        statuses[response.status_code] += 1
        if label.startswith(("POST", "PATCH")):
            assert response.status_code in (400, 409), (label, case.body, response.text[:300])
    _let_requests_finish()
    assert not any(code >= 500 for code in statuses), statuses
    assert not Figure.objects.filter(period__code="2027").exists()
