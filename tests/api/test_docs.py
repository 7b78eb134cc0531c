"""The OpenAPI schema and the Swagger UI page: served from the portal's static files, under
the site's Content-Security-Policy (no CDN, no inline script)."""

import pytest
from drf_spectacular.validation import validate_schema

from tests.e2e.conftest import browser  # noqa: F401  (fixture)


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_and_documents_auth_and_errors(openapi):
    validate_schema(openapi)
    assert openapi["openapi"].startswith("3.")
    assert openapi["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert "Authorization: Token" in openapi["info"]["description"]
    assert {"code", "message"} <= set(openapi["components"]["schemas"]["Error"]["properties"])
    bulk = openapi["paths"]["/api/v1/figures/bulk/"]["post"]
    assert {"200", "400", "401", "403", "413", "415"} <= set(bulk["responses"])
    put = openapi["paths"]["/api/v1/figures/{id}/"]["put"]
    assert "409" in put["responses"]
    report = openapi["paths"]["/api/v1/reports/"]["post"]["responses"]
    assert "Location" in report["202"]["headers"] and {"409", "503"} <= set(report)
    assert (
        "application/pdf"
        in (openapi["paths"]["/api/v1/reports/{id}/pdf/"]["get"]["responses"]["200"]["content"])
    )
    value = openapi["components"]["schemas"]["Figure"]["properties"]["value"]
    assert value["type"] == "string"
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Error"), (method, path, code)
    # Every operation says in Chinese what it does, as the Swagger page lists it.
    unnamed = [
        f"{method.upper()} {path}"
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        if not any("\u4e00" <= ch <= "\u9fff" for ch in operation.get("summary", ""))
    ]
    assert unnamed == []


def test_docs_page_needs_no_inline_script(client, db):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # every script is a file
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_docs_page_renders_in_chromium_without_csp_violations(browser, live_server):  # noqa: F811
    page = browser.new_page()
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    page.wait_for_selector(".opblock-tag", timeout=15000)
    assert "lawgov API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 20
    page.close()
    assert not problems, problems
