"""Computed indicators (计算指标) as a clerk, a reviewer and another system meet them: never on
the entry sheet nor in the progress counts, their values from the inputs (metrics.computed),
rules over them, and writes to them refused; and retired indicators, entered in earlier
periods only."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics import computed, selectors, services, sheets
from metrics.models import (
    Department,
    Figure,
    FigureStatus,
    Indicator,
    ReportingPeriod,
    User,
    ValidationRule,
)
from tests import factories
from tests.api.conftest import token_client

CLOSURE = "biz_review_closure_rate"
COUNSEL = "biz_external_counsel_total"


@pytest.fixture
def p2026(demo_data):
    return ReportingPeriod.objects.get(code="2026")


@pytest.fixture
def sfj(demo_data):
    return Department.objects.get(code="sfj")


@pytest.fixture
def clerk(demo_data):
    return User.objects.get(username="clerk_sfj")


def _set(code, period, value, status=FigureStatus.SUBMITTED):
    Figure.objects.update_or_create(
        indicator=Indicator.objects.get(code=code),
        period=period,
        defaults={"value": value, "status": status, "value_type": "count"},
    )


def test_values_from_approved_and_from_current_inputs(p2026):
    approved = computed.computed_values(period=p2026, basis=computed.APPROVED)
    current = computed.computed_values(period=p2026, basis=computed.CURRENT)
    # 2026: 60 closed of 64 received, both only submitted; counsel 4 + 9, both approved.
    assert approved[CLOSURE].value is None
    # Both entered and with the reviewers: awaiting review, not missing.
    assert approved[CLOSURE].reason == "待审核：办结行政复议案件、受理行政复议案件"
    assert current[CLOSURE].value == Decimal("93.8")  # 93.75 half up to one decimal
    assert not current[CLOSURE].approved
    assert [i.name for i in current[CLOSURE].unapproved_inputs] == [
        "办结行政复议案件",
        "受理行政复议案件",
    ]
    # 同比 against 2025 computed from its approved inputs: 55 / 58 → 94.8; 3 + 8 → 11.
    assert current[CLOSURE].previous == Decimal("94.8")
    assert approved[COUNSEL].value == 13 and approved[COUNSEL].previous == 11
    assert approved[COUNSEL].change.text == "同比增长18.2%"
    assert approved[COUNSEL].input_codes == ["biz_external_law_experts", "biz_external_lawyers"]


def test_division_by_zero_is_a_gap_with_its_reason(p2026):
    _set("biz_review_cases_received", p2026, 0)
    value = computed.computed_values(period=p2026, basis=computed.CURRENT)[CLOSURE]
    assert value.value is None and value.reason == "除数为 0，无法计算"


def test_the_sheet_and_the_progress_count_entered_indicators_only(p2026, sfj):
    sheet = sheets.department_sheet(department=sfj, period=p2026)
    codes = {row.indicator.code for row in sheet.rows}
    assert CLOSURE not in codes and COUNSEL not in codes
    assert codes == set(sfj.indicators.entered().values_list("code", flat=True))
    # read only beside the sheet
    assert {c.code for c in sheet.computed} == {CLOSURE, COUNSEL}
    [counted] = selectors.progress_by_department(
        period=p2026, departments=Department.objects.filter(pk=sfj.pk)
    )
    assert counted.progress.expected == len(sheet.rows) == 15


def test_a_retired_indicator_is_entered_in_earlier_periods_only(p2026, sfj):
    firms = Indicator.objects.get(code="biz_external_law_firms")
    firms.retired_on = datetime.date(2025, 12, 31)
    firms.save()
    p2025 = ReportingPeriod.objects.get(code="2025")
    later = sheets.department_sheet(department=sfj, period=p2026)
    earlier = sheets.department_sheet(department=sfj, period=p2025)
    assert later.row("biz_external_law_firms") is None
    assert earlier.row("biz_external_law_firms").value == 4  # its past figure stays
    [now] = selectors.progress_by_department(period=p2026, departments=Department.objects.all())[:1]
    [then] = selectors.progress_by_department(period=p2025, departments=Department.objects.all())[
        :1
    ]
    assert (now.code, then.code) == ("sfj", "sfj")
    assert now.progress.expected == 14 and then.progress.expected == 15
    clerk = User.objects.get(username="clerk_sfj")
    with pytest.raises(ValidationError) as refused:
        services.save_figure(indicator=firms, period=p2026, value="5", user=clerk)
    assert refused.value.error_list[0].code == "retired_indicator"
    assert "已于2025-12-31停用" in refused.value.messages[0]


def test_a_rule_over_a_computed_indicator_blocks_the_submit(p2026, sfj, clerk):
    ValidationRule.objects.update(active=False)
    ValidationRule.objects.create(
        name="办结率不超过出庭应诉率",
        left=Indicator.objects.get(code=CLOSURE),
        operator="<=",
        right=Indicator.objects.get(code="biz_leader_court_appearance_rate"),
        message="行政复议办结率不应超过100%",
    )
    Figure.objects.filter(period=p2026, indicator__department=sfj).update(status=FigureStatus.DRAFT)
    for indicator in sfj.indicators.entered():
        if not Figure.objects.filter(indicator=indicator, period=p2026).exists():
            _set(indicator.code, p2026, 1, FigureStatus.DRAFT)
    _set("biz_review_cases_closed", p2026, 70, FigureStatus.DRAFT)  # 70 / 64 → 109.4
    sheet = sheets.department_sheet(department=sfj, period=p2026)
    assert [f.message for f in sheet.findings if f.code == CLOSURE and f.is_error] == [
        "行政复议办结率不应超过100%：行政复议办结率（109.4）应≤重大案件行政负责人出庭应诉率（100）。"
    ]
    with pytest.raises(ValidationError) as refused:
        services.submit_figures(department=sfj, period=p2026, user=clerk)
    assert CLOSURE in refused.value.error_dict


def test_the_api_lists_computed_read_only_and_refuses_a_write(p2026, clerk):
    api = token_client(clerk)
    body = api.get("/api/v1/figures/?period=2026").json()
    assert CLOSURE not in {f["indicator"] for f in body["results"]}
    by_code = {c["indicator"]: c for c in body["computed"]}
    assert by_code[COUNSEL] | {"change": None} == {
        "period": "2026",
        "indicator": COUNSEL,
        "department": "sfj",
        "computed": True,
        "formula": "biz_external_law_experts + biz_external_lawyers",
        "inputs": ["biz_external_law_experts", "biz_external_lawyers"],
        "value": "13",
        "reason": "",
        "approved": True,
        "previous_value": "11",
        "change": None,
    }
    assert by_code[CLOSURE]["value"] == "93.8" and not by_code[CLOSURE]["approved"]
    refused = api.post(
        "/api/v1/figures/", {"period": "2026", "indicator": CLOSURE, "value": "90"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "computed_indicator"
    assert "计算指标" in refused.json()["message"]
    bulk = api.post(
        "/api/v1/figures/bulk/",
        {"period": "2026", "department": "sfj", "figures": [{"code": COUNSEL, "value": 1}]},
        format="json",
    )
    assert bulk.status_code == 400 and "计算指标" in bulk.json()["message"]
    assert bulk.json()["code"] == "computed_indicator"
    assert not Figure.objects.filter(indicator__code__in=[CLOSURE, COUNSEL]).exists()
    schema = api.get("/api/schema/?format=json").json()
    assert "ComputedFigure" in schema["components"]["schemas"]


def test_a_post_naming_a_computed_code_changes_nothing_and_says_why(client, p2026, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("entry", args=["2026"]),
        {f"value-{CLOSURE}": "50", "action": "save"},
        follow=True,
    )
    assert response.status_code == 200
    assert "行政复议办结率是计算指标" in response.content.decode()
    assert not Figure.objects.filter(indicator__code=CLOSURE).exists()
    row = client.post(reverse("entry_row", args=["2026", CLOSURE]), {f"value-{CLOSURE}": "1"})
    assert row.status_code == 400 and "计算指标" in row.content.decode()


def test_the_review_page_shows_the_computed_values(client, p2026):
    client.force_login(User.objects.get(username="reviewer"))
    page = client.get(reverse("review_department", args=["2026", "sfj"])).content.decode()
    assert "行政复议办结率" in page and "93.8" in page and "计算" in page


def _add_computed(n, start):
    section = Indicator.objects.get(code="biz_review_cases_received").section
    sfj = Department.objects.get(code="sfj")
    for k in range(start, start + n):
        factories.IndicatorFactory(
            code=f"test_computed_{k}",
            section=section,
            department=sfj,
            formula=f"biz_review_cases_closed * {k} + prev(biz_review_cases_received)",
            decimal_places=1,
        )


def test_computed_evaluation_takes_the_same_queries_for_3_and_10(p2026):
    def count():
        with CaptureQueriesContext(connection) as queries:
            values = computed.computed_values(period=p2026, basis=computed.CURRENT)
        return len(queries), len(values)

    _add_computed(1, 0)  # 3 computed indicators
    few, n_few = count()
    _add_computed(7, 1)  # 10
    many, n_many = count()
    assert (n_few, n_many) == (3, 10)
    assert few == many == 2
    assert computed.computed_values(period=p2026, basis=computed.CURRENT)[
        "test_computed_3"
    ].value == Decimal(60 * 3 + 58)
