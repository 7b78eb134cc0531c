"""Item 6 and Build 6 of issue 21: a computed indicator owned by one department over
another's input does not show the other's unsubmitted draft (nor a figure still with the
reviewers) to its clerk: on the entry page, the clerk's workbook and GET /api/v1/figures
(`computed`) it reads as not yet available, in the same words; once the input is approved,
or when every input is the clerk's own, the value is shown. One rule
(metrics.computed.visible_to); the 法制办 and the leader see every value."""

import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics import computed, services
from metrics.models import Figure, FigureStatus, Section
from tests import factories
from tests.api.conftest import token_client

STATUSES = [
    FigureStatus.DRAFT,
    FigureStatus.SUBMITTED,
    FigureStatus.RETURNED,
    FigureStatus.APPROVED,
]


@pytest.fixture
def setup(db, period):
    biz = Section.objects.get(code="biz")
    a = factories.DepartmentFactory(code="depta", name="甲部门")
    b = factories.DepartmentFactory(code="deptb", name="乙部门")
    reviewer = factories.UserFactory(role="reviewer")
    own = factories.IndicatorFactory(code="own_input", department=a, section=biz)
    other = factories.IndicatorFactory(code="other_input", department=b, section=biz)
    direct = services.create_indicator(
        user=reviewer,
        code="sum_direct",
        name="合计直接",
        section=biz,
        department=a,
        formula="own_input + other_input",
    )
    only_own = services.create_indicator(
        user=reviewer,
        code="own_double",
        name="本部门两倍",
        section=biz,
        department=a,
        formula="own_input * 2",
    )
    # B's input reached through a computed indicator owned by B.
    services.create_indicator(
        user=reviewer,
        code="b_double",
        name="乙两倍",
        section=biz,
        department=b,
        formula="other_input * 2",
    )
    nested = services.create_indicator(
        user=reviewer,
        code="sum_nested",
        name="合计间接",
        section=biz,
        department=a,
        formula="own_input + b_double",
    )
    return {
        "a": a,
        "b": b,
        "own": own,
        "other": other,
        "period": period,
        "reviewer": reviewer,
        "direct": direct,
        "only_own": only_own,
        "nested": nested,
        "clerk_a": factories.UserFactory(role="clerk", department=a),
    }


def put(indicator, period, value, status):
    Figure.objects.update_or_create(
        indicator=indicator,
        period=period,
        defaults={"value": Decimal(value), "status": status, "value_type": indicator.value_type},
    )


CASES = list(itertools.product(STATUSES, STATUSES, ["sum_direct", "sum_nested"]))


@pytest.mark.parametrize(("own_status", "other_status", "code"), CASES)
def test_a_clerk_sees_a_value_only_when_every_input_is_theirs_or_approved(
    setup, own_status, other_status, code
):
    put(setup["own"], setup["period"], "7", own_status)
    put(setup["other"], setup["period"], "1000", other_status)
    values = computed.computed_values(period=setup["period"], basis=computed.CURRENT)
    shown = computed.visible_to(values, user=setup["clerk_a"])[code]
    if other_status == FigureStatus.APPROVED:
        assert shown.value is not None and not shown.withheld
    else:
        assert shown.value is None and shown.reason == computed.NOT_YET_AVAILABLE
        assert all(i.value is None for i in (*shown.inputs, *shown.leaves))
    assert computed.visible_to(values, user=setup["clerk_a"])["own_double"].value == 14
    # The 法制办 sees every value as it stands.
    assert computed.visible_to(values, user=setup["reviewer"])[code].value is not None


def test_the_entry_page_does_not_show_another_departments_draft(client, setup):
    put(setup["own"], setup["period"], "7", FigureStatus.DRAFT)
    put(setup["other"], setup["period"], "1000", FigureStatus.DRAFT)
    client.force_login(setup["clerk_a"])
    page = client.get(reverse("entry", args=[setup["period"].code])).content.decode()
    assert computed.NOT_YET_AVAILABLE in page
    assert "1,007" not in page and "1007" not in page and "2,007" not in page
    assert "14" in page  # own_double: only the clerk's own input
    put(setup["other"], setup["period"], "1000", FigureStatus.APPROVED)
    page = client.get(reverse("entry", args=[setup["period"].code])).content.decode()
    assert computed.NOT_YET_AVAILABLE not in page
    assert "1,007" in page or "1007" in page


def test_the_api_does_not_show_another_departments_draft(setup):
    put(setup["own"], setup["period"], "7", FigureStatus.DRAFT)
    put(setup["other"], setup["period"], "1000", FigureStatus.DRAFT)
    api = token_client(setup["clerk_a"])
    body = api.get("/api/v1/figures/", {"period": setup["period"].code}).json()
    items = {item["indicator"]: item for item in body["computed"]}
    for code in ("sum_direct", "sum_nested"):
        assert items[code]["value"] is None
        assert items[code]["reason"] == computed.NOT_YET_AVAILABLE
    assert items["own_double"]["value"] == "14"
    reviewer = token_client(setup["reviewer"])
    body = reviewer.get("/api/v1/figures/", {"period": setup["period"].code}).json()
    items = {item["indicator"]: item for item in body["computed"]}
    assert items["sum_direct"]["value"] == "1007"


def test_a_rule_over_a_withheld_value_does_not_name_it(client, setup):
    """A rule's message names both sides' values: over a withheld computed value it waits
    (数据未齐) instead of telling the clerk what the other department's draft makes."""
    from metrics.models import Indicator, RuleOperator, RuleSeverity, ValidationRule

    ValidationRule.objects.create(
        name="合计不超过本部门",
        left=setup["own"],
        operator=RuleOperator.GE,
        right=Indicator.objects.get(code="sum_direct"),
        severity=RuleSeverity.WARNING,
    )
    put(setup["own"], setup["period"], "7", FigureStatus.DRAFT)
    put(setup["other"], setup["period"], "1000", FigureStatus.DRAFT)
    client.force_login(setup["clerk_a"])
    page = client.get(reverse("entry", args=[setup["period"].code])).content.decode()
    assert "1007" not in page and "1,007" not in page
