"""Every transition of a figure and every refusal, at the service level."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from metrics import selectors, services, sheets
from metrics.models import (
    CommentKind,
    Figure,
    FigureComment,
    FigureStatus,
    Indicator,
    PeriodState,
    RuleSeverity,
    ValidationRule,
)
from tests import factories
from tests.metrics.conftest import fill


def _ind(code):
    return Indicator.objects.get(code=code)


def _fig(code, period):
    return Figure.objects.get(indicator__code=code, period=period)


def test_draft_submitted_returned_submitted_approved(period, clerk, reviewer, sfj):
    fill(sfj, period, clerk)
    services.submit_figures(department=sfj, period=period, user=clerk)
    figure = _fig("biz_inhouse_counsel", period)
    assert figure.status == FigureStatus.SUBMITTED

    services.return_figure(figure=figure, user=reviewer, reason="与花名册人数不符")
    figure.refresh_from_db()
    assert (figure.status, figure.return_reason) == (FigureStatus.RETURNED, "与花名册人数不符")
    # Only that one figure went back.
    assert _fig("biz_external_lawyers", period).status == FigureStatus.SUBMITTED

    # The clerk fixes it: it stays returned (with its reason) until resubmitted.
    services.save_figure(
        indicator=figure.indicator,
        period=period,
        value=Decimal(7),
        user=clerk,
        expected_version=figure.version,
    )
    figure.refresh_from_db()
    assert (figure.value, figure.status) == (7, FigureStatus.RETURNED)
    resubmitted = services.submit_figures(department=sfj, period=period, user=clerk)
    assert [f.indicator.code for f in resubmitted] == ["biz_inhouse_counsel"]

    services.approve_figure(figure=_fig("biz_inhouse_counsel", period), user=reviewer)
    figure.refresh_from_db()
    assert (figure.status, figure.return_reason) == (FigureStatus.APPROVED, "")
    reasons = [h.history_change_reason for h in figure.history.order_by("history_id")]
    assert reasons == ["填报", "报送", "退回：与花名册人数不符", "填报", "报送", "审核通过"]
    assert [c.kind for c in figure.comments.all()] == [CommentKind.RETURN]


def test_approved_figures_are_read_only_to_clerks(period, clerk, reviewer, sfj):
    fill(sfj, period, clerk)
    services.submit_figures(department=sfj, period=period, user=clerk)
    services.approve_department(department=sfj, period=period, user=reviewer)
    assert set(Figure.objects.values_list("status", flat=True)) == {FigureStatus.APPROVED}
    with pytest.raises(ValidationError, match="已审核"):
        services.save_figure(
            indicator=_ind("biz_inhouse_counsel"), period=period, value=Decimal(1), user=clerk
        )
    with pytest.raises(ValidationError, match="没有需要报送"):
        services.submit_figures(department=sfj, period=period, user=clerk)


def test_approve_department_needs_submitted_figures(period, reviewer, sfj):
    with pytest.raises(ValidationError, match="没有待审核"):
        services.approve_department(department=sfj, period=period, user=reviewer)


def test_only_submitted_figures_can_be_approved_or_returned(period, clerk, reviewer):
    draft = services.save_figure(
        indicator=_ind("biz_inhouse_counsel"), period=period, value=Decimal(3), user=clerk
    )
    with pytest.raises(ValidationError, match="只有已报送"):
        services.approve_figure(figure=draft, user=reviewer)
    with pytest.raises(ValidationError, match="只有已报送或已审核"):
        services.return_figure(figure=draft, user=reviewer, reason="x")


def test_return_needs_a_reason_and_a_reviewer(period, clerk, reviewer, sfj):
    fill(sfj, period, clerk)
    services.submit_figures(department=sfj, period=period, user=clerk)
    figure = _fig("biz_inhouse_counsel", period)
    with pytest.raises(ValidationError, match="请填写退回原因"):
        services.return_figure(figure=figure, user=reviewer, reason="  ")
    with pytest.raises(PermissionDenied):
        services.return_figure(figure=figure, user=clerk, reason="自己退回")
    with pytest.raises(PermissionDenied):
        services.approve_figure(figure=figure, user=clerk)
    with pytest.raises(PermissionDenied):
        services.approve_department(department=sfj, period=period, user=clerk)
    assert _fig("biz_inhouse_counsel", period).status == FigureStatus.SUBMITTED


def test_reviewer_reopens_an_approved_figure_and_it_is_recorded(period, clerk, reviewer, sfj):
    fill(sfj, period, clerk)
    services.submit_figures(department=sfj, period=period, user=clerk)
    services.approve_department(department=sfj, period=period, user=reviewer)
    figure = _fig("edu_bulletin_boards", period)
    with pytest.raises(ValidationError, match="原因"):
        services.reopen_figure(figure=figure, user=reviewer, reason="")
    services.reopen_figure(figure=figure, user=reviewer, reason="宣传部更正了台账")
    figure.refresh_from_db()
    assert figure.status == FigureStatus.RETURNED
    last = figure.history.latest("history_id")
    assert (last.history_user, last.history_change_reason) == (
        reviewer,
        "重新开放：宣传部更正了台账",
    )
    services.save_figure(indicator=figure.indicator, period=period, value=Decimal(6), user=clerk)


def test_locked_period_refuses_every_change(period, clerk, reviewer, sfj):
    fill(sfj, period, clerk)
    services.submit_figures(department=sfj, period=period, user=clerk)
    services.lock_period(period=period, user=reviewer)
    period.refresh_from_db()
    figure = _fig("biz_inhouse_counsel", period)
    for attempt in (
        lambda: services.save_figure(
            indicator=figure.indicator, period=period, value=Decimal(1), user=clerk
        ),
        lambda: services.submit_figures(department=sfj, period=period, user=clerk),
        lambda: services.approve_figure(figure=figure, user=reviewer),
        lambda: services.return_figure(figure=figure, user=reviewer, reason="x"),
        lambda: services.approve_department(department=sfj, period=period, user=reviewer),
    ):
        with pytest.raises(ValidationError, match="已锁定"):
            attempt()
    assert _fig("biz_inhouse_counsel", period).status == FigureStatus.SUBMITTED


def test_period_lock_and_reopen_are_for_reviewers_and_recorded(period, clerk, reviewer):
    with pytest.raises(PermissionDenied):
        services.lock_period(period=period, user=clerk)
    services.lock_period(period=period, user=reviewer)
    with pytest.raises(ValidationError, match="原因"):
        services.reopen_period(period=period, user=reviewer, reason="")
    with pytest.raises(PermissionDenied):
        services.reopen_period(period=period, user=clerk, reason="想改")
    services.reopen_period(period=period, user=reviewer, reason="公安分局申请更正")
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
    reasons = [
        (h.history_user, h.history_change_reason) for h in period.history.order_by("history_id")
    ]
    assert reasons[-2:] == [(reviewer, "审核员锁定"), (reviewer, "重新开放：公安分局申请更正")]


def test_overdue_periods_lock_automatically(db, settings):
    overdue = factories.period("2026Q1")
    current = factories.period("2026Q3")
    today = overdue.deadline + datetime.timedelta(days=1)
    assert current.deadline >= today
    locked = services.lock_overdue_periods(user=factories.scheduler(), today=today, grace_days=0)
    assert [p.code for p in locked] == ["2026Q1"]
    overdue.refresh_from_db()
    current.refresh_from_db()
    assert (overdue.state, current.state) == (PeriodState.LOCKED, PeriodState.OPEN)
    assert "自动锁定" in overdue.history.latest("history_id").history_change_reason
    assert (
        services.lock_overdue_periods(user=factories.scheduler(), today=today) == []
    )  # idempotent


def test_lock_overdue_periods_command_honours_grace_days(db):
    period = factories.period("2026Q1")
    day = (period.deadline + datetime.timedelta(days=2)).isoformat()
    call_command("lock_overdue_periods", "--today", day, "--grace-days", "5")
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
    call_command("lock_overdue_periods", "--today", day)
    period.refresh_from_db()
    assert period.state == PeriodState.LOCKED


def test_clerk_of_another_department_is_refused_everywhere(period, clerk, sfj, gaj_clerk):
    fill(sfj, period, clerk)
    figure = _fig("biz_inhouse_counsel", period)
    with pytest.raises(PermissionDenied):
        services.save_draft(
            department=sfj,
            period=period,
            user=gaj_clerk,
            entries=[services.Entry(code="biz_inhouse_counsel", value="1")],
        )
    with pytest.raises(PermissionDenied):
        services.add_comment(figure=figure, user=gaj_clerk, text="?")
    with pytest.raises(PermissionDenied):
        services.submit_figures(department=sfj, period=period, user=gaj_clerk)
    assert figure.value == _fig("biz_inhouse_counsel", period).value


# --- Drafts --------------------------------------------------------------------------------


def _draft(department, period, user, entries):
    return services.save_draft(department=department, period=period, user=user, entries=entries)


def test_save_draft_keeps_incomplete_input(period, clerk, sfj):
    result = _draft(
        sfj,
        period,
        clerk,
        [
            services.Entry(code="biz_inhouse_counsel", value="12", remark="含兼职", version=0),
            services.Entry(code="biz_external_lawyers", value="", version=0),
        ],
    )
    assert [f.indicator.code for f in result.saved] == ["biz_inhouse_counsel"]
    assert result.complete and result.errors == {} and result.conflicts == {}
    assert Figure.objects.count() == 1


def test_save_draft_saves_the_valid_rows_and_refuses_the_bad_ones(period, clerk, sfj):
    result = _draft(
        sfj,
        period,
        clerk,
        [
            services.Entry(code="biz_inhouse_counsel", value="12", version=0),
            services.Entry(code="biz_external_lawyers", value="-3", version=0),
            services.Entry(code="biz_leader_court_appearance_rate", value="120%", version=0),
            services.Entry(code="biz_external_law_firms", value="四家", version=0),
            services.Entry(
                code="biz_review_cases_received", value="58", remark="含线上", version=0
            ),
        ],
    )
    errors = result.errors
    assert (
        set(errors)
        == set(result.refused)
        == {
            "biz_external_lawyers",
            "biz_leader_court_appearance_rate",
            "biz_external_law_firms",
        }
    )
    assert not result.complete and result.conflicts == {}
    assert "不能为负数" in errors["biz_external_lawyers"][0]
    assert "0 到 100" in errors["biz_leader_court_appearance_rate"][0]
    assert "不是数字" in errors["biz_external_law_firms"][0]
    assert [f.indicator.code for f in result.saved] == [
        "biz_inhouse_counsel",
        "biz_review_cases_received",
    ]
    stored = dict(Figure.objects.values_list("indicator__code", "value"))
    assert stored == {"biz_inhouse_counsel": 12, "biz_review_cases_received": 58}
    assert _fig("biz_review_cases_received", period).remark == "含线上"


def test_save_draft_with_every_row_bad_saves_nothing(period, clerk, sfj):
    result = _draft(
        sfj, period, clerk, [services.Entry(code="biz_external_lawyers", value="-3", version=0)]
    )
    assert result.saved == [] and set(result.errors) == {"biz_external_lawyers"}
    assert not Figure.objects.exists()


def test_save_draft_refuses_the_whole_request_for_a_foreign_code(period, clerk, sfj):
    with pytest.raises(ValidationError) as refused:
        _draft(
            sfj,
            period,
            clerk,
            [
                services.Entry(code="biz_inhouse_counsel", value="12", version=0),
                services.Entry(code="grass_patrol_townships", value="3", version=0),
            ],
        )
    assert "不属于区司法局" in refused.value.messages[0]
    assert not Figure.objects.exists()


def test_stale_draft_is_refused_with_the_current_value(period, clerk, sfj):
    other = factories.UserFactory(role="clerk", department=sfj, last_name="王", first_name="五")
    first = services.save_figure(
        indicator=_ind("biz_inhouse_counsel"), period=period, value=Decimal(5), user=clerk
    )
    _draft(
        sfj,
        period,
        other,
        [services.Entry(code="biz_inhouse_counsel", value="6", version=first.version)],
    )
    result = _draft(
        sfj,
        period,
        clerk,
        [
            services.Entry(code="biz_inhouse_counsel", value="7", version=first.version),
            services.Entry(code="biz_external_lawyers", value="3", version=0),
        ],
    )
    message = result.errors["biz_inhouse_counsel"][0]
    assert "王五" in message and "当前值为 6" in message
    assert result.conflicts["biz_inhouse_counsel"].value == 6
    assert _fig("biz_inhouse_counsel", period).value == 6  # not overwritten
    # The other row is saved in the same request.
    assert [f.indicator.code for f in result.saved] == ["biz_external_lawyers"]
    assert _fig("biz_external_lawyers", period).value == 3


def test_draft_of_a_figure_created_meanwhile_is_a_conflict(period, clerk, sfj):
    services.save_figure(
        indicator=_ind("biz_inhouse_counsel"), period=period, value=Decimal(5), user=clerk
    )
    result = _draft(
        sfj, period, clerk, [services.Entry(code="biz_inhouse_counsel", value="9", version=0)]
    )
    assert set(result.conflicts) == {"biz_inhouse_counsel"} and result.saved == []
    assert "当前值为 5" in result.errors["biz_inhouse_counsel"][0]
    assert _fig("biz_inhouse_counsel", period).value == 5


# --- Rules ---------------------------------------------------------------------------------


def test_submit_errors_are_keyed_by_indicator(period, clerk, sfj):
    fill(sfj, period, clerk, {"biz_review_cases_received": 10, "biz_review_cases_closed": 12})
    Figure.objects.filter(indicator__code="edu_bulletin_boards").delete()
    with pytest.raises(ValidationError) as refused:
        services.submit_figures(department=sfj, period=period, user=clerk)
    errors = refused.value.message_dict
    assert errors["edu_bulletin_boards"] == ["设立宣传栏尚未填写。"]
    assert "办结行政复议案件数不应超过受理数" in errors["biz_review_cases_closed"][0]


def test_warning_rule_needs_force_and_an_explanation(period, zfw, zfw_clerk):
    fill(zfw, period, zfw_clerk, {"grass_district_centers": 3, "grass_township_centers": 2})
    with pytest.raises(ValidationError) as refused:
        services.submit_figures(department=zfw, period=period, user=zfw_clerk)
    errors = refused.value.message_dict
    assert "区级综治中心数一般不超过乡级综治中心数" in errors["grass_district_centers"][0]
    assert "强制上报" in errors["__all__"][0]
    with pytest.raises(ValidationError) as refused:
        services.submit_figures(department=zfw, period=period, user=zfw_clerk, force=True)
    assert "须填写上报说明" in refused.value.message_dict["grass_district_centers"][0]
    assert set(Figure.objects.values_list("status", flat=True)) == {FigureStatus.DRAFT}

    services.save_figure(
        indicator=_ind("grass_district_centers"),
        period=period,
        value=Decimal(3),
        user=zfw_clerk,
        explanation="本年新建两个区级分中心",
    )
    services.submit_figures(department=zfw, period=period, user=zfw_clerk, force=True)
    figure = _fig("grass_district_centers", period)
    assert figure.status == FigureStatus.SUBMITTED
    assert figure.explanation == "本年新建两个区级分中心"
    assert figure.history.latest("history_id").history_change_reason == "强制上报"
    comment = FigureComment.objects.get(figure=figure)
    assert (comment.kind, comment.text) == (CommentKind.EXPLANATION, "本年新建两个区级分中心")
    assert (
        _fig("grass_grid_workers", period).history.latest("history_id").history_change_reason
        == "报送"
    )


def test_error_rule_cannot_be_forced(period, clerk, sfj):
    fill(sfj, period, clerk, {"biz_review_cases_received": 10, "biz_review_cases_closed": 12})
    with pytest.raises(ValidationError, match="不应超过"):
        services.submit_figures(department=sfj, period=period, user=clerk, force=True)


@pytest.mark.parametrize(
    ("previous", "value", "warned"),
    [(100, 151, True), (100, 150, False), (100, 49, True), (100, 50, False), (0, 10, False)],
)
def test_change_against_previous_period(
    previous, value, warned, period, previous_period, spj_setup
):
    spj, spj_clerk = spj_setup
    Figure.objects.create(
        indicator=_ind("biz_approval_reforms"),
        period=previous_period,
        value=previous,
        status=FigureStatus.APPROVED,
    )
    fill(spj, period, spj_clerk, {"biz_approval_reforms": value})
    sheet = sheets.department_sheet(department=spj, period=period)
    warnings = sheet.row("biz_approval_reforms").warnings
    assert bool(warnings) == warned
    if warned:
        assert "较上年同期" in warnings[0].message and "±50%" in warnings[0].message
        with pytest.raises(ValidationError):
            services.submit_figures(department=spj, period=period, user=spj_clerk)
    else:
        services.submit_figures(department=spj, period=period, user=spj_clerk)


@pytest.fixture
def spj_setup(db):
    from metrics.models import Department

    spj = Department.objects.get(code="spj")
    return spj, factories.UserFactory(role="clerk", department=spj)


def test_cross_department_rule_waits_for_the_other_department(period, clerk, sfj, zfw_clerk):
    rule = ValidationRule.objects.create(
        name="调处纠纷数不应少于网格员数",
        left=_ind("grass_disputes_mediated"),
        operator=">=",
        right=_ind("grass_grid_workers"),
        severity=RuleSeverity.ERROR,
    )
    fill(sfj, period, clerk, {"grass_disputes_mediated": 100})
    sheet = sheets.department_sheet(department=sfj, period=period)
    pending = sheet.row("grass_disputes_mediated").pending
    assert pending and "数据未齐" in pending[0].message  # shown to the reviewer
    services.submit_figures(department=sfj, period=period, user=clerk)

    # Once the other department's figure is there, the rule is evaluated for both sides.
    services.save_figure(
        indicator=_ind("grass_grid_workers"), period=period, value=Decimal(500), user=zfw_clerk
    )
    zfw_sheet = sheets.department_sheet(department=rule.right.department, period=period)
    assert zfw_sheet.row("grass_grid_workers").errors
    with pytest.raises(ValidationError, match="调处纠纷数不应少于网格员数"):
        services.submit_figures(department=rule.right.department, period=period, user=zfw_clerk)


def test_comment_thread(period, clerk, reviewer, sfj):
    fill(sfj, period, clerk)
    figure = _fig("biz_inhouse_counsel", period)
    services.add_comment(figure=figure, user=reviewer, text="请补充聘用合同")
    services.add_comment(figure=figure, user=clerk, text="已上传")
    with pytest.raises(ValidationError):
        services.add_comment(figure=figure, user=clerk, text=" ")
    assert [c.text for c in figure.comments.all()] == ["请补充聘用合同", "已上传"]


def test_history_diffs_consecutive_records(period, clerk, reviewer, sfj):
    fill(sfj, period, clerk)
    services.save_figure(
        indicator=_ind("biz_inhouse_counsel"),
        period=period,
        value=Decimal(8),
        remark="更正",
        user=clerk,
    )
    services.submit_figures(department=sfj, period=period, user=clerk)
    services.return_figure(figure=_fig("biz_inhouse_counsel", period), user=reviewer, reason="核实")
    entries = selectors.figure_history(figure=_fig("biz_inhouse_counsel", period))
    assert [e.reason for e in entries] == ["退回：核实", "报送", "填报", "填报"]
    assert ("状态", "已报送", "已退回") in entries[0].changes
    assert ("退回原因", "—", "核实") in entries[0].changes
    assert ("数值", "5", "8") in entries[2].changes
    assert ("备注", "—", "更正") in entries[2].changes
    assert entries[3].changes == [("数值", "—", "5"), ("状态", "—", "草稿")]
    assert entries[0].user == reviewer
