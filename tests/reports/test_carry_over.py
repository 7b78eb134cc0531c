"""本年度沿用上年文稿: last year's own year becomes {year}; cited titles and placeholders stay."""

from hypothesis import given
from hypothesis import strategies as st

from reports.carry_over import carry_over
from reports.rendering import render_text, validate_template


def test_own_year_becomes_the_year_placeholder_and_titles_stay():
    text = (
        "2026年，全区法治政府建设取得新进展。\n"
        "{biz_review_cases_received}件，较2025年有所增加；贯彻《2026年法治政府建设工作要点》。\n"
        "2026年度报告于12026年归档。"
    )
    new, changes = carry_over(text, 2026)
    assert new == (
        "{year}年，全区法治政府建设取得新进展。\n"
        "{biz_review_cases_received}件，较2025年有所增加；贯彻《2026年法治政府建设工作要点》。\n"
        "{year}年度报告于12026年归档。"
    )
    assert [(c.line, c.before[:7]) for c in changes] == [(1, "2026年，全"), (3, "2026年度报")]


def test_the_year_placeholder_is_a_site_value_templates_may_name():
    assert validate_template("{year}年，全区……", set()) == []


def test_the_year_placeholder_prints_the_periods_year():
    speech = render_text("{year}年，全区……", {"period": "2027", "figures": {}}, "draft")
    assert speech.paragraphs[0].text.startswith("2027年，全区")


@given(st.text(alphabet="2026年度《》{}，。a\n", max_size=60))
def test_carrying_over_is_undone_by_printing_the_same_year(text):
    new, changes = carry_over(text, 2026)
    outside = new.replace("{year}", "2026")
    assert outside == text
    assert len(changes) == new.count("{year}") - text.count("{year}")
