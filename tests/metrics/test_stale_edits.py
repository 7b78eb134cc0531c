"""Item 8 and Build 4 of issue 21: two reviewers editing the same catalogue object (one the
name, the other the 填报说明) no longer both succeed with one change silently reverted. Every
edit form and API write of indicators, departments, sections and rules carries the version
it was loaded at (lawgov.versions); a save over a newer one is refused with the current
values shown (a Chinese message on the page keeping what was typed; 409 `stale` with
`current` in the API). And a template save racing an indicator code change never leaves a
template naming a code that no longer exists."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from lawgov.versions import StaleEdit, version_of
from metrics import services
from metrics.models import Department, Indicator, Section, ValidationRule
from tests import factories


def form_data(page):
    """What the edit page's form would post back as it was loaded."""
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    return data


KINDS = {
    "indicator": (
        lambda: Indicator.objects.get(code="biz_inhouse_counsel"),
        lambda obj: f"/catalogue/indicators/{obj.code}/",
        ("name", "help_text"),
    ),
    "department": (
        lambda: Department.objects.get(code="sfj"),
        lambda obj: f"/catalogue/departments/{obj.code}/",
        ("name", "short_name"),
    ),
    "rule": (
        lambda: ValidationRule.objects.order_by("pk").first(),
        lambda obj: f"/catalogue/rules/{obj.pk}/",
        ("name", "message"),
    ),
}


@pytest.fixture
def two_reviewers(client, django_user_model, reviewer, demo_data):
    from django.test import Client

    other = factories.UserFactory(role="reviewer")
    alice, bob = client, Client()
    alice.force_login(reviewer)
    bob.force_login(other)
    return alice, bob


@pytest.mark.parametrize("kind", KINDS)
def test_the_second_of_two_edits_of_one_form_is_refused_keeping_what_was_typed(two_reviewers, kind):
    get, url_of, (first_field, second_field) = KINDS[kind]
    obj = get()
    url = url_of(obj)
    alice, bob = two_reviewers
    alice_form, bob_form = form_data(alice.get(url)), form_data(bob.get(url))
    alice_form[first_field] = "甲改的名称"
    saved = alice.post(url, alice_form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    bob_form[second_field] = "乙改的说明"
    refused = bob.post(url, bob_form)
    html = refused.content.decode()
    assert refused.status_code in (200, 400)  # the form again, not saved
    assert "已被他人修改" in html and "甲改的名称" in html  # the current value shown
    assert "乙改的说明" in html  # what Bob typed, kept
    obj = get()
    assert getattr(obj, first_field) == "甲改的名称"  # Alice's change stands
    assert getattr(obj, second_field) != "乙改的说明"
    # Bob, having seen it, saves again from the page as it now stands: it goes through.
    again = refused.context["form"]
    data = form_data(refused)
    assert again["version"].value() == version_of(obj)
    data[first_field] = "甲改的名称"
    assert bob.post(url, data).status_code == 302
    obj = get()
    assert (getattr(obj, first_field), getattr(obj, second_field)) == ("甲改的名称", "乙改的说明")


def test_a_section_renamed_meanwhile_is_not_renamed_back(two_reviewers):
    alice, bob = two_reviewers
    section = Section.objects.get(code="biz")
    version = version_of(section)
    body = {"action": "rename", "section": "biz", "version": version}
    assert alice.post("/catalogue/sections/", {**body, "name": "甲的名称"}).status_code == 302
    refused = bob.post("/catalogue/sections/", {**body, "name": "乙的名称"})
    assert refused.status_code == 400 and "已被他人修改" in refused.content.decode()
    assert Section.objects.get(code="biz").name == "甲的名称"


API_KINDS = {
    "indicator": ("/api/v1/indicators/biz_inhouse_counsel/", {"help_text": "乙的说明"}),
    "department": ("/api/v1/departments/sfj/", {"short_name": "乙简称"}),
    "section": ("/api/v1/sections/biz/", {"name": "乙部分"}),
}


@pytest.mark.parametrize("kind", API_KINDS)
def test_the_api_refuses_a_stale_write_with_409_and_the_current_values(reviewer, kind):
    url, change = API_KINDS[kind]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(reviewer)}")
    loaded = api.get(url).json()
    assert loaded["version"]
    first = api.patch(url, {"name": "甲改名", "version": loaded["version"]}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["version"] != loaded["version"]
    stale = api.patch(url, {**change, "version": loaded["version"]}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale", stale.json()
    assert "甲改名" in stale.json()["current"].values()
    assert api.get(url).json()["name"] == "甲改名"
    fresh = api.patch(url, {**change, "version": first.json()["version"]}, format="json")
    assert fresh.status_code == 200


def test_services_refuse_a_stale_version_for_every_kind(reviewer, demo_data):
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    department = Department.objects.get(code="sfj")
    section = Section.objects.get(code="biz")
    rule = ValidationRule.objects.order_by("pk").first()
    writes = [
        (
            indicator,
            lambda v: services.update_indicator(
                indicator=indicator, user=reviewer, expected_version=v, name="新名称"
            ),
        ),
        (
            department,
            lambda v: services.update_department(
                department=department, user=reviewer, expected_version=v, name="新部门名"
            ),
        ),
        (
            section,
            lambda v: services.rename_section(
                section=section, user=reviewer, expected_version=v, name="新部分名"
            ),
        ),
        (
            rule,
            lambda v: services.update_rule(
                rule=rule, user=reviewer, expected_version=v, name="新规则名"
            ),
        ),
    ]
    for obj, write in writes:
        stale = version_of(obj)
        type(obj).objects.filter(pk=obj.pk).update(name=obj.name + "（他人改）")
        with pytest.raises(StaleEdit) as refused:
            write(stale)
        assert isinstance(refused.value, ValidationError) and refused.value.code == "stale"
        fresh = type(obj).objects.get(pk=obj.pk)
        assert fresh.name.endswith("（他人改）")
        write(version_of(fresh))  # the current version saves
