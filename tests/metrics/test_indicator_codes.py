"""An indicator code is what formulas and report templates name ({code}): lower-case letters,
digits and underscores, starting with a letter. Anything else (biz-cases, Biz, 2025_cases)
is refused where it is typed — the services, the 指标管理 page and the API — in Chinese."""

import pytest
from django.core.exceptions import ValidationError

from metrics import services
from metrics.models import Indicator, Section, validate_indicator_code
from tests import factories

# The catalogue names the rule in its own words, with the code typed (metrics.services.catalogue).
RULE = "只能用小写英文字母、数字和下划线，并以字母开头"
BAD = ["biz-cases", "Biz", "2025_cases", "_cases", "案件数"]


@pytest.fixture
def biz(db):
    return Section.objects.get(code="biz")


@pytest.mark.parametrize("code", BAD)
def test_a_code_formulas_cannot_name_is_refused(reviewer, sfj, biz, code):
    with pytest.raises(ValidationError) as refused:
        services.create_indicator(
            user=reviewer, name="连字符", section=biz, department=sfj, code=code
        )
    (message,) = refused.value.message_dict["code"]  # one reason, not two
    assert RULE in message
    assert not Indicator.objects.filter(name="连字符").exists()


def test_a_good_code_can_be_named_by_a_formula(reviewer, sfj, biz):
    services.create_indicator(
        user=reviewer, name="案件", section=biz, department=sfj, code="biz_cases_2"
    )
    services.create_indicator(
        user=reviewer,
        name="两倍",
        section=biz,
        department=sfj,
        code="twice",
        formula="biz_cases_2 * 2",
    )


def test_renaming_to_a_bad_code_is_refused(reviewer, sfj, biz):
    indicator = factories.IndicatorFactory(code="biz_new", department=sfj)
    with pytest.raises(ValidationError, match=RULE):
        services.update_indicator(indicator=indicator, user=reviewer, code="biz-new")
    assert Indicator.objects.get(pk=indicator.pk).code == "biz_new"


def test_the_page_shows_the_reason_with_what_was_typed(client, reviewer, sfj, biz):
    client.force_login(reviewer)
    response = client.post(
        "/catalogue/new/",
        {
            "name": "连字符指标",
            "code": "biz-cases",
            "section": biz.pk,
            "department": sfj.pk,
            "value_type": "count",
            "decimal_places": "0",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert RULE in page and "biz-cases" in page
    assert not Indicator.objects.filter(code="biz-cases").exists()


def test_the_api_answers_400_naming_the_field(reviewer):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(reviewer)}")
    body = {"name": "连字符", "code": "Biz", "section": "biz", "department": "sfj"}
    response = api.post("/api/v1/indicators/", body, format="json")
    assert response.status_code == 400, response.content
    (message,) = response.json()["fields"]["code"]
    assert RULE in message


def test_every_built_in_and_demo_code_already_follows_the_rule(demo_data):
    for code in Indicator.objects.values_list("code", flat=True):
        validate_indicator_code(code)
