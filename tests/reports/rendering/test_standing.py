"""The final report's check and the renderer decide “missing” by one rule: a figure the check
lets through is printed, and one it holds back is a marker in the draft."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.rendering import DEFAULT_TEMPLATE_TEXT, parse_template
from reports.rendering.speech import render_text
from reports.selectors import gaps

TEMPLATE = parse_template(DEFAULT_TEMPLATE_TEXT)
CODE = "biz_review_cases_received"

values = st.sampled_from([None, "", " ", "*", "58", "0", "12.5"])
statuses = st.sampled_from([None, "draft", "submitted", "returned", "approved"])


def _snapshot(value, status):
    # The template's other figures are absent: markers of their own, not looked at here.
    figures = {}
    figures[CODE] = {
        "name": "受理行政复议案件",
        "department": "区司法局",
        "value": value,
        "status": status,
    }
    return {"district_name": "示范", "period": "2026", "figures": figures}


@settings(deadline=None)  # the first draft loads the title dictionary
@given(values, statuses)
def test_the_check_and_the_draft_agree_on_a_figure(value, status):
    snapshot = _snapshot(value, status)
    held_back = CODE in {
        gap["code"] for gap in gaps({"figures": {CODE: snapshot["figures"][CODE]}})
    }
    draft = render_text(TEMPLATE, snapshot, "draft")
    marked = CODE in {gap.code for gap in draft.gaps}
    assert held_back == marked
    if not held_back:
        assert value.strip() in draft.text  # printed as entered (these need no formatting)


def test_a_blank_or_a_bare_star_is_missing_in_both():
    for value in ("", "  ", "*"):
        entry = {"name": "受理行政复议案件", "department": "区司法局", "value": value}
        entry["status"] = "approved"
        assert [gap["code"] for gap in gaps({"figures": {CODE: entry}})] == [CODE]
        draft = render_text(TEMPLATE, {"figures": {CODE: entry}}, "draft")
        assert "【待填：受理行政复议案件】" in draft.text
