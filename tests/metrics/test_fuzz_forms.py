"""Whatever a clerk types into the entry form, the portal answers with a page, never a 500;
a refused row changes nothing, and nothing is submitted while a row is refused."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.demo import DEMO_PASSWORD
from metrics.models import Figure, Indicator, ValueType
from metrics.validation import MAX_ABS_VALUE, parse_value
from tests import factories

# What once crashed or slipped through: exponents beyond Decimal's range (an Overflow, a
# 500 on every entry path), NUL and other control characters, digits of other scripts and
# underscores (which Decimal() takes), and very long strings.
TRICKY = [
    "NaN", "Infinity", "-1", "1e400", "1,000", "１２", "98.5%", "0.00001", " ", "9" * 40,
    "9e9999999", "-9E+9999999", "9e-9999999", "1e5", "1E+2", "sNaN", "-inf",
    "\x00", "1\x00", "\x01", "1\x7f", "\x85", "\u200b1", "1\ufeff",
    "١٢٣", "१२३", "𝟏𝟐𝟑", "12٣", "1_000", "½", "一百",
    "1" * 21, "9" * 100_000, "0." + "0" * 50_000 + "1", "1," * 5_000 + "000",
]  # fmt: skip
typed = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Nd", "Zs", "Po"]), max_size=40),
    st.sampled_from(TRICKY),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-99, 99), st.integers(-(10**8), 10**8)),
)


@pytest.fixture
def indicators(db):
    return [
        Indicator.objects.get(code="edu_legal_consultations"),  # count
        Indicator.objects.get(code="grass_grid_coverage"),  # percentage
        factories.IndicatorFactory(value_type=ValueType.DECIMAL),  # no bounds
    ]


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=typed, which=st.integers(0, 2))
@example(raw="9e9999999", which=0)
def test_parse_value_reads_a_number_or_says_why_not(indicators, raw, which):
    """Whatever is typed: a finite Decimal the column holds, None for nothing typed, or a
    ValidationError in Chinese, never another exception."""
    try:
        value = parse_value(indicators[which], raw)
    except ValidationError as refused:
        (message,) = refused.messages
        assert re.search(r"[\u4e00-\u9fff]", message) and len(message) < 200
        assert "\x00" not in message
        return
    # Tab and line ends (a spreadsheet cell's) are blanks; any other control is refused.
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", raw)
    if value is None:
        assert raw.strip() == ""
        return
    assert isinstance(value, Decimal) and value.is_finite() and abs(value) < MAX_ABS_VALUE
    # Only ASCII or full-width digits made it: no exponent, no other script.
    assert not re.search(r"[eE_]", raw)
    assert all(not ch.isdigit() or "0" <= ch <= "9" or "０" <= ch <= "９" for ch in raw)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.decimals(
        min_value=Decimal("-9999999999999999.9999"),
        max_value=Decimal("9999999999999999.9999"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_a_number_written_out_is_read_back(indicators, number):
    for written in (format(number, "f"), f"{number:,f}"):
        assert parse_value(indicators[2], written) == number


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(typed, min_size=2, max_size=2),
    action=st.sampled_from(["save", "submit", "force"]),
)
def test_entry_form_never_fails_on_what_is_typed(client, demo_data, values, action):
    client.login(username="clerk_gaj", password=DEMO_PASSWORD)
    before = _figures()
    response = client.post(
        "/entry/2026/",
        {
            "value-grass_patrol_townships": values[0],
            "value-grass_patrol_min_size": values[1],
            "remark-grass_patrol_townships": values[1],
            "action": action,
        },
    )
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400:
        # A control character anywhere in the form: refused whole by the one text rule
        # (lawgov.control_characters), in Chinese, with nothing stored.
        assert "控制字符" in response.content.decode()
        assert _figures() == before
    elif response.status_code == 200:  # refused: the page comes back with what was typed
        page = response.content.decode()
        after = _figures()
        if "草稿已保存，但未能报送" not in page:
            # Rows were refused: they are stored as before, the valid one is saved, and
            # nothing is submitted.
            assert re.search(r"已保存 [01] 项；[12] 项未保存，请按提示修改标红的项目", page)
            refused = re.findall(r'<tbody id="row-(\w+)" class="figure-row has-errors', page)
            assert refused
            for code in refused:
                assert {f for f in after if f[0] == code} == {f for f in before if f[0] == code}
            assert not {f for f in after - before if f[2] != "draft"}
    Figure.objects.filter(indicator__department__code="gaj").delete()


def _figures():
    return {
        (code, str(value), status, version)
        for code, value, status, version in Figure.objects.values_list(
            "indicator__code", "value", "status", "version"
        )
    }
