"""The pure rules of an area's 下级区域 section (reports.dashboard.areas): the ranking of the
children on one indicator, a unit's timeliness, where a unit's area lies below the root, and the
rows built from roll-ups (values side by side, completeness, 同比 of a rate in 百分点)."""

import datetime
from decimal import Decimal

from metrics.models import RollUp
from metrics.rollup import AREA, UNIT, Part, RolledUp, Total
from reports.dashboard.areas import (
    LATE,
    NOT_REPORTED,
    ON_TIME,
    OVERDUE,
    PENDING,
    Column,
    Timeliness,
    child_of,
    child_rows,
    classify,
    rank,
    ranking,
    tally,
    total_row,
)

D = Decimal
DEADLINE = datetime.date(2027, 1, 15)


def test_ranking_puts_the_highest_first_ties_share_a_place_and_missing_come_last():
    ranked = rank(
        [
            ("d1", "甲区", D(30)),
            ("d2", "乙区", None),
            ("d3", "丙区", D(50)),
            ("d4", "丁区", D(30)),
            ("d5", "戊区", D(10)),
            ("d6", "己区", None),
        ]
    )
    assert [(r.position, r.name, r.display) for r in ranked] == [
        (1, "丙区", "50"),
        (2, "甲区", "30"),  # equal values share the place, in the tree's order
        (2, "丁区", "30"),
        (4, "戊区", "10"),
        (None, "乙区", NOT_REPORTED),  # no value: last, unranked, 未报
        (None, "己区", NOT_REPORTED),
    ]


def test_ranking_writes_a_computed_rate_with_its_places_and_can_go_lowest_first():
    ranked = rank([("a", "甲", D("95")), ("b", "乙", D("87.25"))], places=1, descending=False)
    assert [(r.position, r.display) for r in ranked] == [(1, "87.3"), (2, "95.0")]
    assert rank([]) == []


def test_a_unit_is_on_time_late_overdue_or_pending_against_its_deadline():
    day = datetime.timedelta(days=1)
    common = {"deadline": DEADLINE}
    assert (
        classify(expected=3, sent=3, last_sent=DEADLINE, today=DEADLINE + 9 * day, **common)
        == ON_TIME
    )
    assert (
        classify(expected=3, sent=3, last_sent=DEADLINE + day, today=DEADLINE + 9 * day, **common)
        == LATE
    )
    assert (
        classify(expected=3, sent=2, last_sent=DEADLINE, today=DEADLINE + day, **common) == OVERDUE
    )
    assert classify(expected=3, sent=0, last_sent=None, today=DEADLINE, **common) == PENDING
    assert classify(expected=0, sent=0, last_sent=None, today=DEADLINE, **common) is None


def test_timeliness_is_counted_and_worded_per_child():
    counted = tally([ON_TIME, ON_TIME, LATE, OVERDUE, None, PENDING])
    assert counted == Timeliness(on_time=2, late=1, overdue=1, pending=1)
    assert (counted.units, counted.behind, counted.css) == (5, 2, "late")
    assert counted.text == "按时报齐2，逾期报齐1，逾期未报齐1，未到截止1"
    assert Timeliness().text == "无应报单位"
    assert tally([ON_TIME]).css == "ok"


def test_a_units_area_is_placed_under_the_roots_child_it_lies_in():
    parents = {"c": None, "d1": "c", "t1": "d1", "t2": "d1", "d2": "c", "x": "t1"}
    assert child_of(parents, "c", "x") == "d1"
    assert child_of(parents, "c", "d2") == "d2"
    assert child_of(parents, "c", "c") is None


def _result(code, rollup, total, **children):
    parts = tuple(Part(key, key, AREA, value) for key, value in children.items())
    return RolledUp(
        code, rollup, total, parts + (Part("own", "市司法局", UNIT, Total(D(1), 1, 1)),)
    )


CASES = Column("cases", "调解案件", "件", "percent")
RATE = Column("rate", "调解成功率", "%", "points", places=1)


def test_rows_side_by_side_completeness_values_and_the_change_of_a_rate_in_points():
    current = {
        "cases": _result(
            "cases", RollUp.SUM, Total(D(90), 3, 4), d1=Total(D(60), 2, 2), d2=Total(D(30), 1, 2)
        ),
        "settled": _result(
            "settled", RollUp.SUM, Total(D(70), 2, 4), d1=Total(D(50), 2, 2), d2=Total(None, 0, 2)
        ),
    }
    approved = {
        "cases": _result(
            "cases", RollUp.SUM, Total(D(60), 2, 4), d1=Total(D(60), 2, 2), d2=Total(None, 0, 2)
        ),
        "settled": _result(
            "settled", RollUp.SUM, Total(D(50), 2, 4), d1=Total(D(50), 2, 2), d2=Total(None, 0, 2)
        ),
        "rate": _result(
            "rate",
            RollUp.RECOMPUTE,
            Total(D("83.3"), 2, 4),
            d1=Total(D("83.3"), 2, 2),
            d2=Total(None, 0, 2),
        ),
    }
    previous = {
        "cases": _result("cases", RollUp.SUM, Total(D(40), 4, 4), d1=Total(D(40), 2, 2)),
        "rate": _result(
            "rate", RollUp.RECOMPUTE, Total(D("85.0"), 4, 4), d1=Total(D("80.5"), 2, 2)
        ),
    }
    common = {
        "entered": ["cases", "settled"],
        "columns": [CASES, RATE],
        "current": current,
        "approved": approved,
        "previous": previous,
    }
    rows = child_rows(
        children=[("d1", "甲区"), ("d2", "乙区")],
        timeliness={"d1": Timeliness(on_time=2)},
        **common,
    )
    one, two = rows
    assert (one.filled, one.approved, one.expected) == (4, 4, 4)
    assert (two.filled, two.approved, two.expected) == (1, 0, 4)
    assert two.filled_percent == D("25.0") and two.timeliness == Timeliness()
    cases, rate = one.cells
    assert (cases.value_display, cases.change_text) == ("60", "同比增长50.0%")
    assert (rate.value_display, rate.change_text) == ("83.3", "同比提高2.8个百分点")
    assert two.cells[0].value is None and not two.cells[0].complete
    total = total_row(code="c", name="示例市", timeliness=Timeliness(), **common)
    assert (total.filled, total.approved, total.expected) == (5, 4, 8)
    assert total.cells[1].change_text == "同比下降1.7个百分点"  # 83.3 against 85.0
    ranked = ranking(children=[("d1", "甲区"), ("d2", "乙区")], column=CASES, approved=approved)
    assert [(r.position, r.key) for r in ranked] == [(1, "d1"), (None, "d2")]
