"""Every endpoint × every role × own/other department, with the web UI's permissions: each
request runs in a savepoint that is rolled back, so each one meets the same data."""

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from metrics.areas import home_area
from metrics.models import Figure, FigureStatus, Indicator
from reports import services as report_services
from tests import factories

from .conftest import PDF, ROLES, add_pdf_evidence, figure_of, fill_missing, submitted_figure

A, CO, CX, R, L = ROLES  # anonymous, clerk own dept (sfj), clerk other dept (gaj), reviewer, leader


@dataclass
class Case:
    name: str
    method: str
    url: str
    expected: dict  # role → status
    body: dict | None = None
    extra: dict = field(default_factory=dict)


def everyone(status, **overrides):
    return {A: 401, CO: status, CX: status, R: status, L: status, **overrides}


@pytest.fixture
def world(users, sfj, gaj, p2026, media):
    """2026 of the demo, with sfj's figures all filled (so that its clerk may submit them), a
    submitted and a draft figure, evidence on both sides, a queued report job, the locked
    2025 and an open 2027 without figures."""
    clerk, gaj_clerk = users["clerk_own"], users["clerk_other"]
    fill_missing(sfj, p2026, clerk)
    draft = Figure.objects.filter(
        period=p2026, indicator__department=sfj, status=FigureStatus.DRAFT
    ).first()
    submitted = submitted_figure(p2026, sfj)
    evidence_own = add_pdf_evidence(draft.indicator, p2026, clerk)
    gaj_indicator = next(
        i
        for i in Indicator.objects.entered().filter(department=gaj)
        if not Figure.objects.filter(
            period=p2026, indicator=i, status__in=[FigureStatus.SUBMITTED, FigureStatus.APPROVED]
        ).exists()
    )
    evidence_other = add_pdf_evidence(gaj_indicator, p2026, gaj_clerk)
    free = Indicator.objects.entered().filter(department=sfj).first()
    approved = Figure.objects.filter(
        period=p2026, indicator__department=sfj, status=FigureStatus.APPROVED
    ).first()
    factories.period("2027")  # open, no figures yet
    job = report_services.create_report_job(period=p2026, kind="draft", user=users["reviewer"])
    return {
        "draft": figure_of(p2026, draft.indicator.code),
        "submitted": submitted,
        "free": free,
        "evidence_own": evidence_own,
        "evidence_other": evidence_other,
        "job": job,
        "approved": approved,
    }


def cases(world):
    draft, submitted, free, job = world["draft"], world["submitted"], world["free"], world["job"]
    sfj_code = draft.indicator.department.code
    deny_writes = {A: 401, CX: 403, R: 403, L: 403}
    reviewer_only = {A: 401, CO: 403, CX: 403, R: 200, L: 403}
    viewers = {A: 401, CO: 403, CX: 403, R: 200, L: 200}
    home = home_area().code
    result = [
        Case("me", "get", "/api/v1/me/", everyone(200)),
        Case("departments", "get", "/api/v1/departments/", everyone(200)),
        Case("department", "get", "/api/v1/departments/sfj/", everyone(200)),
        Case("sections", "get", "/api/v1/sections/", everyone(200)),
        Case("section", "get", "/api/v1/sections/biz/", everyone(200)),
        Case("indicators", "get", "/api/v1/indicators/", everyone(200)),
        Case("indicator", "get", f"/api/v1/indicators/{free.code}/", everyone(200)),
        Case("periods", "get", "/api/v1/periods/", everyone(200)),
        Case("period", "get", "/api/v1/periods/2026/", everyone(200)),
        Case("figures", "get", "/api/v1/figures/?period=2026", everyone(200)),
        Case("areas", "get", "/api/v1/areas/", everyone(200)),
        Case("area", "get", f"/api/v1/areas/{home}/", everyone(200)),
        Case("rollup", "get", f"/api/v1/rollup/?area={home}&period=2026", viewers),
        Case(
            "figure of sfj",
            "get",
            f"/api/v1/figures/{draft.pk}/",
            {A: 401, CO: 200, CX: 403, R: 200, L: 200},
        ),
        Case(
            "create figure",
            "post",
            "/api/v1/figures/",
            {CO: 201, **deny_writes},
            body={"period": "2027", "indicator": free.code, "value": "1"},
        ),
        Case(
            "update figure",
            "put",
            f"/api/v1/figures/{draft.pk}/",
            {CO: 200, **deny_writes},
            body={"value": "7", "remark": "", "version": draft.version},
        ),
        Case(
            "patch figure",
            "patch",
            f"/api/v1/figures/{draft.pk}/",
            {CO: 200, **deny_writes},
            body={"remark": "核实", "version": draft.version},
        ),
        Case(
            "bulk",
            "post",
            "/api/v1/figures/bulk/",
            {CO: 200, **deny_writes},
            body={
                "period": "2026",
                "department": sfj_code,
                "figures": [{"code": draft.indicator.code, "value": "8"}],
            },
        ),
        Case(
            "submit",
            "post",
            f"/api/v1/periods/2026/departments/{sfj_code}/submit/",
            {CO: 200, **deny_writes},
            body={},
        ),
        Case(
            "approve department",
            "post",
            f"/api/v1/periods/2026/departments/{sfj_code}/approve/",
            reviewer_only,
            body={},
        ),
        Case(
            "approve figure",
            "post",
            f"/api/v1/figures/{submitted.pk}/approve/",
            reviewer_only,
            body={"comment": "同意"},
        ),
        Case(
            "return figure",
            "post",
            f"/api/v1/figures/{submitted.pk}/return/",
            reviewer_only,
            body={"reason": "请核实口径"},
        ),
        Case("lock period", "post", "/api/v1/periods/2026/lock/", reviewer_only, body={}),
        Case(
            "reopen period",
            "post",
            "/api/v1/periods/2025/reopen/",
            reviewer_only,
            body={"reason": "更正数据"},
        ),
        Case(
            "remind",
            "post",
            "/api/v1/reminders/",
            {**reviewer_only, R: 201, L: 201},
            body={"period": "2026", "department": sfj_code},
        ),
        Case(
            "evidence of sfj",
            "get",
            f"/api/v1/evidence/{world['evidence_own'].pk}/",
            {A: 401, CO: 200, CX: 403, R: 200, L: 200},
        ),
        Case(
            "reopen figure",
            "post",
            f"/api/v1/figures/{world['approved'].pk}/reopen/",
            reviewer_only,
            body={"reason": "口径调整"},
        ),
        Case(
            "comment",
            "post",
            f"/api/v1/figures/{submitted.pk}/comments/",
            {A: 401, CO: 201, CX: 403, R: 201, L: 403},
            body={"text": "请补充说明"},
        ),
        Case(
            "upload evidence",
            "post",
            "/api/v1/evidence/",
            {CO: 201, **deny_writes},
            body={"period": "2026", "indicator": draft.indicator.code, "file": "PDF"},
        ),
        Case(
            "delete evidence of sfj",
            "delete",
            f"/api/v1/evidence/{world['evidence_own'].pk}/",
            {CO: 204, **deny_writes},
        ),
        Case("reports", "get", "/api/v1/reports/", viewers),
        Case(
            "request report",
            "post",
            "/api/v1/reports/",
            {**viewers, R: 202, L: 202},
            body={"period": "2026", "kind": "draft"},
        ),
        Case("report", "get", f"/api/v1/reports/{job.pk}/", viewers),
        Case(
            "evidence of gaj",
            "get",
            f"/api/v1/evidence/{world['evidence_other'].pk}/",
            {A: 401, CO: 403, CX: 200, R: 200, L: 200},
        ),
        Case("report pdf", "get", f"/api/v1/reports/{job.pk}/pdf/", {**viewers, R: 404, L: 404}),
        Case("report docx", "get", f"/api/v1/reports/{job.pk}/docx/", {**viewers, R: 404, L: 404}),
    ]
    return result


# Every row of the project's own apps (their history tables included), compared before and
# after each refused request. A token's last use is stamped on every request, refused or not.
WATCHED_APPS = ("accounts", "metrics", "reports")
STAMPED_ON_EVERY_REQUEST = {"last_used"}


def _rows() -> dict[str, list[tuple]]:
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label not in WATCHED_APPS:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in STAMPED_ON_EVERY_REQUEST
        ]
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*fields))
    return rows


def _call(client, case):
    """The response, and the models whose rows the request changed (rolled back after)."""
    body, kwargs = case.body, ({"format": "json"} if case.body is not None else {})
    if body is not None and body.get("file") == "PDF":  # a fresh upload for every call
        body = {**body, "file": SimpleUploadedFile("依据.pdf", PDF)}
        kwargs = {"format": "multipart"}
    with transaction.atomic():
        before = _rows()
        response = getattr(client, case.method)(case.url, body, **kwargs)
        after = _rows()
        transaction.set_rollback(True)
    changed = sorted(label for label in before if before[label] != after[label])
    return response, changed


def test_permission_matrix(world, clients):
    mismatches = []
    for case in cases(world):
        for role in ROLES:
            response, changed = _call(clients[role], case)
            expected = case.expected[role]
            if response.status_code != expected:
                detail = (
                    response.json()
                    if response.get("Content-Type", "").startswith("application/json")
                    else ""
                )
                mismatches.append(
                    f"{case.name} as {role}: {response.status_code} (expected {expected}) {detail}"
                )
            elif response.status_code >= 400:
                body = response.json()
                assert body["code"] and body["message"], (case.name, role, body)
                if changed:
                    mismatches.append(f"{case.name} as {role}: refused but wrote {changed}")
    assert not mismatches, "\n".join(mismatches)


def test_anonymous_gets_401_with_the_token_scheme(clients):
    response = clients["anonymous"].get("/api/v1/figures/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_revoked_token_is_refused(users, clients):
    from accounts.models import ApiToken

    ApiToken.objects.filter(user=users["leader"]).delete()
    response = clients["leader"].get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_clerk_lists_only_their_department(world, clients):
    response = clients["clerk_own"].get("/api/v1/figures/?period=2026")
    departments = {f["department"] for f in response.json()["results"]}
    assert departments == {"sfj"}
    other = clients["clerk_own"].get("/api/v1/figures/?period=2026&department=gaj").json()
    assert other["count"] == 0
    everything = clients["reviewer"].get("/api/v1/figures/?period=2026").json()
    assert len({f["department"] for f in everything["results"]}) > 1


def test_session_authentication_for_the_portal(client, users):
    from accounts.demo import DEMO_PASSWORD

    assert client.login(username="leader", password=DEMO_PASSWORD)
    assert client.get("/api/v1/me/").json()["role"] == "leader"


def test_foreign_figure_is_403_whatever_the_value(world, clients):
    draft = world["draft"]
    for body in ({"value": "abc", "version": draft.version}, {"value": "1", "version": 999}):
        response = clients["clerk_other"].put(f"/api/v1/figures/{draft.pk}/", body, format="json")
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    created = clients["leader"].post(
        "/api/v1/figures/",
        {"period": "2026", "indicator": draft.indicator.code, "value": "NaN"},
        format="json",
    )
    assert created.status_code == 403
