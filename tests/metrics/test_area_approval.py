"""Level-by-level approval: a township's figures are approved by its district's office, never
by a neighbour nor by the city directly; the city approves a district as a whole once every
figure in it is approved, which locks the district's figures until withdrawn; a return goes
to the unit that reported the figure; each office's queue shows its own children only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from metrics.models import AreaApproval, Figure, FigureComment, FigureStatus
from metrics.review_selectors import area_rows, office_queue
from metrics.services import (
    approve_area,
    approve_department,
    approve_figure,
    return_figure,
    save_figure,
    submit_figures,
    withdraw_area_approval,
)
from tests.metrics.unit_city import clerk_of, town
from tests.reports.city import figure as make_figure


def _submitted(tree, unit, cases="40", settled="36"):
    clerk = clerk_of(tree, unit)
    for indicator, value in ((tree["cases"], cases), (tree["settled"], settled)):
        save_figure(indicator=indicator, period=tree["period"], value=value, user=clerk)
    return submit_figures(department=unit, period=tree["period"], user=clerk)


def _approve_whole_district(tree, number):
    """Every unit of district `number` with approved figures (built directly)."""
    district = tree["districts"][number - 1]
    for unit in tree["towns"][district.code]:
        make_figure(tree["cases"], unit, 10)
        make_figure(tree["settled"], unit, 8)
    make_figure(tree["reviews"], tree["sfj"][district.code], 3)
    return district


def test_the_district_reviewer_approves_a_township_figure(tree):
    cases, _ = _submitted(tree, town(tree, 1, 1))
    approve_figure(figure=cases, user=tree["reviewers"][0])
    cases.refresh_from_db()
    assert cases.status == FigureStatus.APPROVED


def test_another_district_and_the_city_cannot_approve_a_township_figure(tree):
    cases, settled = _submitted(tree, town(tree, 1, 1))
    for user in (tree["reviewers"][1], tree["city_reviewer"]):
        with pytest.raises(PermissionDenied, match="由第1区审核"):
            approve_figure(figure=cases, user=user)
        with pytest.raises(PermissionDenied):
            return_figure(figure=cases, user=user, reason="不对")
        with pytest.raises(PermissionDenied):
            approve_department(department=town(tree, 1, 1), period=tree["period"], user=user)
    assert set(Figure.objects.values_list("status", flat=True)) == {FigureStatus.SUBMITTED}


def test_the_city_approves_its_own_units_and_no_districts(tree):
    city_unit = tree["sfj"]["990101"].__class__.objects.create(
        code="city_sfj", name="示例市司法局", area=tree["city"], kind=tree["sfj"]["990101"].kind
    )
    sent = make_figure(tree["reviews"], city_unit, 4, status=FigureStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        approve_figure(figure=sent, user=tree["reviewers"][0])
    approve_figure(figure=sent, user=tree["city_reviewer"])
    sent.refresh_from_db()
    assert sent.status == FigureStatus.APPROVED


def test_a_return_reaches_the_reporting_units_clerk(client, tree):
    unit = town(tree, 2, 1)
    cases, _ = _submitted(tree, unit)
    return_figure(figure=cases, user=tree["reviewers"][1], reason="请核对调解台账")
    cases.refresh_from_db()
    assert (cases.status, cases.return_reason) == (FigureStatus.RETURNED, "请核对调解台账")
    assert FigureComment.objects.get(figure=cases).text == "请核对调解台账"
    client.force_login(clerk_of(tree, unit))
    page = client.get(reverse("entry", args=["2026"]))
    row = page.context["sheet"].row("mediated")
    assert row.figure == cases and row.editable
    assert "请核对调解台账" in page.content.decode()
    # The clerk of the township whose figure it is not sees nothing of it.
    client.force_login(clerk_of(tree, town(tree, 2, 2)))
    other = client.get(reverse("entry", args=["2026"]))
    assert other.context["sheet"].row("mediated").figure is None


def test_the_city_approves_a_district_only_when_complete(tree):
    district = tree["districts"][0]
    for unit in tree["towns"][district.code]:
        make_figure(tree["cases"], unit, 10)
        make_figure(tree["settled"], unit, 8)
    with pytest.raises(ValidationError, match="尚未全部审核通过") as refused:
        approve_area(area=district, period=tree["period"], user=tree["city_reviewer"])
    assert "第1区司法局（0/1）" in refused.value.messages[0]
    assert not AreaApproval.objects.exists()
    make_figure(tree["reviews"], tree["sfj"][district.code], 3)
    approval = approve_area(area=district, period=tree["period"], user=tree["city_reviewer"])
    assert approval.approved_by == tree["city_reviewer"]
    assert approval.history.get().history_change_reason == "整体审核确认"
    with pytest.raises(ValidationError, match="已审核确认"):
        approve_area(area=district, period=tree["period"], user=tree["city_reviewer"])


def test_only_the_city_approves_a_district(tree):
    district = _approve_whole_district(tree, 1)
    for user in (tree["reviewers"][0], tree["reviewers"][1]):
        with pytest.raises(PermissionDenied):
            approve_area(area=district, period=tree["period"], user=user)
    assert not AreaApproval.objects.exists()


def test_an_approved_district_is_locked_until_withdrawn(tree):
    district = _approve_whole_district(tree, 1)
    approve_area(area=district, period=tree["period"], user=tree["city_reviewer"])
    figure = Figure.objects.get(unit=town(tree, 1, 1), indicator=tree["cases"])
    version = figure.version
    with pytest.raises(ValidationError, match="已由上级审核确认"):
        return_figure(figure=figure, user=tree["reviewers"][0], reason="更正")
    clerk = clerk_of(tree, town(tree, 1, 1))
    with pytest.raises(ValidationError, match="已由上级审核确认"):
        save_figure(indicator=tree["cases"], period=tree["period"], value="11", user=clerk)
    figure.refresh_from_db()
    assert (figure.status, figure.version) == (FigureStatus.APPROVED, version)
    # Another district is not locked by it.
    other = make_figure(tree["cases"], town(tree, 2, 1), 5, status=FigureStatus.SUBMITTED)
    approve_figure(figure=other, user=tree["reviewers"][1])
    # Withdrawn with a reason: the district's reviewer may return again.
    with pytest.raises(ValidationError, match="原因"):
        withdraw_area_approval(
            area=district, period=tree["period"], user=tree["city_reviewer"], reason=" "
        )
    with pytest.raises(PermissionDenied):
        withdraw_area_approval(
            area=district, period=tree["period"], user=tree["reviewers"][0], reason="x"
        )
    withdraw_area_approval(
        area=district, period=tree["period"], user=tree["city_reviewer"], reason="第1区申请更正"
    )
    assert not AreaApproval.objects.exists()
    removed = AreaApproval.history.filter(history_type="-").get()
    assert removed.history_change_reason == "撤回审核确认：第1区申请更正"
    assert removed.history_user == tree["city_reviewer"]
    return_figure(figure=figure, user=tree["reviewers"][0], reason="更正")
    figure.refresh_from_db()
    assert figure.status == FigureStatus.RETURNED


def test_the_page_refuses_a_change_in_an_approved_district_with_a_message(client, tree):
    district = _approve_whole_district(tree, 1)
    approve_area(area=district, period=tree["period"], user=tree["city_reviewer"])
    figure = Figure.objects.get(unit=town(tree, 1, 1), indicator=tree["cases"])
    client.force_login(tree["reviewers"][0])
    sheet_url = reverse("review_department", args=["2026", town(tree, 1, 1).code])
    page = client.get(sheet_url).content.decode()
    assert "已由上级整体审核确认" in page and "return-form" not in page
    client.force_login(clerk_of(tree, town(tree, 1, 1)))
    assert "已由上级整体审核确认" in client.get(reverse("entry", args=["2026"])).content.decode()
    client.force_login(tree["reviewers"][0])
    response = client.post(
        reverse("review_action", args=["2026", town(tree, 1, 1).code]),
        {"action": "return", "figure": figure.pk, "reason": "更正", "version": figure.version},
        follow=True,
    )
    assert response.status_code == 200
    assert "已由上级审核确认" in response.content.decode()
    figure.refresh_from_db()
    assert figure.status == FigureStatus.APPROVED


def test_the_city_reviewer_approves_and_withdraws_from_the_queue(client, tree):
    district = _approve_whole_district(tree, 1)
    client.force_login(tree["city_reviewer"])
    page = client.get(reverse("review_queue", args=["2026"]))
    assert "整体审核确认第1区" in page.content.decode()
    assert "整体审核确认第2区" not in page.content.decode()  # not complete
    url = reverse("review_area", args=["2026", district.code])
    response = client.post(url, {"action": "approve"}, follow=True)
    assert "已整体审核确认第1区" in response.content.decode()
    assert AreaApproval.objects.filter(area=district).exists()
    refused = client.post(
        reverse("review_area", args=["2026", tree["districts"][1].code]),
        {"action": "approve"},
        follow=True,
    )
    assert "尚未全部审核通过" in refused.content.decode()
    assert AreaApproval.objects.count() == 1
    client.post(url, {"action": "withdraw", "reason": "更正数据"}, follow=True)
    assert not AreaApproval.objects.exists()
    # A district's reviewer cannot approve a district: a message, nothing done.
    client.force_login(tree["reviewers"][0])
    refused = client.post(url, {"action": "approve"}, follow=True)
    assert "未操作" in refused.content.decode()
    assert not AreaApproval.objects.exists()


def test_each_office_queue_shows_its_own_children_only(client, tree):
    first = tree["districts"][0]
    queue = office_queue(period=tree["period"], office=first)
    assert [u.code for u in queue] == [
        tree["sfj"][first.code].code,
        *[u.code for u in tree["towns"][first.code]],
    ]
    assert office_queue(period=tree["period"], office=tree["city"]) == []
    assert [r.area for r in area_rows(period=tree["period"], office=tree["city"])] == tree[
        "districts"
    ]
    assert area_rows(period=tree["period"], office=first) == []
    _submitted(tree, town(tree, 2, 1))
    client.force_login(tree["reviewers"][1])
    page = client.get(reverse("review_queue", args=["2026"]))
    shown = [u.code for u in page.context["queue"]]
    assert town(tree, 2, 1).code in shown and town(tree, 1, 1).code not in shown
    (waiting,) = [u for u in page.context["queue"] if u.progress.submitted]
    assert waiting == town(tree, 2, 1)
    # Another district's unit is not the reviewer's to open.
    assert (
        client.get(reverse("review_department", args=["2026", town(tree, 1, 1).code])).status_code
        == 403
    )
    client.force_login(tree["city_reviewer"])
    page = client.get(reverse("review_queue", args=["2026"]))
    assert [r.area for r in page.context["areas"]] == tree["districts"]
    assert [r.progress.submitted for r in page.context["areas"]] == [0, 2, 0]


def test_the_queues_cost_the_same_however_many_units(tree, django_assert_max_num_queries):
    def count(office):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            office_queue(period=tree["period"], office=office)
            area_rows(period=tree["period"], office=tree["city"])
        return len(ctx.captured_queries)

    before = count(tree["districts"][0])
    for n in range(3, 9):
        town_area = type(tree["districts"][0]).objects.create(
            code=f"990101{n:03d}", name=f"第1区{n}镇", level="township", parent=tree["districts"][0]
        )
        type(town(tree, 1, 1)).objects.create(
            code=f"sfs_extra{n}",
            name=f"第1区{n}镇司法所",
            area=town_area,
            kind=town(tree, 1, 1).kind,
        )
    with django_assert_max_num_queries(before):
        office_queue(period=tree["period"], office=tree["districts"][0])
        area_rows(period=tree["period"], office=tree["city"])
