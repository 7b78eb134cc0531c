from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrics import services
from metrics.models import Department, Figure, FigureStatus, Indicator
from tests import factories


def _ind(code):
    return Indicator.objects.get(code=code)


def _fill_department(department, period, user, overrides=None):
    overrides = overrides or {}
    for indicator in department.indicators.entered():
        value = overrides.get(indicator.code, 100 if indicator.value_type == "percentage" else 5)
        services.save_figure(indicator=indicator, period=period, value=Decimal(value), user=user)


def test_clerk_saves_a_draft_and_history_names_them(period, clerk):
    figure = services.save_figure(
        indicator=_ind("biz_inhouse_counsel"),
        period=period,
        value=Decimal(12),
        remark="含兼职",
        user=clerk,
    )
    assert (figure.value, figure.status, figure.version, figure.updated_by) == (
        12,
        "draft",
        1,
        clerk,
    )
    assert figure.history.get().history_user == clerk


def test_clerk_cannot_write_another_departments_figure(period, clerk):
    with pytest.raises(PermissionDenied, match="区委政法委"):
        services.save_figure(
            indicator=_ind("grass_grid_workers"), period=period, value=Decimal(1), user=clerk
        )
    assert not Figure.objects.exists()


def test_leader_and_reviewer_cannot_enter_figures(period, leader, reviewer):
    for user in (leader, reviewer):
        with pytest.raises(PermissionDenied):
            services.save_figure(
                indicator=_ind("biz_inhouse_counsel"), period=period, value=Decimal(1), user=user
            )


def test_locked_period_refuses_edits(clerk, db):
    locked = factories.period("2025", locked=True)
    with pytest.raises(ValidationError, match="已锁定"):
        services.save_figure(
            indicator=_ind("biz_inhouse_counsel"), period=locked, value=Decimal(1), user=clerk
        )


def test_stale_version_is_refused_with_the_current_value(period, clerk):
    indicator = _ind("biz_inhouse_counsel")
    first = services.save_figure(indicator=indicator, period=period, value=Decimal(5), user=clerk)
    services.save_figure(
        indicator=indicator,
        period=period,
        value=Decimal(6),
        user=clerk,
        expected_version=first.version,
    )
    with pytest.raises(services.FigureConflict) as conflict:
        services.save_figure(
            indicator=indicator,
            period=period,
            value=Decimal(7),
            user=clerk,
            expected_version=first.version,
        )
    assert conflict.value.figure.value == 6
    assert Figure.objects.get().value == 6


def test_submit_requires_every_figure(period, clerk, sfj):
    services.save_figure(
        indicator=_ind("biz_inhouse_counsel"), period=period, value=Decimal(5), user=clerk
    )
    with pytest.raises(ValidationError) as refused:
        services.submit_figures(department=sfj, period=period, user=clerk)
    assert "受理行政复议案件尚未填写。" in refused.value.messages
    assert Figure.objects.get().status == FigureStatus.DRAFT


def test_submit_enforces_closed_not_above_received(period, clerk, sfj):
    _fill_department(
        sfj, period, clerk, {"biz_review_cases_received": 10, "biz_review_cases_closed": 12}
    )
    with pytest.raises(ValidationError) as refused:
        services.submit_figures(department=sfj, period=period, user=clerk)
    assert any("办结行政复议案件数不应超过受理数" in m for m in refused.value.messages)
    assert set(Figure.objects.values_list("status", flat=True)) == {"draft"}


def test_submit_sends_all_figures_and_freezes_them(period, clerk, sfj):
    _fill_department(
        sfj, period, clerk, {"biz_review_cases_received": 10, "biz_review_cases_closed": 9}
    )
    submitted = services.submit_figures(department=sfj, period=period, user=clerk)
    assert len(submitted) == sfj.indicators.entered().count()
    assert set(Figure.objects.values_list("status", flat=True)) == {"submitted"}
    with pytest.raises(ValidationError, match="已报送"):
        services.save_figure(
            indicator=_ind("biz_inhouse_counsel"), period=period, value=Decimal(1), user=clerk
        )


def test_clerk_of_other_department_cannot_submit(period, sfj):
    other = factories.UserFactory(role="clerk", department=Department.objects.get(code="gaj"))
    with pytest.raises(PermissionDenied):
        services.submit_figures(department=sfj, period=period, user=other)
