"""Item 8 and Build 4 of issue 21 for accounts and templates: a user edited by two reviewers
at once, or a template saved by two editors from the same version, refuses the second save
with the current state shown instead of silently undoing the first."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import people
from lawgov.versions import StaleEdit
from reports import selectors as report_selectors
from reports import services as report_services
from tests import factories


@pytest.fixture
def two_reviewers(reviewer):
    alice, bob = Client(), Client()
    alice.force_login(reviewer)
    bob.force_login(factories.UserFactory(role="reviewer"))
    return alice, bob


def test_a_user_changed_meanwhile_is_not_changed_back(two_reviewers, clerk):
    alice, bob = two_reviewers
    page = reverse("accounts:user_detail", args=[clerk.pk])
    version = alice.get(page).context["version"]
    assert bob.get(page).context["version"] == version
    url = reverse("accounts:user_change", args=[clerk.pk])
    alice.post(url, {"name": "甲改名", "email": "", "version": version})
    refused = bob.post(url, {"name": clerk.first_name, "email": "b@example.cn", "version": version})
    clerk.refresh_from_db()
    assert str(clerk) == "甲改名" and clerk.email == ""
    shown = bob.get(refused["Location"]).content.decode()
    assert "已被他人修改" in shown and "甲改名" in shown


def test_the_service_refuses_a_stale_version_and_takes_the_current_one(reviewer, clerk):
    stale = people.version_of_user(clerk)
    people.change_user(user=reviewer, target=clerk, name="新名字")
    with pytest.raises(StaleEdit):
        people.change_user(
            user=reviewer, target=clerk, email="x@example.cn", expected_version=stale
        )
    clerk.refresh_from_db()
    people.change_user(
        user=reviewer,
        target=clerk,
        email="x@example.cn",
        expected_version=people.version_of_user(clerk),
    )
    clerk.refresh_from_db()
    assert (str(clerk), clerk.email) == ("新名字", "x@example.cn")


def test_a_login_does_not_make_an_open_user_page_stale(reviewer, clerk, client):
    version = people.version_of_user(clerk)
    client.force_login(clerk)  # (sets last_login)
    clerk.refresh_from_db()
    assert people.version_of_user(clerk) == version


def test_two_editors_of_one_template_version(demo_data, client):
    editor_a, editor_b = (factories.UserFactory(role="admin") for _ in range(2))
    template = report_selectors.active_template()
    loaded = template.current_version
    alice, bob = Client(), Client()
    alice.force_login(editor_a)
    bob.force_login(editor_b)
    url = reverse("reports:template") + f"?document={template.slug}"
    form = alice.get(url).content.decode()
    assert f'name="based_on" value="{loaded.number}"' in form
    saved = alice.post(url, {"text": loaded.text + "\n\n甲加的一段。", "based_on": loaded.number})
    assert saved.status_code == 302
    typed = loaded.text + "\n\n乙加的一段。"
    refused = bob.post(url, {"text": typed, "based_on": loaded.number})
    html = refused.content.decode()
    assert refused.status_code == 400 and "已被他人修改" in html
    assert "乙加的一段。" in html  # what Bob typed, kept
    assert f'name="based_on" value="{loaded.number + 1}"' in html  # the next save is over it
    assert "甲加的一段。" in template.current_version.text
    again = bob.post(url, {"text": typed + "\n\n甲加的一段。", "based_on": loaded.number + 1})
    assert again.status_code == 302


def test_the_template_service_refuses_a_save_based_on_an_old_version(demo_data):
    editor = factories.UserFactory(role="admin")
    template = report_selectors.active_template()
    old = template.current_version
    report_services.save_template_version(
        template=template, text=old.text + "\n\n新的一段。", user=editor, based_on=old.number
    )
    with pytest.raises(StaleEdit):
        report_services.save_template_version(
            template=template, text=old.text + "\n\n另一段。", user=editor, based_on=old.number
        )
