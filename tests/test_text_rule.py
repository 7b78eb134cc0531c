"""One text rule for every string that is sent or stored (issue 21, cases 12 and 13; Build 3):
control characters and XML-illegal characters are refused in every form body and JSON body
before a view runs, and by every model text field whatever the text came from; sheet titles
and file names are made safe by one function."""

import io

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from lawgov.control_characters import (
    FORBIDDEN,
    first_forbidden,
    safe_file_name,
    safe_sheet_title,
)
from metrics import services
from metrics.models import Department, Indicator, Section
from tests.api.conftest import token_client

HOSTILE = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ufffe", "\uffff", "\ud800"]

# Case 13: NUL in the form bodies of these endpoints was a 500 (role, address, field).
REPORTED = [
    ("reviewer", "/account/tokens/new/", "name"),
    ("reviewer", "/account/tokens/revoke/", "key"),
    ("reviewer", "/accounts/users/{clerk}/reset-password/", "reason"),
    ("reviewer", "/catalogue/sections/", "code"),
    ("reviewer", "/catalogue/sections/", "move"),
    ("leader", "/reports/", "document"),
    ("leader", "/reports/", "period"),
    ("reviewer", "/reports/import/", "period"),
    ("reviewer", "/reports/import/", "document"),
    ("reviewer", "/reports/import/", "department"),
    ("reviewer", "/reports/template/", "document"),
    ("reviewer", "/reports/template/", "comment"),
    ("reviewer", "/catalogue/new/", "name"),
    ("clerk", "/entry/2026/", "remark-grass_patrol_townships"),
]


@pytest.fixture
def people(demo_data):
    from metrics.models import User

    return {
        "reviewer": User.objects.get(username="reviewer"),
        "leader": User.objects.get(username="leader"),
        "clerk": User.objects.get(username="clerk_gaj"),
    }


@pytest.mark.parametrize(("role", "address", "field"), REPORTED)
def test_nul_in_a_form_body_is_refused_before_the_view(client, people, role, address, field):
    client.force_login(people[role])
    address = address.format(clerk=people["clerk"].pk)
    before = (Section.objects.count(), Indicator.objects.count(), Department.objects.count())
    response = client.post(address, {field: "x\x00y", "action": "save"})
    assert response.status_code == 400
    assert "控制字符（U+0000）" in response.content.decode()
    after = (Section.objects.count(), Indicator.objects.count(), Department.objects.count())
    assert after == before


@pytest.mark.parametrize("character", HOSTILE[:-1])
def test_every_forbidden_character_in_a_form_body_key_or_file_name(client, people, character):
    client.force_login(people["reviewer"])
    assert client.post("/catalogue/sections/", {f"na{character}me": "x"}).status_code == 400
    upload = io.BytesIO(b"x")
    upload.name = f"a{character}.txt"
    assert client.post("/reports/import/", {"file": upload}).status_code == 400


@pytest.mark.parametrize("character", HOSTILE[:-1])
def test_a_json_body_with_one_is_refused_with_the_api_code(people, character):
    api = token_client(people["reviewer"])
    response = api.post(
        "/api/v1/sections/", {"code": "newpart", "name": f"新{character}部分"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    nested = api.post(
        "/api/v1/sections/reorder/", {"codes": ["biz", f"edu{character}"]}, format="json"
    )
    assert nested.status_code == 400
    assert not Section.objects.filter(code="newpart").exists()


def test_tabs_and_line_ends_in_a_body_are_text(client, people):
    client.force_login(people["reviewer"])
    response = client.post("/reports/template/preview/", {"text": "# 标题\r\n正文\t一段"})
    assert response.status_code == 200


@pytest.mark.parametrize("character", ["\x07", "\x00", "\x1f", "\ufffe"])
def test_names_with_a_bell_are_refused_by_the_services_too(people, character):
    """Case 12: a name stored this way broke every workbook and document naming it; a name
    from a sheet or a command reaches the services without passing the middleware."""
    reviewer = people["reviewer"]
    biz = Section.objects.get(code="biz")
    sfj = Department.objects.get(code="sfj")
    attempts = [
        lambda: services.create_indicator(
            user=reviewer, name=f"响铃{character}指标", section=biz, department=sfj, unit="个"
        ),
        lambda: services.create_department(user=reviewer, code="bell", name=f"响铃{character}局"),
        lambda: services.update_department(
            department=sfj, user=reviewer, short_name=f"司{character}法"
        ),
        lambda: services.create_section(user=reviewer, code="bell", name=f"响铃{character}部分"),
        lambda: services.rename_section(section=biz, user=reviewer, name=f"业{character}务"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="控制字符"):
            attempt()
    assert not Indicator.objects.filter(name__startswith="响铃").exists()
    assert not Department.objects.filter(code="bell").exists()
    assert not Section.objects.filter(code="bell").exists()
    assert Department.objects.get(code="sfj").short_name == sfj.short_name


def test_a_short_name_with_a_slash_still_downloads_the_clerks_sheet(client, demo_data):
    from metrics.models import User

    department = Department.objects.get(code="sfj")
    department.short_name = "司法/仲裁[局]"
    department.save()
    client.force_login(User.objects.get(username="clerk_sfj"))
    response = client.get("/entry/2026/sheet.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0].title == "司法_仲裁_局_2026"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_any_name_makes_a_sheet_title_excel_takes_and_a_safe_file_name(name):
    book = Workbook()
    book.active.title = safe_sheet_title(name)  # openpyxl refuses what Excel would
    title = book.active.title
    assert 0 < len(title) <= 31 and not FORBIDDEN.search(title)
    file_name = safe_file_name(name)
    assert file_name and not any(c in file_name for c in '/\\:*?"<>|')
    assert first_forbidden(file_name) is None and not file_name.startswith(".")
