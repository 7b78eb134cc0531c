"""What a clerk may type for a value, and what it becomes."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from metrics.models import Figure, Indicator, User, ValueType
from metrics.validation import parse_value
from tests import factories


@pytest.fixture
def count(db):
    return Indicator.objects.get(code="edu_legal_consultations")


@pytest.fixture
def rate(db):
    return Indicator.objects.get(code="grass_grid_coverage")


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1,500", Decimal(1500)),
        ("12,345,678", Decimal(12345678)),
        ("1 500", Decimal(1500)),
        ("１，５００", Decimal(1500)),  # full-width, as a Chinese input method types it
        (" 3580 ", Decimal(3580)),
        ("", None),
    ],
)
def test_thousands_separators_are_read(count, typed, value):
    assert parse_value(count, typed) == value


@pytest.mark.parametrize("typed", ["1,50", "15,00", "1,5000", "1 50", "1,500 000", ",150", "150,"])
def test_misplaced_separators_are_refused_not_guessed(count, typed):
    with pytest.raises(ValidationError) as refused:
        parse_value(count, typed)
    assert "分隔符位置不对" in refused.value.messages[0]


def test_percentages_take_a_percent_sign_and_decimals(rate):
    assert parse_value(rate, "98.5%") == Decimal("98.5")
    assert parse_value(rate, "１００％") == Decimal(100)
    with pytest.raises(ValidationError, match="0 到 100"):
        parse_value(rate, "100.5")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("9e9999999", "科学计数法"),
        ("-9E+9999999", "科学计数法"),
        ("1e5", "科学计数法"),
        ("1E+2", "科学计数法"),
        ("1.5e-3", "科学计数法"),
        ("１ｅ５", "不是数字"),  # full-width e is no exponent either
        ("NaN", "不是有效的数字"),
        ("-nan", "不是有效的数字"),
        ("sNaN", "不是有效的数字"),
        ("Infinity", "不是有效的数字"),
        ("-inf", "不是有效的数字"),
        ("1_000", "下划线"),
        ("١٢٣", "其他文字的数字"),  # Arabic-Indic
        ("१२३", "其他文字的数字"),  # Devanagari
        ("𝟏𝟐𝟑", "其他文字的数字"),  # mathematical bold
        ("12٣", "其他文字的数字"),
        ("1" * 21, "最多 20 位数字"),
        ("0.000000000000000000001", "最多保留四位小数"),
        ("9" * 100_000, "最多 20 位数字"),
        ("1" + "0" * 16, "数值过大"),
        ("0.00001", "最多保留四位小数"),
        ("12%", "不是百分比"),
        ("+", "不是数字"),
        (".", "不是数字"),
        ("1.2.3", "不是数字"),
        ("1\x00", "控制字符"),
        ("\x85", "控制字符"),  # whitespace to str.strip(): once read as "not filled yet"
        ("1\x1c", "控制字符"),
        ("\x7f", "控制字符"),
        ("0x10", "不是数字"),
    ],
)
def test_what_is_not_a_plain_number_is_refused_with_its_reason(count, typed, reason):
    with pytest.raises(ValidationError) as refused:
        parse_value(count, typed)
    message = refused.value.messages[0]
    assert reason in message
    assert "\x00" not in message and len(message) < 120  # what was typed, shown short


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12345678901234.5678", Decimal("12345678901234.5678")),  # 18 digits, the column's
        ("0000000000000000000000042", Decimal(42)),  # leading zeros are no digits
        ("+7", Decimal(7)),
        ("\t12\r\n", Decimal(12)),  # a spreadsheet cell's line end
        ("5.", Decimal(5)),
        (".5", Decimal("0.5")),
        ("-1,234.5", Decimal("-1234.5")),
    ],
)
def test_plain_numbers_up_to_twenty_digits_are_read(typed, value, db):
    indicator = factories.IndicatorFactory(value_type=ValueType.DECIMAL)
    assert parse_value(indicator, typed) == value


@pytest.mark.parametrize(
    "number", [Decimal("9e9999999"), Decimal("-9e9999999"), Decimal("1e16"), 10**40, 1e300]
)
def test_numbers_beyond_the_column_from_a_spreadsheet_are_too_large_not_a_crash(count, number):
    with pytest.raises(ValidationError, match="数值过大"):
        parse_value(count, number)


@pytest.mark.parametrize("number", [Decimal("NaN"), Decimal("Infinity"), float("inf")])
def test_not_finite_numbers_are_refused(count, number):
    with pytest.raises(ValidationError, match="不是有效的数字"):
        parse_value(count, number)


def test_numbers_from_a_spreadsheet_are_read_as_today(count, rate):
    assert parse_value(count, 3580) == Decimal(3580)
    assert parse_value(count, 3580.0) == Decimal(3580)
    assert parse_value(rate, 98.5) == Decimal("98.5")
    assert parse_value(rate, Decimal("99.95")) == Decimal("99.95")
    assert parse_value(count, Decimal("0E+9999999")) == 0  # zero, whatever its exponent


HUGE = "9e9999999"  # beyond Decimal's range: once an Overflow and a 500 on every path


def _stored():
    return set(Figure.objects.values_list("indicator__code", "period__code", "value", "version"))


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/entry/2026/", {"remark-edu_culture_signs": "", "action": "save"}),  # the form
        ("/entry/2026/row/edu_culture_signs/", {}),  # the one-row save (htmx)
    ],
)
def test_a_huge_exponent_typed_into_the_form_is_a_message(client, demo_data, url, data):
    client.force_login(User.objects.get(username="clerk_sfj"))
    before = _stored()
    response = client.post(url, {"value-edu_culture_signs": HUGE, **data}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "科学计数法" in response.content.decode()
    assert _stored() == before


def test_a_huge_exponent_in_an_uploaded_sheet_is_a_message(client, demo_data):
    client.force_login(User.objects.get(username="clerk_sfj"))
    before = _stored()
    workbook = load_workbook(io.BytesIO(client.get("/entry/2026/sheet.xlsx").content))
    for row in workbook.worksheets[0].iter_rows(min_row=2):
        if row[0].value == "edu_culture_signs":
            row[4].value = HUGE  # a text cell, as Excel keeps what it cannot read as a number
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "sfj.xlsx"
    buffer.seek(0)
    response = client.post("/entry/2026/upload/", {"file": buffer}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0].startswith("导入失败"), messages
    assert any("科学计数法" in m for m in messages[1:]), messages
    assert _stored() == before
