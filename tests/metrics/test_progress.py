"""Where a figure stands (metrics.progress): one state per indicator, the same counts whether
Python or the database counts them, and who may still change it."""

import itertools

import pytest

from metrics import selectors, sheets
from metrics.models import FigureStatus
from metrics.progress import Progress, State, clerk_may_edit, reviewer_may_return, state_of
from tests import factories

D, R, S, A = (
    FigureStatus.DRAFT,
    FigureStatus.RETURNED,
    FigureStatus.SUBMITTED,
    FigureStatus.APPROVED,
)


@pytest.mark.parametrize(
    ("status", "value", "state"),
    [
        (None, None, State.EMPTY),
        (D, None, State.EMPTY),  # a draft without a value (an upload, a remark) is 未填
        (D, 5, State.DRAFT),
        (R, 5, State.RETURNED),
        (R, None, State.RETURNED),  # sent back, then cleared: still the department's to fix
        (S, 5, State.SUBMITTED),
        (A, 5, State.APPROVED),
    ],
)
def test_one_state_per_indicator(status, value, state):
    assert state_of(status, value) == state


def test_counts_add_up_and_name_one_thing_each():
    progress = Progress.of_states(
        [State.EMPTY, State.EMPTY, State.DRAFT, State.RETURNED, State.SUBMITTED, State.APPROVED]
    )
    assert progress.expected == 6
    assert (progress.empty, progress.filled) == (2, 4)
    assert progress.unsent == 3  # 未报送: empty and drafts, the returned one counted apart
    assert progress.outstanding == 4  # 未报齐: what a reminder is about
    assert (progress.in_progress, progress.unapproved) == (2, 5)
    assert not progress.complete
    assert Progress(submitted=2, approved=1).complete
    assert str(Progress(approved=1, empty=2).approved_percent) == "33.3"


# Every figure an indicator can have (a submitted or approved figure always has a value).
COMBINATIONS = [
    (status, value)
    for status, value in itertools.product([None, D, R, S, A], [None, 5])
    if not (status in (S, A) and value is None) and not (status is None and value is not None)
]


def test_the_database_counts_the_same_states(db):
    department = factories.DepartmentFactory()
    period = factories.period("2026")
    states = {}
    for status, value in COMBINATIONS:
        indicator = factories.IndicatorFactory(department=department)
        if status is not None:
            factories.FigureFactory(indicator=indicator, period=period, value=value, status=status)
        states[indicator.code] = state_of(status, value)
    expected = Progress.of_states(states.values())
    [counted] = selectors.progress_by_department(
        period=period, departments=type(department).objects.filter(pk=department.pk)
    )
    assert counted.progress == expected
    sheet = sheets.department_sheet(department=department, period=period)
    assert sheet.counts == expected
    assert {row.indicator.code: row.state for row in sheet.rows} == states


@pytest.mark.parametrize(
    ("status", "locked", "clerk", "reviewer"),
    [
        (None, False, True, False),
        (D, False, True, False),
        (R, False, True, False),
        (S, False, False, True),
        (A, False, False, True),
        (D, True, False, False),  # a locked period is read-only for everyone
        (S, True, False, False),
    ],
)
def test_who_may_change_a_figure(status, locked, clerk, reviewer):
    assert clerk_may_edit(status=status, period_locked=locked) is clerk
    assert reviewer_may_return(status=status, period_locked=locked) is reviewer
