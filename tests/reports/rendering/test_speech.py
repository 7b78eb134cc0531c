"""render_text / render_html: the default template gives the reference speech."""

import re

import pytest

from metrics.models import FigureStatus
from reports.rendering import (
    DEFAULT_TEMPLATE_TEXT,
    MissingFigures,
    parse_template,
    render_html,
    render_text,
)
from reports.rendering.speech import Gap
from reports.rendering.standing import APPROVED, INCOMPLETE


def test_default_template_renders_exactly_the_reference(default_template, snapshot, expected_text):
    speech = render_text(default_template, snapshot)
    rendered = speech.text
    # Same characters in the same order...
    assert rendered.replace("\n", "") == expected_text.replace("\n", "")
    # ...and every line of speech.txt is a run of whole rendered lines: the
    # only extra breaks are those between a section heading and its paragraphs.
    rendered_lines = rendered.rstrip("\n").split("\n")
    position = 0
    split_lines = []
    for line in expected_text.rstrip("\n").split("\n"):
        joined = rendered_lines[position]
        position += 1
        while joined != line:
            assert line.startswith(joined) and position < len(rendered_lines), (line, joined)
            joined += rendered_lines[position]
            position += 1
        if rendered_lines[position - 1] != line:
            split_lines.append(line[:6])
    assert position == len(rendered_lines)
    assert split_lines == ["强化组织领导", "聚焦依法行政", "改进基层治理", "坚持普法宣传"]
    assert speech.title == "副区长在全市法治创建工作推进会上的汇报发言"
    assert speech.gaps == ()
    assert "*" not in rendered


def test_text_starts_like_speech_txt(default_template, snapshot, expected_text):
    rendered = render_text(default_template, snapshot).text
    assert rendered.split("\n")[:4] == expected_text.split("\n")[:4]
    assert rendered.endswith("发言完毕，谢谢大家！\n")


def test_template_text_is_accepted_as_well(snapshot, expected_text):
    speech = render_text(DEFAULT_TEMPLATE_TEXT, snapshot)
    assert speech.text.replace("\n", "") == expected_text.replace("\n", "")


def test_runs_mark_leads_figures_and_headings(default_template, snapshot):
    speech = render_text(default_template, snapshot)
    heading = next(p for p in speech.paragraphs if p.kind == "heading")
    assert heading.text == "强化组织领导，把牢法治政府建设“方向盘”。"
    lead_paragraph = next(p for p in speech.paragraphs if p.runs[0].style == "lead")
    assert lead_paragraph.runs[0].text == "持续深化思想引领作用。"
    figure_runs = [r for p in speech.paragraphs for r in p.runs if r.code]
    assert [r.code for r in figure_runs][:2] == [
        "lead_council_study_per_quarter",
        "biz_approval_reforms",
    ]


def test_final_mode_raises_listing_every_gap(default_template, snapshot):
    figures = snapshot["figures"]
    figures["biz_review_cases_received"].update(value=None, name="受理行政复议案件")
    figures["edu_culture_signs"]["status"] = "submitted"
    del figures["grass_grid_workers"]
    with pytest.raises(MissingFigures) as info:
        render_text(default_template, snapshot, "final")
    gaps = {g.code: g for g in info.value.gaps}
    assert set(gaps) == {"biz_review_cases_received", "edu_culture_signs", "grass_grid_workers"}
    assert gaps["biz_review_cases_received"].reason == "missing"
    assert gaps["edu_culture_signs"].reason == "unapproved"
    assert gaps["grass_grid_workers"].name == "grass_grid_workers"
    assert "受理行政复议案件（区司法局）：未填报" in str(info.value)
    assert "biz_review_cases_received" not in str(info.value)


def test_final_is_the_default_mode(default_template, snapshot):
    snapshot["figures"]["biz_approval_reforms"]["value"] = None
    with pytest.raises(MissingFigures):
        render_text(default_template, snapshot)


def test_draft_mode_prints_markers(default_template, snapshot):
    figures = snapshot["figures"]
    figures["biz_review_cases_received"].update(value=None, name="受理行政复议案件")
    figures["edu_culture_signs"].update(status="submitted", name="法治文化展示牌")
    figures["grass_grid_coverage"]["value"] = "not a number"
    speech = render_text(default_template, snapshot, "draft")
    assert "共受理行政复议案件【待填：受理行政复议案件】起" in speech.text
    assert "法治文化展示牌【待审：法治文化展示牌】个" in speech.text
    assert "覆盖率【待改：指标grass_grid_coverage】％" in speech.text
    assert [g.code for g in speech.gaps] == [
        "biz_review_cases_received",
        "grass_grid_coverage",
        "edu_culture_signs",
    ]
    assert speech.gaps[1].reason_label.startswith("数值无效")


@pytest.mark.parametrize("blank", [None, "", " ", "*"])
def test_blank_or_star_is_never_printed(default_template, snapshot, blank):
    snapshot["figures"]["biz_approval_reforms"]["value"] = blank
    speech = render_text(default_template, snapshot, "draft")
    assert "*" not in speech.text
    assert "现已完成【待填：指标biz_approval_reforms】项" in speech.text


@pytest.mark.parametrize("district", [None, "", "*"])
def test_missing_district_is_a_gap(default_template, snapshot, district):
    snapshot["district_name"] = district
    with pytest.raises(MissingFigures):
        render_text(default_template, snapshot, "final")
    speech = render_text(default_template, snapshot, "draft")
    assert "法治【待填：区县名称（DISTRICT_NAME）】建设" in speech.text


def test_repeated_gap_listed_once(snapshot):
    template = parse_template("{a}和{a}")
    speech = render_text(template, {"figures": {}}, "draft")
    assert speech.text == "【待填：a】和【待填：a】\n"
    assert len(speech.gaps) == 1


def test_section_numbering_option(snapshot):
    text = "@章节编号 开\n## 甲\n正文\n## 乙\n## 丙{district}"
    speech = render_text(text, snapshot)
    assert [p.text for p in speech.paragraphs if p.kind == "heading"] == [
        "一、甲",
        "二、乙",
        "三、丙示范",
    ]
    assert "一、" not in render_text(text.replace("开", "关"), snapshot).text


def test_period_site_value_and_yoy(snapshot):
    snapshot["figures"]["biz_approval_reforms"]["previous"] = "100"
    speech = render_text(
        "{period}完成{biz_approval_reforms}项，{biz_approval_reforms|yoy}。", snapshot
    )
    assert speech.text == "2025年度完成106项，同比增长6.0%。\n"


def test_mode_is_checked(snapshot):
    with pytest.raises(ValueError):
        render_text("x", snapshot, "preview")


def test_html_fragment_escapes_and_has_no_inline_style(snapshot):
    snapshot["figures"]["biz_approval_reforms"].update(value=None, name="<script>x</script>")
    html = render_html("共{biz_approval_reforms}项<b>", snapshot, fragment=True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;" in html
    assert "style=" not in html
    assert 'class="draft-cover"' in html and 'class="gap gap-missing"' in html


def test_html_document_marks_leads_and_punctuation(default_template, snapshot):
    html = render_html(default_template, snapshot, "final")
    assert html.startswith("<!DOCTYPE html>")
    assert '<span class="lead">持续深化思想引领作用<span class="punct">。</span></span>' in html
    assert '<h2 class="section">强化组织领导' in html
    assert "draft-cover" not in re.sub(r"<style>.*?</style>", "", html, flags=re.S)


def test_stylesheet_carries_the_preview_font_stacks():
    from reports.rendering import preview_font_css, stylesheet

    assert preview_font_css() in stylesheet()
    assert "仿宋_GB2312" in stylesheet() and "楷体_GB2312" in stylesheet()


def test_every_status_a_gap_can_carry_is_named_in_chinese():
    """A draft's gap table and the refusal name a figure's status in words, never its code —
    for every status a figure has and the rolled-up one of an area short of its children."""
    statuses = [s for s in FigureStatus.values if s != APPROVED] + [INCOMPLETE]
    for status in statuses:
        label = Gap("c", "指标", "单位", "unapproved", status=status).reason_label
        assert label.startswith("未审核通过（"), status
        assert not any("a" <= ch.lower() <= "z" for ch in label), (status, label)
