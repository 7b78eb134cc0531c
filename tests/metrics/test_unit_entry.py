"""Entry per reporting unit: a township's 司法所 enters and submits the township indicators
for its own township only; a district's 司法局 its district's; the figures are keyed by the
unit that reported them, and every face (service, page, API) applies the same rule."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from metrics import access
from metrics.models import Figure, FigureStatus
from metrics.services import Entry, save_draft, save_figure, submit_figures
from tests import factories
from tests.metrics.unit_city import clerk_of, town


def _fill_town(tree, unit, cases="40", settled="36"):
    clerk = clerk_of(tree, unit)
    save_figure(indicator=tree["cases"], period=tree["period"], value=cases, user=clerk)
    save_figure(indicator=tree["settled"], period=tree["period"], value=settled, user=clerk)
    return clerk


def test_rules_of_entry_in_access(tree):
    one, other = town(tree, 1, 1), town(tree, 2, 1)
    clerk = clerk_of(tree, one)
    assert access.entering_unit(clerk) == one
    assert access.reports(one, tree["cases"]) and access.reports(other, tree["cases"])
    assert not access.reports(one, tree["reviews"])
    assert access.can_enter_indicator(clerk, tree["cases"], one)
    assert not access.can_enter_indicator(clerk, tree["cases"], other)
    assert not access.can_enter_indicator(clerk, tree["reviews"], one)
    assert access.entering_unit(tree["city_reviewer"]) is None


def test_a_township_clerk_enters_and_submits_for_their_township(tree):
    unit = town(tree, 2, 2)
    clerk = _fill_town(tree, unit)
    sent = submit_figures(department=unit, period=tree["period"], user=clerk)
    assert {f.indicator.code for f in sent} == {"mediated", "mediated_ok"}
    stored = Figure.objects.filter(period=tree["period"], unit=unit)
    assert {(f.indicator.code, f.value, f.status) for f in stored} == {
        ("mediated", Decimal(40), FigureStatus.SUBMITTED),
        ("mediated_ok", Decimal(36), FigureStatus.SUBMITTED),
    }
    # Nothing was written for the indicators' own department (the first township).
    assert not Figure.objects.filter(unit=town(tree, 1, 1)).exists()


def test_two_townships_keep_their_own_figures(tree):
    _fill_town(tree, town(tree, 1, 1), "40", "36")
    _fill_town(tree, town(tree, 1, 2), "60", "48")
    values = dict(Figure.objects.filter(indicator=tree["cases"]).values_list("unit__code", "value"))
    assert values == {town(tree, 1, 1).code: Decimal(40), town(tree, 1, 2).code: Decimal(60)}


def test_a_township_clerk_cannot_enter_another_townships_figure(tree):
    clerk = clerk_of(tree, town(tree, 1, 1))
    with pytest.raises(PermissionDenied):
        save_figure(
            indicator=tree["cases"],
            period=tree["period"],
            value="5",
            user=clerk,
            unit=town(tree, 1, 2),
        )
    with pytest.raises(PermissionDenied):
        submit_figures(department=town(tree, 1, 2), period=tree["period"], user=clerk)
    assert not Figure.objects.exists()


def test_a_township_clerk_cannot_enter_a_district_indicator(tree):
    clerk = clerk_of(tree, town(tree, 1, 1))
    with pytest.raises(PermissionDenied):
        save_figure(indicator=tree["reviews"], period=tree["period"], value="5", user=clerk)
    result_error = None
    try:
        save_draft(
            department=town(tree, 1, 1),
            period=tree["period"],
            entries=[Entry(code="reviews", value="5")],
            user=clerk,
        )
    except Exception as exc:  # noqa: BLE001 - the refusal's message is checked below
        result_error = exc
    assert "不属于" in " ".join(getattr(result_error, "messages", [str(result_error)]))
    assert not Figure.objects.exists()


def test_a_district_clerk_enters_for_their_district(tree):
    second = tree["districts"][1]
    clerk = tree["sfj_clerks"][second.code]
    save_figure(indicator=tree["reviews"], period=tree["period"], value="7", user=clerk)
    (figure,) = Figure.objects.all()
    assert figure.unit == tree["sfj"][second.code]
    with pytest.raises(PermissionDenied):
        save_figure(indicator=tree["cases"], period=tree["period"], value="7", user=clerk)


def test_the_entry_page_lists_the_units_indicators_and_saves_for_it(client, tree):
    unit = town(tree, 3, 2)
    clerk = clerk_of(tree, unit)
    client.force_login(clerk)
    url = reverse("entry", args=["2026"])
    page = client.get(url)
    assert page.status_code == 200
    codes = [row.indicator.code for row in page.context["sheet"].rows]
    assert codes == ["mediated", "mediated_ok"]
    response = client.post(
        url,
        {"action": "save", "value-mediated": "12", "version-mediated": "0"},
        follow=True,
    )
    assert response.status_code == 200
    figure = Figure.objects.get(indicator=tree["cases"])
    assert (figure.unit, figure.value) == (unit, Decimal(12))


def test_the_one_row_save_writes_the_clerks_unit(client, tree):
    unit = town(tree, 2, 1)
    client.force_login(clerk_of(tree, unit))
    response = client.post(
        reverse("entry_row", args=["2026", "mediated"]),
        {"value-mediated": "9", "version-mediated": "0"},
    )
    assert response.status_code == 200
    assert Figure.objects.get().unit == unit
    response = client.post(
        reverse("entry_row", args=["2026", "reviews"]),
        {"value-reviews": "9", "version-reviews": "0"},
    )
    assert response.status_code == 403
    assert Figure.objects.count() == 1


def test_the_api_writes_and_lists_the_clerks_unit(client, tree):
    unit = town(tree, 1, 2)
    clerk = clerk_of(tree, unit)
    token = factories.api_token(clerk)
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    created = client.post(
        "/api/v1/figures/",
        {"period": "2026", "indicator": "mediated", "value": "14"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    assert created.json()["department"] == unit.code
    _fill_town(tree, town(tree, 1, 1))
    listed = client.get("/api/v1/figures/?period=2026", **auth).json()["results"]
    assert [(f["department"], f["value"]) for f in listed] == [(unit.code, "14")]
    refused = client.post(
        "/api/v1/figures/",
        {"period": "2026", "indicator": "reviews", "value": "3"},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 403
