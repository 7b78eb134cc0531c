"""A fuzzer over the whole portal (issue 21, "tests that find the next ones"): every URL
pattern, with its path filled in with real and hostile values, is requested by every role
(reviewer, clerk, leader, anonymous): a GET with hostile query values, then a POST of every
form the GET showed (its field names read from the page) and, under /api/, JSON writes (POST,
PUT, PATCH) of the fields the API shows, each filled in turn with hostile strings — NUL,
control and XML-illegal characters, a 1 MB string, full-width and look-alike letters, numbers
at every limit. Asserted: no answer is a 5xx, and nothing is stored that a workbook or a
document could not write (every text column of every model is scanned afterwards, and the
reviewers' and the leader's workbooks are built)."""

import json
import re

import pytest
from django.apps import apps
from django.db.models import CharField, TextField
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lawgov.control_characters import FORBIDDEN
from metrics.models import User
from tests.factories import UserFactory

MEGABYTE = "法" * 1000 + "x" * (1024 * 1024 - 1000)  # 1 MB, under the 2.5 MB body limit
# What the one text rule refuses in any body (answered 400 before a view runs)...
REFUSED = ["a\x00b", "响铃\x07", "\x1b[31m红", "\ufffe\uffff"]
# ...and what reaches the views: each sent in every field at once, so that one field's refusal
# never hides another's crash.
PASSING = [
    "ｓｆｊ",  # full-width letters
    "sfј",  # a Cyrillic look-alike "j"
    "abc",
    "-1",
    "2147483648",  # beyond a 32-bit integer
    "9" * 40,
    "1e400",
    '=HYPERLINK("http://x")',
    "",
]
HOSTILE = REFUSED + PASSING
# Path values: a real one first (so the view is reached), then hostile ones.
PATH_VALUES = {
    "int": ["{clerk_pk}", "99999999999999999999"],
    "period_code": ["2026", "２０２６"],
    "code": ["sfj", "x" * 300],
    "department_code": ["sfj", "ｓｆｊ"],
    "indicator_code": ["biz_review_cases_received", "ｂｉｚ"],
    "username": ["clerk_sfj", "CLERK_SFJ"],
    "fmt": ["pdf", "exe"],
    "pk": ["1", "99999999999999999999"],
    "number": ["1", "99999999999999999999"],
    "evidence_id": ["1", "99999999999999999999"],
}
# The reviewer last: its forms deactivate and reset the others.
ROLES = ["anonymous", "clerk", "leader", "reviewer"]
_FIELD = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"')
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:(\w+):)?(\w+)>")
JSON_FIELDS = [
    "code", "name", "short_name", "reason", "value", "remark", "comment", "explanation",
    "version", "codes", "period", "indicator", "department", "document", "kind", "formula",
    "unit", "username", "role", "email", "password", "section", "order", "text",
]  # fmt: skip


def patterns(resolver=None, prefix=""):
    """Every URL pattern, as its full pattern text."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def addresses(pattern: str, clerk_pk: int) -> list[str]:
    """The pattern with its parameters filled in: all real values, then each hostile one."""
    names = []
    for match in _GROUP.finditer(pattern):
        name = match.group(1) or match.group(3)
        names.append("int" if match.group(2) == "int" else name)

    def fill(choice):
        position = iter(range(len(names)))

        def one(match):
            i = next(position)
            values = PATH_VALUES.get(names[i], ["sfj", "ｘ" * 3])
            return values[min(choice.get(i, 0), len(values) - 1)].format(clerk_pk=clerk_pk)

        text = _GROUP.sub(one, pattern)
        return "/" + text.replace("^", "").replace("$", "").replace("\\", "")

    if "[\\s\\S]" in pattern:  # the API's catch-all 404
        return ["/api/unknown/\uff41"]
    found = [fill({})]
    for i, name in enumerate(names):
        for k in range(1, len(PATH_VALUES.get(name, ["", ""]))):
            found.append(fill({i: k}))
    return list(dict.fromkeys(found))


def forms_on(html: str) -> list[list[str]]:
    """The field names of each POST form on a page."""
    forms = []
    for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S | re.I):
        names = [n for n in _FIELD.findall(form) if n != "csrfmiddlewaretoken"]
        if names:
            forms.append(list(dict.fromkeys(names)))
    return forms


def bodies(names, *, passing=PASSING):
    """The bodies to send a form of `names`: the refused characters rotated over the fields,
    each passing value in every field, and a 1 MB string in each field with the others
    plausible."""
    yield {name: REFUSED[i % len(REFUSED)] for i, name in enumerate(names)}
    for value in passing:
        yield dict.fromkeys(names, value)
    if names:
        yield {name: MEGABYTE if i == len(names) - 1 else "1" for i, name in enumerate(names)}


class Failures(list):
    """The 5xx answers, and how many pages each role was shown (the fuzzer reached views)."""

    def __init__(self):
        super().__init__()
        self.shown = dict.fromkeys(ROLES, 0)

    def check(self, method, address, role, response, sent=None):
        if response.status_code == 200:
            self.shown[role] += 1
        if response.status_code >= 500:
            self.append(f"{role} {method} {address} → {response.status_code} ({str(sent)[:120]})")


def _client(role, users):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(users[role])
    return client


def _json_fields(response) -> list[str]:
    try:
        data = response.json()
    except (ValueError, TypeError):
        return JSON_FIELDS
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, list):
        data = data[0] if data and isinstance(data[0], dict) else {}
    return list(dict.fromkeys([*(data.keys() if isinstance(data, dict) else []), *JSON_FIELDS]))


@pytest.mark.django_db
def test_no_address_form_or_api_write_of_any_role_answers_5xx(demo_data, media):
    users = {
        "reviewer": User.objects.get(username="reviewer"),
        "clerk": User.objects.get(username="clerk_sfj"),
        "leader": User.objects.get(username="leader"),
    }
    clerk_pk = users["clerk"].pk
    failures = Failures()
    every = [p for p in patterns() if not p.startswith(("admin/", "api/docs", "api/schema"))]
    assert len(every) > 100  # the whole portal, not a sample
    for role in ROLES:
        for pattern in every:
            for variant, address in enumerate(addresses(pattern, clerk_pk)):
                client = _client(role, users)  # a fresh login: a POST may have logged out
                query = {"page": REFUSED[0], "period": REFUSED[1]}
                response = client.get(address, query)
                failures.check("GET", address, role, response, query)
                response = client.get(address, {"period": "9" * 40, "document": "ｓ", "page": "-1"})
                failures.check("GET", address, role, response)
                if variant:
                    # A hostile value in the path: the GETs above, then one body.
                    response = client.post(address, {"reason": PASSING[0]})
                    failures.check("POST", address, role, response)
                    continue
                if address.startswith("/api/"):
                    fields = _json_fields(response)
                    for method, passing in (
                        ("post", PASSING),
                        ("put", PASSING[:4]),
                        ("patch", PASSING[3:7]),
                    ):
                        for body in bodies(fields, passing=passing):
                            response = getattr(client, method)(
                                address, json.dumps(body), content_type="application/json"
                            )
                            failures.check(method.upper(), address, role, response, body)
                    continue
                html = (
                    response.content.decode(errors="replace")
                    if response.status_code == 200 and "html" in response.get("Content-Type", "")
                    else ""
                )
                for names in forms_on(html) or [["action", "reason", "name", "code"]]:
                    for body in bodies(names):
                        response = client.post(address, body)
                        failures.check("POST", address, role, response, body)
    assert not failures, "\n".join(failures[:40])
    # Each signed-in role was shown its pages (not only redirects and refusals).
    assert all(failures.shown[role] > 30 for role in ("reviewer", "clerk", "leader")), (
        failures.shown
    )
    _nothing_stored_that_cannot_be_written(users)


def _nothing_stored_that_cannot_be_written(users):
    """No text column of any model holds what the one text rule forbids or what openpyxl
    cannot write; the workbooks naming everything are built."""
    bad = []
    for label in ("accounts", "metrics", "reports"):
        for model in apps.get_app_config(label).get_models():
            text_fields = [
                f.name for f in model._meta.concrete_fields if isinstance(f, CharField | TextField)
            ]
            for row in model._default_manager.values_list("pk", *text_fields):
                for name, value in zip(text_fields, row[1:], strict=True):
                    if value and (FORBIDDEN.search(value) or ILLEGAL_CHARACTERS_RE.search(value)):
                        bad.append(f"{model.__name__}#{row[0]}.{name} = {value[:40]!r}")
    assert not bad, "\n".join(bad[:20])
    reviewer = Client()
    reviewer.force_login(users["reviewer"])
    assert reviewer.get("/review/2026/export.xlsx").status_code == 200
    leader = Client()
    leader.force_login(users["leader"])
    assert leader.get("/dashboard/export.xlsx").status_code == 200
    clerk = Client()
    # The reviewer's forms may have deactivated or reset the demo clerk: a fresh one.
    clerk.force_login(UserFactory(role="clerk", department=users["clerk"].department))
    assert clerk.get("/entry/2026/sheet.xlsx").status_code == 200
