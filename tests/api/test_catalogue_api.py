"""The catalogue through the API, as another system of the 法制办 changes it with a reviewer's
token: writes, the refusals' stable codes, 403 for clerks and leaders, the schema."""

import pytest

from metrics.models import Department, FigureStatus, Indicator, Section, ValidationRule
from tests import factories

from .conftest import token_client

NEW = {"name": "行政复议案件数", "section": "biz", "department": "sfj", "unit": "起"}

WRITES = [
    ("post", "/api/v1/indicators/", NEW),
    ("patch", "/api/v1/indicators/biz_inhouse_counsel/", {"unit": "名"}),
    ("post", "/api/v1/indicators/biz_inhouse_counsel/retire/", {"reason": "x"}),
    ("post", "/api/v1/indicators/biz_inhouse_counsel/restore/", {}),
    ("post", "/api/v1/sections/", {"code": "x", "name": "其他"}),
    ("patch", "/api/v1/sections/biz/", {"name": "改名"}),
    ("delete", "/api/v1/sections/biz/", None),
    ("post", "/api/v1/sections/reorder/", {"codes": ["edu", "grass", "biz", "lead"]}),
    ("post", "/api/v1/departments/", {"code": "wjw", "name": "区卫健委"}),
    ("patch", "/api/v1/departments/gaj/", {"short_name": "公安"}),
    ("post", "/api/v1/departments/gaj/retire/", {"reason": "x"}),
    ("post", "/api/v1/departments/gaj/restore/", {}),
]


@pytest.mark.parametrize("method,path,body", WRITES)
def test_writes_are_for_the_catalogue_managers_only(clients, method, path, body):
    before = list(Indicator.objects.values_list("code", "unit", "retired_on"))
    for role in ("clerk_own", "clerk_other", "leader"):
        response = getattr(clients[role], method)(path, body, format="json")
        assert response.status_code == 403, (role, response.content)
        assert response.json()["code"] == "forbidden"
    response = getattr(clients["anonymous"], method)(path, body, format="json")
    assert response.status_code == 401
    assert list(Indicator.objects.values_list("code", "unit", "retired_on")) == before
    response = getattr(clients["reviewer"], method)(path, body, format="json")
    assert response.status_code < 500


def test_reads_stay_open_to_every_role(clients):
    for role in ("clerk_own", "leader", "reviewer"):
        response = clients[role].get("/api/v1/indicators/biz_review_closure_rate/")
        assert response.status_code == 200
        assert response.json()["formula"].startswith("biz_review_cases_closed")


def test_each_indicator_says_whether_it_is_computed(clients):
    """An API user tells computed indicators apart: computed, formula, decimal_places and
    retired_on on every indicator of the list and of the detail."""
    listed = clients["leader"].get("/api/v1/indicators/", {"page_size": 500}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    by_code = {row["code"]: row for row in rows}
    rate = by_code["biz_review_closure_rate"]
    assert rate["computed"] is True
    assert rate["formula"].startswith("biz_review_cases_closed")
    assert rate["decimal_places"] == Indicator.objects.get(code=rate["code"]).decimal_places
    assert rate["retired_on"] is None
    entered = by_code["biz_review_cases_received"]
    assert (entered["computed"], entered["formula"], entered["decimal_places"]) == (False, "", 0)
    assert {row["computed"] for row in rows} == {True, False}
    assert sum(row["computed"] for row in rows) == Indicator.objects.computed().count()
    detail = clients["clerk_own"].get("/api/v1/indicators/biz_review_closure_rate/").json()
    assert detail["computed"] is True


def test_create_update_retire_restore_an_indicator(reviewer, users):
    response = reviewer.post("/api/v1/indicators/", NEW, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "biz_xzfyajs"
    again = reviewer.post("/api/v1/indicators/", NEW, format="json")
    assert again.json()["code"] == "biz_xzfyajs_2"
    response = reviewer.patch(
        "/api/v1/indicators/biz_xzfyajs/",
        {"upper_bound": "500", "reason": "设上限", "code": "biz_review_cases"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["upper_bound"] == "500"
    assert response.json()["code"] == "biz_review_cases"
    indicator = Indicator.objects.get(code="biz_review_cases")
    assert indicator.history.latest().history_user == users["reviewer"]
    assert indicator.history.latest().history_change_reason == "设上限"
    response = reviewer.post(
        "/api/v1/indicators/biz_review_cases/retire/",
        {"reason": "合并统计", "on": "2026-06-30"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["retired_on"] == "2026-06-30"
    again = reviewer.post(
        "/api/v1/indicators/biz_review_cases/retire/", {"reason": "x"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already"
    response = reviewer.post("/api/v1/indicators/biz_review_cases/restore/", {}, format="json")
    assert response.status_code == 200 and response.json()["retired_on"] is None


def test_retire_without_a_reason_is_refused(reviewer):
    response = reviewer.post(
        "/api/v1/indicators/biz_inhouse_counsel/retire/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"


@pytest.mark.parametrize(
    "formula,words",
    [
        ("biz_no_such + 1", "不存在的指标代码"),
        ("biz_review_cases_closed * (2", "公式"),
        ("biz_new_rate + 1", "指标本身"),
    ],
)
def test_a_bad_formula_is_refused_with_its_message(reviewer, formula, words):
    body = {**NEW, "code": "biz_new_rate", "formula": formula, "decimal_places": 1}
    response = reviewer.post("/api/v1/indicators/", body, format="json")
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] == "formula_invalid"
    assert words in data["message"]
    assert "formula" in data["fields"]


def test_a_cycle_and_a_retired_input_are_refused(reviewer):
    body = {**NEW, "code": "biz_double", "formula": "biz_review_closure_rate * 2"}
    assert reviewer.post("/api/v1/indicators/", body, format="json").status_code == 201
    response = reviewer.patch(
        "/api/v1/indicators/biz_review_closure_rate/", {"formula": "biz_double / 2"}, format="json"
    )
    assert response.json()["code"] == "formula_invalid"
    assert "循环引用" in response.json()["message"]
    reviewer.post("/api/v1/indicators/biz_inhouse_counsel/retire/", {"reason": "x"}, format="json")
    body = {**NEW, "formula": "biz_inhouse_counsel + 1"}
    response = reviewer.post("/api/v1/indicators/", body, format="json")
    assert response.json()["code"] == "formula_invalid"
    assert "已停用" in response.json()["message"]


def test_a_referred_code_is_frozen(reviewer, p2026):
    # Every demo indicator has figures; the template and rules refer to many.
    response = reviewer.patch(
        "/api/v1/indicators/biz_review_cases_closed/", {"code": "biz_closed"}, format="json"
    )
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "code_frozen"
    assert "填报数据" in data["message"] and "校验规则" in data["message"]
    assert ValidationRule.objects.filter(left__code="biz_review_cases_closed").exists()


def test_owner_change_refused_while_figures_await_review(reviewer, p2026):
    indicator = Indicator.objects.get(code="biz_review_cases_received")
    assert indicator.figures.filter(period=p2026, status=FigureStatus.SUBMITTED).exists()
    response = reviewer.patch(
        f"/api/v1/indicators/{indicator.code}/", {"department": "gaj"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "figures_awaiting_review"


def test_sections_through_the_api(reviewer):
    assert (
        reviewer.post("/api/v1/sections/", {"code": "x", "name": "其他"}, format="json").status_code
        == 201
    )
    response = reviewer.patch("/api/v1/sections/x/", {"name": "其他工作"}, format="json")
    assert response.json()["name"] == "其他工作"
    response = reviewer.post(
        "/api/v1/sections/reorder/", {"codes": ["x", "lead", "biz", "grass", "edu"]}, format="json"
    )
    assert [s["code"] for s in response.json()] == ["x", "lead", "biz", "grass", "edu"]
    response = reviewer.delete("/api/v1/sections/biz/")
    assert response.status_code == 409
    assert response.json()["code"] == "section_not_empty"
    assert "只能清空后删除" in response.json()["message"]
    assert reviewer.delete("/api/v1/sections/x/").status_code == 204
    assert not Section.objects.filter(code="x").exists()


def test_departments_through_the_api(reviewer):
    response = reviewer.post(
        "/api/v1/departments/", {"code": "wjw", "name": "区卫健委"}, format="json"
    )
    assert response.status_code == 201 and response.json()["retired"] is False
    response = reviewer.patch("/api/v1/departments/wjw/", {"short_name": "卫健委"}, format="json")
    assert response.json()["short_name"] == "卫健委"
    response = reviewer.post("/api/v1/departments/wjw/retire/", {"reason": "撤并"}, format="json")
    assert response.json()["retired"] is True
    response = reviewer.post("/api/v1/indicators/", {**NEW, "department": "wjw"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "department_retired"
    response = reviewer.post("/api/v1/departments/wjw/restore/", {}, format="json")
    assert response.json()["retired"] is False


def test_a_department_owning_indicators_is_not_retired(reviewer):
    response = reviewer.post("/api/v1/departments/gaj/retire/", {"reason": "撤并"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "department_in_use"
    assert "组建专职巡逻队的乡镇（街道）" in response.json()["message"]
    assert not Department.objects.get(code="gaj").is_retired


def test_a_bad_input_shape_is_a_400_not_a_500(reviewer):
    for body in ({"name": ""}, {**NEW, "section": "nope"}, {**NEW, "decimal_places": 9}):
        response = reviewer.post("/api/v1/indicators/", body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_the_schema_documents_the_catalogue_writes(client, demo_data):
    user = factories.UserFactory(role="reviewer")
    schema = token_client(user).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/indicators/"]
    assert "patch" in paths["/api/v1/indicators/{code}/"]
    assert "post" in paths["/api/v1/indicators/{code}/retire/"]
    assert "post" in paths["/api/v1/sections/reorder/"]
    assert "delete" in paths["/api/v1/sections/{code}/"]
    assert "post" in paths["/api/v1/departments/{code}/retire/"]
    assert "code_frozen" in schema["info"]["description"]
    indicator = schema["components"]["schemas"]["Indicator"]
    for name, kind in (
        ("computed", "boolean"),
        ("formula", "string"),
        ("decimal_places", "integer"),
        ("retired_on", "string"),
    ):
        assert indicator["properties"][name]["type"] == kind, name
        assert indicator["properties"][name]["readOnly"] is True, name
    assert indicator["properties"]["retired_on"]["nullable"] is True
