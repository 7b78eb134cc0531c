"""Proposals on documents unlike the reference: new indicators, repeats, the reviewer's edits
and the template text."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.catalogue import DEPARTMENTS, INDICATORS
from reports.importing.naming import COUNT, CatalogueEntry, catalogue_entries, suggest_code
from reports.importing.proposal import propose
from reports.importing.reader import BODY, SECTION, SUBSECTION, TITLE, Paragraph, read_text
from reports.rendering import parse_template, render_text
from tests.steps import steps_of

CATALOGUE = catalogue_entries(INDICATORS, DEPARTMENTS)


def _propose(*texts, **kwargs):
    return propose([Paragraph(t) for t in texts], CATALOGUE, **kwargs)


def test_existing_indicators_from_other_wording():
    proposal = _propose(
        "今年以来，全区共受理行政复议案件64起，办结60起，网格化管理服务覆盖率达到98.5%。"
    )
    assert [(i.code, i.found.value) for i in proposal.items] == [
        ("biz_review_cases_received", Decimal("64")),
        ("biz_review_cases_closed", Decimal("60")),
        ("grass_grid_coverage", Decimal("98.5")),
    ]


def test_a_new_indicator_is_named_from_the_clause():
    proposal = _propose("全年共办理法律援助案件356件，开展法治讲座120余场，行政诉讼败诉率为3.5%。")
    first, second, third = proposal.new_indicators
    assert (first.name, first.unit, first.value_type) == ("办理法律援助案件", "件", COUNT)
    assert first.code.endswith("blflyzaj")  # pinyin initials of the name
    assert (second.name, second.unit) == ("开展法治讲座", "场")
    assert proposal.items[1].found.filter == "duo"
    assert (third.name, third.unit, third.value_type) == ("行政诉讼败诉率", "%", "percentage")
    assert all(item.new for item in proposal.items)


def test_the_owner_of_a_new_indicator_is_guessed_from_similar_ones():
    proposal = _propose("解答群众法律咨询热线来电560个", "种植果树1200亩")
    consultations, trees = proposal.new_indicators
    # 解答法律咨询 belongs to 区司法局 (sfj) in the catalogue.
    assert consultations.department_code == "sfj"
    assert consultations.section_code == "edu"
    assert consultations.code.startswith("edu_")
    # Nothing like it: the reviewer chooses.
    assert trees.department_code is None
    assert trees.code.startswith("new_")


def test_one_indicator_one_number_unless_it_repeats():
    proposal = _propose(
        "共受理行政复议案件58起。",
        "受理行政复议案件58起，其中当场受理20件。",
    )
    first, repeat, other = proposal.items
    assert first.code == repeat.code == "biz_review_cases_received"
    assert other.code != "biz_review_cases_received" and other.new


def test_a_second_best_must_say_what_sets_the_figure_apart():
    proposal = _propose("受理行政复议案件58起，其中当场受理行政复议案件20起，办结55起。")
    received, on_the_spot, closed = proposal.items
    assert received.code == "biz_review_cases_received"
    # 办结行政复议案件 shares 行政复议案件 but not 当场: a new indicator, not a wrong one.
    assert on_the_spot.new
    assert proposal.new_indicator(on_the_spot.code).name == "当场受理行政复议案件"
    assert closed.code == "biz_review_cases_closed"


def test_the_same_new_figure_twice_is_one_new_indicator():
    proposal = _propose("办理法律援助案件356件。", "办理法律援助案件356件。")
    assert len(proposal.new_indicators) == 1
    assert proposal.items[0].code == proposal.items[1].code


def test_unbind_bind_and_merge():
    proposal = _propose("办理法律援助案件356件，其中援助案件356件，受理行政复议案件58起。")
    legal_aid, again, review = proposal.items
    assert legal_aid.new and again.new and legal_aid.code != again.code

    merged = proposal.merge(legal_aid, again)
    assert merged.items[1].code == legal_aid.code
    assert len(merged.new_indicators) == 1  # the second new indicator is gone

    with pytest.raises(ValidationError, match="两处数字不同"):
        proposal.merge(legal_aid, review)

    unbound = merged.unbind(review)
    assert unbound.items[2].code is None
    assert "58起" in unbound.template_text()
    assert unbound.to_json()["literals"][-1]["reason"] == "审核人改为原文"

    rebound = unbound.bind(2, "biz_review_cases_closed")
    assert rebound.items[2].code == "biz_review_cases_closed"
    with pytest.raises(ValidationError, match="不在指标目录中"):
        unbound.bind(2, "nope")
    # The edits are pure: the first proposal is unchanged.
    assert [i.code for i in proposal.items] == [legal_aid.code, again.code, review.code]


def test_rename_and_set_department():
    proposal = _propose("办理法律援助案件356件。")
    renamed = proposal.rename(0, "法律援助案件")
    (indicator,) = renamed.new_indicators
    assert indicator.name == "法律援助案件"
    assert renamed.items[0].code == indicator.code == "new_flyzaj"
    assert renamed.set_department(0, "sfj").new_indicators[0].department_code == "sfj"
    with pytest.raises(ValidationError, match="不能为空"):
        proposal.rename(0, "  ")
    existing = _propose("受理行政复议案件58起。")
    with pytest.raises(ValidationError, match="只有新指标"):
        existing.rename(0, "别的名字")
    with pytest.raises(ValidationError, match="只有新指标"):
        existing.set_department(0, "sfj")


def test_template_text_headings_escapes_and_markup_starts():
    paragraphs = read_text(
        "2025年法治政府建设报告\n\n一、主要举措\n（一）组织领导\n"
        "受理行政复议案件58起，模板写法{code}。\n#3号标签\n// 不是注释\n@某单位\n"
    )
    proposal = propose(paragraphs, CATALOGUE)
    assert [p.level for p in paragraphs] == [TITLE, SECTION, SUBSECTION, BODY, BODY, BODY, BODY]
    text = proposal.template_text()
    assert text.splitlines() == [
        "# 2025年法治政府建设报告",
        "",
        "## 一、主要举措",
        "### （一）组织领导",
        "受理行政复议案件{biz_review_cases_received}起，模板写法{{code}}。",
        "> #3号标签",
        "> // 不是注释",
        "> @某单位",
    ]
    snapshot = {
        "figures": {"biz_review_cases_received": {"value": "58", "status": "approved"}},
        "district_name": "示范",
    }
    rendered = [p.text for p in render_text(text, snapshot).paragraphs]
    assert rendered == [p.text for p in paragraphs]
    assert proposal.problems() == []


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("受理行政复议案件。", "**受理行政复议案件。**共58起。"),
        ("受理行政复议案件", "**受理行政复议案件**。共58起。"),
        ("受理行政复议案件。共", "**受理行政复议案件。共**58起。"),
        ("受理行政复议案件。共5", "受理行政复议案件。共58起。"),  # across a figure: no lead
    ],
)
def test_a_lead_is_written_between_stars(lead, expected):
    catalogue = [CatalogueEntry("cases", "案件", "起", "count", None, None)]
    proposal = propose([Paragraph("受理行政复议案件。共58起。", BODY, lead)], catalogue)
    code = proposal.items[0].code
    assert proposal.template_text().strip() == expected.replace("58", f"{{{code}}}")
    rendered = render_text(proposal.template_text(), _snapshot_of(proposal)).paragraphs[0]
    assert rendered.text == "受理行政复议案件。共58起。"


def test_problems_the_syntax_cannot_say():
    proposal = _propose("注意**加粗**的文字")
    assert "“**”" in proposal.problems()[0]


def test_site_values():
    proposal = _propose("奋力书写新时代法治示范建设新篇章。", site_values={"district": "示范"})
    assert proposal.template_text() == "奋力书写新时代法治{district}建设新篇章。\n"
    parse_template(proposal.template_text())


def test_new_codes_are_unique_and_ascii():
    taken = {"new_slaj"}
    assert suggest_code("受理案件", None, taken) == "new_slaj_2"
    assert suggest_code("LED屏", "edu", set()) == "edu_ledp"
    assert suggest_code("！！", None, set()) == "new_1"


def test_a_plain_catalogue_entry():
    entry = CatalogueEntry("x_cases", "办理案件", "件", "count", "sfj", "biz")
    proposal = propose([Paragraph("共办理案件12件。")], [entry])
    assert proposal.items[0].code == "x_cases"
    assert proposal.to_json()["figures"] == [
        {
            "code": "x_cases",
            "value": "12",
            "filter": "plain",
            "text": "共办理案件12件",
            "new": False,
            "reasons": "主语与名称相符 100%；单位一致",
        }
    ]


def _snapshot_of(proposal) -> dict:
    figures = {}
    for item in proposal.bound():
        figures[item.code] = {"value": str(item.found.estimate), "status": "approved"}
    return {"figures": figures, "district_name": "示范"}


def _printed(paragraph_text: str, items) -> str:
    """The paragraph as the portal prints it: each figure in its canonical form."""
    out, at = [], 0
    for item in items:
        out += [paragraph_text[at : item.found.start], item.found.shown]
        at = item.found.end
    return "".join(out) + paragraph_text[at:]


_PIECES = st.sampled_from(
    [
        "共受理行政复议案件",
        "办理法律援助案件",
        "开展",
        "2025年",
        "第3次",
        "《规划（2021—2025年）》",
        "“4.15”",
        "12348热线",
        "{",
        "}",
        "，",
        "。",
        "、",
        "＃",
        "#",
        ">",
        "//",
        "@",
        " ",
        "示范",
        "58起",
        "1,234件",
        "2.3万余人",
        "3200多人次",
        "98.50%",
        "１２个",
        "120余场",
        "10",
        "人",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_PIECES, min_size=1, max_size=12).map("".join), min_size=1, max_size=4))
def test_template_text_prints_the_document_again(texts):
    """Whatever the paragraphs, the template prints them again, figures in canonical form."""
    paragraphs = [Paragraph(t.strip(), BODY) for t in texts if t.strip()]
    if not paragraphs:
        return
    proposal = propose(paragraphs, CATALOGUE, site_values={"district": "示范"})
    rendered = render_text(proposal.template_text(), _snapshot_of(proposal))
    expected = [
        _printed(p.text, [i for i in proposal.bound() if i.paragraph == n])
        for n, p in enumerate(paragraphs)
    ]
    assert [p.text for p in rendered.paragraphs] == expected


def test_a_cited_document_is_not_part_of_the_name():
    proposal = _propose("依据《某某办法》（区政办〔2023〕12号）组建巡逻队14支，投入经费350万元。")
    patrols, money = proposal.new_indicators
    assert (patrols.name, patrols.unit) == ("组建巡逻队", "支")
    # Like 组建专职巡逻队的乡镇（街道）, owned by 公安分局 (gaj).
    assert (patrols.department_code, patrols.code) == ("gaj", "grass_zjxld")
    assert (money.name, money.unit, money.value_type) == ("投入经费", "万元", "decimal")
    assert [(x.text, x.reason) for _, x in proposal.literals] == [("2023", "文号"), ("12", "文号")]


def test_a_figure_after_a_colon_is_named_from_the_words_before_it():
    proposal = _propose("行政诉讼纠错率：12.5%。")
    assert proposal.new_indicators[0].name == "行政诉讼纠错率"


def _figures_text(paragraphs: int) -> str:
    return "\n".join(
        f"第{n}段，受理行政复议案件{n}起，设立宣传栏{n}个、法治文化展示牌3个。"
        for n in range(paragraphs)
    )


def _proposal_steps(paragraphs) -> int:
    """Calls made to propose and write the template (tests.steps, the suite's one counter):
    the same document always takes the same steps, however busy the machine, unlike a clock."""
    return steps_of(lambda: propose(paragraphs, CATALOGUE).template_text())


def test_a_document_at_the_reader_limits_is_proposed_quickly():
    """5,000 paragraphs of figures (the reader's limits) are proposed whole, in work linear in
    the document, not the quadratic work an item-by-paragraph loop would do. The work is
    counted in steps rather than timed, so that a busy machine cannot fail it."""
    proposal = propose(read_text(_figures_text(5_000)), CATALOGUE)
    template = proposal.template_text()
    assert len(proposal.items) == 15_000
    assert template.count("\n") == 5_000
    # Steps per paragraph stay the same (about 7,700 today) from 500 to 2,000 paragraphs; a
    # loop over the earlier paragraphs or items for each one would add at least 1,500 more
    # per paragraph at 2,000, some 20 %.
    small, large = (_proposal_steps(read_text(_figures_text(n))) for n in (500, 2_000))
    assert large / 2_000 <= 1.05 * small / 500, (small, large)


_AWKWARD = st.sampled_from(
    [
        "\u2003",
        "\u2028",
        "\u3000",
        "\xa0",
        "\u200b",
        "\n",
        "\r",
        "#",
        "##",
        ">",
        "**",
        "\\",
        "{",
        "}",
        "｛",
        "//",
        "@",
        "一、",
        "（1）",
        "1.",
        "示范",
        "58起",
        "2.3万余人",
        "。",
        "：",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.lists(_AWKWARD, max_size=20).map("".join))
def test_any_text_is_read_and_proposed_or_refused_in_chinese(text):
    try:
        paragraphs = read_text(text)
    except ValidationError as refused:
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in refused.messages)
        return
    proposal = propose(paragraphs, CATALOGUE, site_values={"district": "示范"})
    proposal.to_json()
    template = proposal.template_text()
    if not proposal.problems():
        # A template the syntax can say prints one paragraph for each of the document's.
        assert len(parse_template(template).blocks) == len(paragraphs)


def test_heading_levels_keep_their_numbers_and_print_the_same():
    source = "一、主要举措\n（一）组织领导\n1.带头学法。受理行政复议案件58起。\n（1）专题学法\n"
    proposal = propose(read_text(source), CATALOGUE)
    lines = proposal.template_text().splitlines()
    assert lines == [
        "## 一、主要举措",
        "### （一）组织领导",
        "#### 1.带头学法。受理行政复议案件{biz_review_cases_received}起。",
        "##### （1）专题学法",
    ]
    from reports.rendering import render_text

    snapshot = {
        "figures": {"biz_review_cases_received": {"value": "58", "status": "approved"}},
        "district_name": "示范",
        "period": "2025",
        "period_label": "2025年度",
    }
    printed = render_text(proposal.template_text(), snapshot)
    assert [p.text for p in printed.paragraphs] == source.splitlines()
    assert [p.kind for p in printed.paragraphs] == ["heading", "heading2", "heading3", "heading4"]


def test_the_periods_known_values_decide_between_indicators_of_like_names():
    """The annual report's 外聘法律顾问31人，其中法学专家9人: the total is named by words that
    are all in the experts' name too; the period's values tell the two apart."""
    catalogue = [
        CatalogueEntry("experts", "外聘法律顾问中的法学专家", "人", "count", "sfj", "biz"),
        CatalogueEntry(
            "total", "外聘法律顾问中的法学专家和专业律师合计", "人", "count", "sfj", "biz"
        ),
    ]
    paragraphs = [Paragraph("全区共有外聘法律顾问31人，其中法学专家9人。", BODY)]
    by_words = propose(paragraphs, catalogue)
    by_values = propose(paragraphs, catalogue, known={"experts": Decimal(9), "total": Decimal(31)})
    assert [i.code for i in by_words.items][0] == "experts"  # the words alone mislead
    assert [i.code for i in by_values.items] == ["total", "experts"]
    assert (
        by_values.template_text().strip()
        == "全区共有外聘法律顾问{total}人，其中法学专家{experts}人。"
    )
