"""Figures through the API: reading with history, optimistic locking, the all-or-nothing
bulk write, the review actions and bounded list queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import demo
from metrics.models import Figure, FigureStatus, Indicator, ReportingPeriod
from reports import selectors as report_selectors
from reports import services as report_services

from .conftest import figure_of, submitted_figure, token_client

RATE = "biz_leader_court_appearance_rate"  # a percentage of 区司法局
COUNT = "biz_review_cases_received"  # a count of 区司法局


def test_create_read_update_with_versions_and_history(clerk, p2027):
    raw = json.dumps({"period": "2027", "indicator": RATE, "value": 99.95, "remark": "初报"})
    created = clerk.post("/api/v1/figures/", raw, content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    # A JSON number is read as a Decimal and answered as a decimal string, never a float.
    assert body["value"] == "99.95" and body["version"] == 1 and body["status"] == "draft"
    assert str(Figure.objects.get(pk=body["id"]).value) == "99.9500"

    updated = clerk.put(
        body["url"], {"value": "98.5", "remark": "更正", "version": 1}, format="json"
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["value"] == "98.5" and updated.json()["version"] == 2

    patched = clerk.patch(body["url"], {"remark": "再核", "version": 2}, format="json")
    assert patched.json()["value"] == "98.5" and patched.json()["remark"] == "再核"

    detail = clerk.get(body["url"]).json()
    assert detail["version"] == 3
    assert [h["version"] for h in detail["history"]] == [3, 2, 1]
    newest = detail["history"][0]
    assert newest["user"] == "clerk_sfj" and newest["changes"] == [
        {"field": "备注", "old": "更正", "new": "再核"}
    ]


def test_stale_version_is_409_with_the_current_value(clerk, users, p2026):
    figure = figure_of(p2026, "edu_legal_consultations")  # a draft of 区司法局 in the demo
    url = f"/api/v1/figures/{figure.pk}/"
    first = clerk.put(url, {"value": "3600", "version": figure.version}, format="json")
    assert first.status_code == 200
    stale = clerk.put(url, {"value": "3700", "version": figure.version}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "conflict" and body["message"]
    assert body["current"] == {
        "id": figure.pk,
        "value": "3600",
        "status": "draft",
        "version": figure.version + 1,
    }
    assert figure_of(p2026, "edu_legal_consultations").value == 3600


def test_creating_what_exists_is_a_conflict(clerk, p2026):
    figure = figure_of(p2026, "edu_legal_consultations")
    response = clerk.post(
        "/api/v1/figures/",
        {"period": "2026", "indicator": "edu_legal_consultations", "value": "1"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current"]["version"] == figure.version


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_without_version_is_refused(clerk, p2026, method):
    figure = figure_of(p2026, "edu_legal_consultations")
    response = getattr(clerk, method)(
        f"/api/v1/figures/{figure.pk}/", {"value": "1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "version_required"
    assert figure_of(p2026, "edu_legal_consultations").value == figure.value


def test_bulk_is_all_or_nothing_and_names_the_bad_rows(clerk, p2027):
    response = clerk.post(
        "/api/v1/figures/bulk/",
        {
            "period": "2027",
            "department": "sfj",
            "figures": [
                {"code": COUNT, "value": "60"},
                {"code": RATE, "value": "120"},
                {"code": "no_such_code", "value": "1"},
                {"code": "grass_grid_coverage", "value": "100"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any(e.startswith("第2行") for e in body["errors"]), body
    assert any(e.startswith("第3行") and "no_such_code" in e for e in body["errors"]), body
    assert any(e.startswith("第4行") and "不属于" in e for e in body["errors"]), body
    assert not any(e.startswith("第1行") for e in body["errors"])
    assert not Figure.objects.filter(period=p2027).exists()


def test_bulk_writes_drafts_and_keeps_approved_figures_safe(clerk, p2026, p2027):
    ok = clerk.post(
        "/api/v1/figures/bulk/",
        {"period": "2027", "department": "sfj", "figures": [{"code": COUNT, "value": 60}]},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["figures"][0]["value"] == "60"
    written = Figure.objects.get(period=p2027, indicator__code=COUNT)
    assert written.value == 60 and written.status == FigureStatus.DRAFT

    approved = Figure.objects.filter(
        period=p2026, indicator__department__code="sfj", status=FigureStatus.APPROVED
    ).first()
    assert approved is not None
    before = (approved.value, approved.status, approved.version, approved.history.count())
    refused = clerk.post(
        "/api/v1/figures/bulk/",
        {
            "period": "2026",
            "department": "sfj",
            "figures": [{"code": approved.indicator.code, "value": "2"}],
        },
        format="json",
    )
    assert refused.status_code == 400 and "第1行" in refused.json()["message"]
    approved.refresh_from_db()
    assert (approved.value, approved.status, approved.version, approved.history.count()) == before


def _bulk_2027(client, figures):
    return client.post(
        "/api/v1/figures/bulk/",
        {"period": "2027", "department": "sfj", "figures": figures},
        format="json",
    )


def test_bulk_with_versions_refuses_rows_changed_meanwhile(clerk, p2027):
    first = _bulk_2027(clerk, [{"code": COUNT, "value": 60}]).json()["figures"][0]
    assert first["version"] == 1
    clerk.put(first["url"], {"value": "61", "version": 1}, format="json")

    stale = _bulk_2027(
        clerk,
        [{"code": RATE, "value": "99", "version": 0}, {"code": COUNT, "value": 62, "version": 1}],
    )
    assert stale.status_code == 400
    (error,) = stale.json()["errors"]
    assert error.startswith("第2行") and "当前值为 61" in error
    assert figure_of(p2027, COUNT).value == 61
    assert not Figure.objects.filter(period=p2027, indicator__code=RATE).exists()

    fresh = _bulk_2027(
        clerk,
        [{"code": RATE, "value": "99", "version": 0}, {"code": COUNT, "value": 62, "version": 2}],
    )
    assert fresh.status_code == 200, fresh.json()
    assert figure_of(p2027, COUNT).value == 62


def test_submit_refusal_lists_reasons_by_indicator(clerk, p2026):
    response = clerk.post("/api/v1/periods/2026/departments/sfj/submit/", {}, format="json")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields and all(isinstance(v, list) for v in fields.values())


def test_return_needs_a_reason_and_is_shown_to_the_clerk(reviewer, clerk, p2026, sfj):
    figure = submitted_figure(p2026, sfj)
    url = f"/api/v1/figures/{figure.pk}/return/"
    assert reviewer.post(url, {}, format="json").json()["code"] == "invalid"
    returned = reviewer.post(url, {"reason": "口径不一致"}, format="json")
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    shown = clerk.get(f"/api/v1/figures/{figure.pk}/").json()
    assert shown["return_reason"] == "口径不一致"
    assert shown["comments"][-1]["kind"] == "return"


def test_approve_one_figure_and_lock_and_reopen(reviewer, p2026, sfj):
    figure = submitted_figure(p2026, sfj)
    approved = reviewer.post(f"/api/v1/figures/{figure.pk}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert reviewer.post("/api/v1/periods/2026/lock/").json()["state"] == "locked"
    again = reviewer.post("/api/v1/periods/2026/lock/")
    # Locking a locked period is a conflict with the period's state, not bad input.
    assert again.status_code == 409 and again.json()["code"] == "state_conflict"
    assert reviewer.post("/api/v1/periods/2026/reopen/", {}, format="json").status_code == 400
    reopened = reviewer.post("/api/v1/periods/2026/reopen/", {"reason": "补报"}, format="json")
    assert reopened.json()["state"] == "open"


def test_reminder_once_a_day(reviewer, p2026):
    first = reviewer.post(
        "/api/v1/reminders/", {"period": "2026", "department": "sfj"}, format="json"
    )
    assert first.status_code == 201 and first.json()["department"] == "sfj"
    second = reviewer.post(
        "/api/v1/reminders/", {"period": "2026", "department": "sfj"}, format="json"
    )
    assert second.status_code == 400 and "一次" in second.json()["message"]


def test_indicators_carry_their_rules(reviewer, demo_data):
    body = reviewer.get("/api/v1/indicators/?department=sfj").json()
    by_code = {i["code"]: i for i in body["results"]}
    rules = by_code[COUNT]["rules"]
    assert rules and {"left", "operator", "right", "severity"} <= set(rules[0])


def test_filters_and_pagination(reviewer, p2026):
    page = reviewer.get("/api/v1/figures/?period=2026&status=approved").json()
    assert page["count"] > 0 and {f["status"] for f in page["results"]} == {"approved"}
    assert reviewer.get("/api/v1/figures/?status=nonsense").status_code == 400
    assert reviewer.get("/api/v1/figures/?page=999").json()["code"] == "not_found"
    assert {"count", "next", "previous", "results"} <= set(
        reviewer.get("/api/v1/departments/").json()
    )


def _ids(client, query):
    response = client.get(f"/api/v1/figures/?{query}")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["results"])  # one page, so the lists are complete
    return [f["id"] for f in body["results"]]


def test_indicator_filter_alone_and_with_period_and_status(reviewer, users, p2026):
    # In the demo, COUNT is submitted in 2026 and approved in 2025, among 60 figures.
    current = figure_of(p2026, COUNT)
    previous = figure_of(ReportingPeriod.objects.get(code="2025"), COUNT)
    assert (current.status, previous.status) == (FigureStatus.SUBMITTED, FigureStatus.APPROVED)
    assert Figure.objects.count() > 50

    # Newest period first, as the unfiltered list.
    assert _ids(reviewer, f"indicator={COUNT}") == [current.pk, previous.pk]
    response = reviewer.get(f"/api/v1/figures/?indicator={COUNT}&period=2026").json()
    (only,) = response["results"]
    assert only["id"] == current.pk
    assert (only["indicator"], only["period"], only["value"]) == (COUNT, "2026", "64")
    assert _ids(reviewer, f"indicator={COUNT}&period=2025") == [previous.pk]
    assert _ids(reviewer, f"indicator={COUNT}&status=approved") == [previous.pk]
    assert _ids(reviewer, f"indicator={COUNT}&status=submitted") == [current.pk]
    assert _ids(reviewer, f"indicator={COUNT}&period=2026&status=submitted") == [current.pk]
    # Each filter narrows the others: 2026 has approved figures, and COUNT has one in
    # 2025, but COUNT has none approved in 2026.
    assert _ids(reviewer, "period=2026&status=approved")
    assert _ids(reviewer, f"indicator={COUNT}&period=2026&status=approved") == []
    assert _ids(reviewer, f"indicator={COUNT}&period=2026&status=submitted&department=gaj") == []
    assert _ids(reviewer, "indicator=no_such_code") == []
    # A clerk of another department does not see the figure through the filter either.
    other = token_client(users["clerk_other"])
    assert _ids(other, f"indicator={COUNT}") == []
    assert _ids(token_client(users["clerk_own"]), f"indicator={COUNT}&period=2026") == [current.pk]


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/figures/",
        "/api/v1/figures/?period=2026",
        "/api/v1/indicators/",
        "/api/v1/departments/",
        "/api/v1/periods/",
    ],
)
def test_list_queries_do_not_grow_with_departments(
    reviewer, demo_data, url, django_assert_max_num_queries
):
    demo.seed_synthetic(departments=2, periods=1)
    small = _queries(reviewer, url)
    demo.seed_synthetic(departments=20, periods=1)
    assert Indicator.objects.filter(department__code__startswith="syn").count() == 1200
    with django_assert_max_num_queries(small):
        assert reviewer.get(url).status_code == 200
    # 9 (one of them: whether the caller's password must still be changed), and for ?period=
    # two more for the period's computed indicators (metrics.computed) and one for which of
    # their departments lie in the caller's subtree (once, not per department).
    assert small <= (12 if "period=" in url else 9)


def test_report_list_queries_do_not_grow_with_jobs(
    reviewer, users, p2026, p2027, django_assert_max_num_queries
):
    """Jobs by several people, for several periods, from two template versions."""

    def job(period, user):
        return report_services.create_report_job(period=period, kind="draft", user=user)

    first = job(p2026, users["leader"])
    # Measured: 5 queries (token, permissions, count, page) for one job and for five;
    # without the list's select_related, 8 for one and 20 for five.
    small = _queries(reviewer, "/api/v1/reports/")
    template = report_selectors.active_template()
    report_services.save_template_version(
        template=template,
        text=template.current_version.text.replace("谢谢大家！", "谢谢！"),
        user=users["reviewer"],
    )
    jobs = [
        first,
        job(p2027, users["leader"]),
        job(p2026, users["reviewer"]),
        job(p2027, users["reviewer"]),
        job(ReportingPeriod.objects.get(code="2025"), users["leader"]),
    ]
    with django_assert_max_num_queries(small) as queries:
        response = reviewer.get("/api/v1/reports/")
    assert response.status_code == 200
    # One more than before the area tree: the caller's subtree, which the list is filtered by.
    assert small <= 9, queries
    body = response.json()
    # Newest first, each with its own period, requester and template version.
    assert [j["id"] for j in body["results"]] == [j.pk for j in reversed(jobs)]
    assert [(j["period"], j["requested_by"], j["template_version"]) for j in body["results"]] == [
        ("2025", "leader", 2),
        ("2027", "reviewer", 2),
        ("2026", "reviewer", 2),
        ("2027", "leader", 2),
        ("2026", "leader", 1),
    ]


def test_bulk_rows_that_change_nothing_write_nothing(clerk, p2026, sfj):
    approved = Figure.objects.filter(
        period=p2026, indicator__department=sfj, status=FigureStatus.APPROVED
    ).first()
    draft = Figure.objects.filter(
        period=p2026, indicator__department=sfj, status=FigureStatus.DRAFT
    ).first()
    history = {f.pk: f.history.count() for f in (approved, draft)}
    response = clerk.post(
        "/api/v1/figures/bulk/",
        {
            "period": "2026",
            "department": "sfj",
            "figures": [
                # the same value again, even for an approved figure, is not an edit
                {
                    "code": approved.indicator.code,
                    "value": str(approved.value),
                    "remark": approved.remark,
                },
                {"code": draft.indicator.code, "value": str(draft.value), "remark": draft.remark},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["count"] == 0
    for figure in (approved, draft):
        fresh = Figure.objects.get(pk=figure.pk)
        assert (fresh.version, fresh.history.count()) == (figure.version, history[figure.pk])
