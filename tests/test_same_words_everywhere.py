"""One rule in one place: the same figure's change against the previous period (同比) reads
the same on every face — the rule itself, the entry sheet, the review page, the dashboard and
its drill-down, both Excel exports, the API and the speech's ``yoy`` filter. A count changes
by a relative percentage, a rate (a percentage indicator, entered or computed) by 百分点."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from metrics import selectors, sheets
from metrics.change import POINTS, Change, change_text, kind_of
from metrics.models import Department, FigureStatus, ValueType
from metrics.numbers import plain
from reports import rendering
from reports import selectors as report_selectors
from reports.dashboard import anomalies
from tests import factories

A, S = FigureStatus.APPROVED, FigureStatus.SUBMITTED

# current, previous (None: no figure), the previous figure's status, what every face prints,
# and the indicator's value type (a number unless named)
CASES = [
    ("112.25", "100", A, "同比增长12.3%"),  # 12.25 rounds half up
    ("87.75", "100", A, "同比下降12.3%"),
    ("100", "100", A, "与上年持平"),
    ("100.04", "100", A, "与上年持平"),  # 0.04% rounds to 0.0%: neither 增长 nor 下降0.0%
    ("99.96", "100", A, "与上年持平"),
    ("5", None, A, "上年无可比数据"),
    ("5", "0", A, "上年无可比数据"),
    ("5", "-10", A, "上年无可比数据"),  # no "decline of 150%" from a negative base
    ("0", "0", A, "上年无可比数据"),
    ("206.9", "100", A, "同比增长106.9%"),  # a big change: the warning says the same
    ("150.04", "100", A, "同比增长50.0%"),  # not more than 50% once rounded
    ("150.05", "100", A, "同比增长50.1%"),
    ("1E+2", "8E+1", A, "同比增长25.0%"),  # stored exponents never leak
    ("112.25", "100", S, "上年无可比数据"),  # compared with approved values only
]
P = ValueType.PERCENTAGE
# A rate changes by the difference in 百分点, one decimal, half up; no relative percentage.
RATE_CASES = [
    ("93.8", "94.8", A, "同比下降1.0个百分点", P),  # relatively it would be 下降1.1%
    ("95.3", "94.3", A, "同比提高1.0个百分点", P),
    ("90.25", "90.8", A, "同比下降0.6个百分点", P),  # −0.55 rounds half up (away from 0)
    ("90.04", "90", A, "与上年持平", P),
    ("12.5", "0", A, "同比提高12.5个百分点", P),  # a rate of 0 is a base for 百分点
    ("40", None, A, "上年无可比数据", P),
    ("10", "40", A, "同比下降30.0个百分点", P),  # a big change: the warning says the same
    ("93.8", "94.8", S, "上年无可比数据", P),  # compared with approved values only
]
CASES = [(*c, ValueType.DECIMAL) for c in CASES] + RATE_CASES
IDS = [f"{t}-{c}-vs-{p}-{s}" for c, p, s, _, t in CASES]


@pytest.fixture
def case(request, db):
    current, previous, previous_status, text, value_type = request.param
    period, before = factories.period("2026"), factories.period("2025")
    indicator = factories.IndicatorFactory(
        name="测试同比指标", value_type=value_type, headline_order=1, unit="%"
    )
    factories.FigureFactory(indicator=indicator, period=period, value=Decimal(current), status=A)
    if previous is not None:
        factories.FigureFactory(
            indicator=indicator, period=before, value=Decimal(previous), status=previous_status
        )
    return {"indicator": indicator, "period": period, "text": text, "value_type": value_type}


def _row_with(html: str, name: str) -> str:
    """The table row of the page that names the indicator (its first <tr> … </tr>)."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S):
        if name in row:
            return row
    raise AssertionError(f"no row for {name}")


def _sheet_row(content: bytes, sheet_name: str, name: str) -> tuple:
    sheet = load_workbook(BytesIO(content))[sheet_name]
    return next(r for r in sheet.iter_rows(values_only=True) if name in r)


@pytest.mark.parametrize("case", CASES, ids=IDS, indirect=True)
def test_every_face_prints_the_same_change(case, client):
    indicator, period, text = case["indicator"], case["period"], case["text"]
    reviewer = factories.UserFactory(role="reviewer")
    leader = factories.UserFactory(role="leader")

    # The rule.
    figure = indicator.figures.get(period=period)
    previous = selectors.previous_values(period=period).get(indicator.code)
    kind = kind_of(indicator.value_type)
    assert change_text(figure.value, previous, kind) == text

    # The entry sheet (clerk) and its warning.
    sheet = sheets.department_sheet(department=indicator.department, period=period)
    row = sheet.row(indicator.code)
    assert row.change.text == text
    if Change(figure.value, previous, kind).is_big:
        assert any(text in w.message for w in row.warnings)
    else:
        assert not row.warnings

    # The review page.
    client.force_login(reviewer)
    html = client.get(f"/review/{period.code}/{indicator.department.code}/").content.decode()
    assert text in _row_with(html, indicator.name)
    assert re.search(r"[+-]\d+%", _row_with(html, indicator.name)) is None  # no other wording
    if kind == POINTS:
        assert "%" not in text and "同比增长" not in _row_with(html, indicator.name)

    # The reviewer's workbook (the 同比 column).
    export = client.get(f"/review/{period.code}/export.xlsx").content
    assert _sheet_row(export, f"{period.code}全部数据", indicator.name)[7] == text

    # The API.
    answer = client.get(f"/api/v1/figures/?period={period.code}&indicator={indicator.code}").json()
    [item] = answer["results"] if isinstance(answer, dict) else answer
    assert item["change"]["text"] == text
    assert item["change"]["kind"] == kind

    # The dashboard: headline, anomalies, the indicator's drill-down, the export.
    client.force_login(leader)
    html = client.get(f"/dashboard/?period={period.code}").content.decode()
    assert text in _row_with(html, indicator.name)
    if Change(figure.value, previous, kind).is_big:  # the anomaly names both values, as written
        assert f"（{plain(previous)} → {plain(figure.value)}）" in html
    changes, _ = anomalies.big_changes(
        period=period,
        previous=selectors.previous_period(period=period),
        departments=Department.objects.all(),
    )
    listed = [c.change_text for c in changes if c.code == indicator.code]
    assert listed == ([text] if Change(figure.value, previous, kind).is_big else [])
    drill = client.get(f"/dashboard/indicator/{indicator.code}/").content.decode()
    assert text in _row_with(drill, "2026")
    export = client.get(f"/dashboard/export.xlsx?period={period.code}").content
    assert _sheet_row(export, "核心数据同比", indicator.name)[6] == text

    # The speech.
    snapshot = report_selectors.figure_snapshot(period=period, codes=[indicator.code])
    speech = rendering.render_text(f"本期{{{indicator.code}|yoy}}。", snapshot, mode="draft")
    assert speech.text.strip() == f"本期{text}。"


@pytest.mark.parametrize("case", CASES, ids=IDS, indirect=True)
def test_a_computed_indicator_reads_the_same_on_every_face(case, client):
    """A computed indicator (计算指标) equal to the figure: its 同比, computed from approved
    inputs, in the same words wherever it is shown."""
    indicator, period, text = case["indicator"], case["period"], case["text"]
    computed = factories.IndicatorFactory(
        name="测试计算指标",
        value_type=case["value_type"],
        department=indicator.department,
        formula=f"{indicator.code} * 1",
        decimal_places=4,
    )
    reviewer = factories.UserFactory(role="reviewer")
    leader = factories.UserFactory(role="leader")

    # The rule.
    from metrics.computed import APPROVED, computed_values

    value = computed_values(period=period, basis=APPROVED)[computed.code]
    assert value.change.text == text

    # The review page (read only beside the department's figures) and the reviewer's workbook.
    client.force_login(reviewer)
    html = client.get(f"/review/{period.code}/{indicator.department.code}/").content.decode()
    assert text in _row_with(html, computed.name)
    export = client.get(f"/review/{period.code}/export.xlsx").content
    assert _sheet_row(export, f"{period.code}全部数据", computed.name)[7] == text

    # The API.
    answer = client.get(f"/api/v1/figures/?period={period.code}&indicator={computed.code}").json()
    [item] = answer["computed"]
    assert item["change"]["text"] == text and item["computed"] is True
    assert item["change"]["kind"] == kind_of(case["value_type"])

    # The dashboard: the indicator table, the drill-down, the export.
    client.force_login(leader)
    html = client.get(f"/dashboard/?period={period.code}").content.decode()
    assert text in _row_with(html, computed.name)
    drill = client.get(f"/dashboard/indicator/{computed.code}/").content.decode()
    assert text in _row_with(drill, "2026")
    export = client.get(f"/dashboard/export.xlsx?period={period.code}").content
    assert _sheet_row(export, "核心数据同比", computed.name)[6] == text

    # The speech.
    snapshot = report_selectors.figure_snapshot(period=period, codes=[computed.code])
    speech = rendering.render_text(f"本期{{{computed.code}|yoy}}。", snapshot, mode="draft")
    assert speech.text.strip() == f"本期{text}。"


def test_a_rate_reads_in_points_in_the_pdf(db):
    """The printed speech (PDF) says what every other face says of a rate: 94.8 → 93.8 is
    同比下降1.0个百分点, never the relative 同比下降1.1%."""
    from tests.reports.speech import pdf_text

    period, before = factories.period("2026"), factories.period("2025")
    rate = factories.IndicatorFactory(name="测试办结率", value_type=ValueType.PERCENTAGE, unit="%")
    factories.FigureFactory(indicator=rate, period=period, value=Decimal("93.8"), status=A)
    factories.FigureFactory(indicator=rate, period=before, value=Decimal("94.8"), status=A)
    snapshot = report_selectors.figure_snapshot(period=period, codes=[rate.code])
    pdf = rendering.render_pdf(f"办结率{{{rate.code}}}%，{{{rate.code}|yoy}}。", snapshot)
    text = pdf_text(pdf)
    assert "办结率93.8%，同比下降1.0个百分点。" in text
    assert "1.1%" not in text


def test_a_one_decimal_computed_value_prints_its_decimal_on_every_face(db, client):
    """办结率 95 of 100 with one decimal place reads 95.0 wherever it is shown (the pages, the
    API, both workbooks, the speech), not 95."""
    period, before = factories.period("2026"), factories.period("2025")
    closed = factories.IndicatorFactory(name="测试办结案件", value_type=ValueType.COUNT)
    received = factories.IndicatorFactory(
        name="测试受理案件", value_type=ValueType.COUNT, department=closed.department
    )
    rate = factories.IndicatorFactory(
        name="测试计算办结率",
        value_type=ValueType.PERCENTAGE,
        unit="%",
        department=closed.department,
        formula=f"{closed.code} / {received.code} * 100",
        decimal_places=1,
        headline_order=1,
    )
    for indicator, now, then in ((closed, "95", "90"), (received, "100", "100")):
        factories.FigureFactory(indicator=indicator, period=period, value=Decimal(now), status=A)
        factories.FigureFactory(indicator=indicator, period=before, value=Decimal(then), status=A)

    client.force_login(factories.UserFactory(role="reviewer"))
    html = client.get(f"/review/{period.code}/{closed.department.code}/").content.decode()
    row = _row_with(html, rate.name)
    assert ">95.0<" in row and ">90.0<" in row
    sheet = load_workbook(BytesIO(client.get(f"/review/{period.code}/export.xlsx").content))
    line = next(r for r in sheet[f"{period.code}全部数据"].iter_rows() if r[3].value == rate.name)
    assert [c.number_format for c in line[5:7]] == ["0.0", "0.0"]
    answer = client.get(f"/api/v1/figures/?period={period.code}&indicator={rate.code}").json()
    [item] = answer["computed"]
    assert (item["value"], item["previous_value"]) == ("95.0", "90.0")

    client.force_login(factories.UserFactory(role="leader"))
    html = client.get(f"/dashboard/?period={period.code}").content.decode()
    assert "95.0%" in _row_with(html, rate.name)
    drill = client.get(f"/dashboard/indicator/{rate.code}/").content.decode()
    assert "95.0%" in _row_with(drill, "2026")
    department = client.get(
        f"/dashboard/department/{closed.department.code}/?period={period.code}"
    ).content.decode()
    assert "95.0" in _row_with(department, rate.name)
    workbook = load_workbook(
        BytesIO(client.get(f"/dashboard/export.xlsx?period={period.code}").content)
    )
    line = next(r for r in workbook["核心数据同比"].iter_rows() if r[0].value == rate.name)
    assert (line[2].number_format, line[4].number_format) == ("0.0", "0.0")

    snapshot = report_selectors.figure_snapshot(period=period, codes=[rate.code])
    speech = rendering.render_text(f"办结率{{{rate.code}}}%，{{{rate.code}|yoy}}。", snapshot)
    assert speech.text.strip() == "办结率95.0%，同比提高5.0个百分点。"
