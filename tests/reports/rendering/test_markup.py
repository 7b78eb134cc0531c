import sys
import time
from pathlib import Path

import pytest

from reports.rendering import (
    DEFAULT_TEMPLATE_TEXT,
    TemplateSyntaxError,
    markup,
    parse_template,
    validate_template,
)
from reports.rendering.markup import MAX_ERRORS, LineBreak, Placeholder, Text

# The order the reference speech's `*` bind in (the brief's list), then the
# two literal figures at their places in the text.
STAR_CODES = [
    "biz_approval_reforms", "biz_license_items_merged", "biz_post_approval_filings",
    "biz_inhouse_counsel", "biz_external_law_experts", "biz_external_lawyers",
    "biz_external_law_firms", "biz_counsel_litigation_cases", "biz_review_cases_received",
    "biz_review_cases_closed", "biz_township_penalty_powers", "biz_subdistrict_penalty_powers",
    "grass_district_centers", "grass_township_centers", "grass_grid_workers",
    "grass_grid_coverage", "grass_mass_prevention_force", "grass_functional_branches",
    "grass_joint_functional_branches", "grass_grid_branches", "grass_building_party_groups",
    "grass_patrol_townships", "grass_patrol_min_size", "grass_disputes_mediated",
    "edu_materials_distributed", "edu_legal_consultations", "edu_people_educated",
    "edu_bulletin_boards", "edu_culture_signs", "edu_publicity_panels", "district",
]  # fmt: skip
KNOWN = set(STAR_CODES) - {"district"} | {
    "lead_council_study_per_quarter",
    "biz_leader_court_appearance_rate",
}


def test_default_template_binds_the_stars_in_order():
    placeholders = parse_template(DEFAULT_TEMPLATE_TEXT).placeholders()
    literal = {"lead_council_study_per_quarter", "biz_leader_court_appearance_rate"}
    assert [p.code for p in placeholders if p.code not in literal] == STAR_CODES
    assert [p.code for p in placeholders if p.code in literal] == [
        "lead_council_study_per_quarter",
        "biz_leader_court_appearance_rate",
    ]
    filters = {p.code: p.filter for p in placeholders}
    assert filters["grass_mass_prevention_force"] == "wan"
    assert filters["edu_materials_distributed"] == "wan"
    assert filters["edu_people_educated"] == "wan"
    assert filters["edu_legal_consultations"] == "duo"
    assert {f for c, f in filters.items() if c not in {
        "grass_mass_prevention_force", "edu_materials_distributed",
        "edu_people_educated", "edu_legal_consultations",
    }} == {"plain"}  # fmt: skip


def test_default_template_is_valid():
    assert validate_template(DEFAULT_TEMPLATE_TEXT, KNOWN) == []


def test_default_template_structure():
    template = parse_template(DEFAULT_TEMPLATE_TEXT)
    kinds = [b.kind for b in template.blocks]
    assert kinds[0] == "title" and kinds.count("title") == 1
    assert kinds[1] == "flush"
    assert kinds.count("heading") == 4
    assert not template.numbering
    leads = ["".join(i.text for i in b.lead) for b in template.blocks if b.lead]
    assert leads[0] == "持续深化思想引领作用。"
    assert "深化乡镇行政执法体制改革。" in leads
    assert len(leads) == 9


def test_codes_are_unique_and_exclude_site_values():
    codes = parse_template(DEFAULT_TEMPLATE_TEXT).codes()
    assert "district" not in codes
    assert len(codes) == len(set(codes)) == 32


def test_line_kinds_and_placeholders():
    template = parse_template(
        "// comment {ignored\n"
        "@章节编号 开\n"
        "# 上行\\下行{district}\n"
        "\n"
        "> 顶格\n"
        "## 标题{a}\n"
        "　　**小标题{b|wan}。**正文{c | duo}，{{原样}}，｛d｜yoy｝\n"
    )
    assert template.numbering
    title, flush, heading, para = template.blocks
    assert title.kind == "title" and title.line == 3
    assert title.body == (
        Text("上行"),
        LineBreak(),
        Text("下行"),
        Placeholder("district", "plain", 3),
    )
    assert flush.kind == "flush" and flush.body == (Text("顶格"),)
    assert heading.kind == "heading" and heading.body[1] == Placeholder("a", "plain", 6)
    assert para.lead == (Text("小标题"), Placeholder("b", "wan", 7), Text("。"))
    assert para.body == (
        Text("正文"),
        Placeholder("c", "duo", 7),
        Text("，{原样}，"),
        Placeholder("d", "yoy", 7),
    )


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("正文\n\n有{foo}个", 3, "第3行：未知的指标代码“foo”"),
        ("正文\n共{a|bar}个", 2, "第2行：未知的格式“bar”"),
        ("共{a个", 1, "第1行：“{”没有对应的“}”"),
        ("共a}个", 1, "第1行：多余的“}”"),
        ("共{}个", 1, "第1行：占位符“{}”缺少指标代码"),
        ("共{a{b}}个", 1, "第1行：“{”没有对应的“}”"),
        ("共{a-b}个", 1, "指标代码“a-b”格式不正确"),
        ("共{中文}个", 1, "指标代码“中文”格式不正确"),
        ("共{a|wan|duo}个", 1, "只能带一个格式"),
        ("{district|wan}", 1, "是站点值，不能加格式“wan”"),
        ("x\n**小标题正文", 2, "第2行：段首小标题缺少结尾的“**”"),
        ("正文**强调**", 1, "“**”只能成对用在段首"),
        ("## **小标题**", 1, "只能用在正文段落中"),
        ("# 一\n# 二", 2, "第2行：只能有一个标题"),
        ("## ", 1, "这一行只有标记，没有内容"),
        ("@字体 宋体", 1, "未知的选项“@字体 宋体”"),
        ("@章节编号 也许", 1, "的值应为“开”或“关”"),
        ("", 1, "模板是空的"),
    ],
)
def test_validation_errors_name_line_and_culprit(text, line, fragment):
    errors = validate_template(text, {"a", "b"})
    assert errors, text
    assert any(e.line == line and fragment in e.message for e in errors), errors
    assert all(e.message.startswith(f"第{e.line}行：") or "模板是空的" in e.message for e in errors)


def test_unknown_code_error_carries_the_code():
    (error,) = validate_template("# 标题\n\n共{x}个，{a}个", {"a"})
    assert (error.line, error.code, error.message) == (3, "x", "第3行：未知的指标代码“x”")
    assert str(error) == error.message


def test_all_errors_reported_in_line_order():
    errors = validate_template("{zz}\n{a|nope}\n{b\n}", {"a", "b"})
    assert [e.line for e in errors] == [1, 2, 3, 4]


def test_parse_raises_on_syntax_errors_only():
    with pytest.raises(TemplateSyntaxError) as info:
        parse_template("共{a|bar}个\n{b")
    assert [e.line for e in info.value.errors] == [1, 2]
    assert "未知的格式“bar”" in str(info.value)
    # Unknown codes are not syntax: only validate_template knows the catalogue.
    assert parse_template("{whatever}").codes() == ["whatever"]


def test_placeholder_tolerates_spaces_and_fullwidth_braces():
    (p,) = parse_template("｛ edu_x ｜ duo ｝").placeholders()
    assert (p.code, p.filter) == ("edu_x", "duo")


def test_literal_braces_and_pipes_survive():
    template = parse_template("集合{{1}}｜a|b")
    assert template.blocks[0].body == (Text("集合{1}｜a|b"),)


@pytest.mark.parametrize(
    ("line", "numbering"),
    [
        ("@章节编号 开", True),
        ("@章节编号：关", False),
        ("@章节编号 = 开", True),
        ("@numbering ON", True),
        ("@  章节编号   开  ", True),
    ],
)
def test_options_are_read_with_any_separator(line, numbering):
    assert parse_template(f"{line}\n正文").numbering is numbering


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("@章节编号 开 关", "未知的选项“@章节编号 开 关”"),
        ("@a" + " " * 2500 + "b" + " " * 2500 + "c", "未知的选项"),
        ("@=开", "未知的选项"),
        ("@章节编号::开", "的值应为“开”或“关”"),
    ],
)
def test_malformed_options_are_refused(line, fragment):
    errors = validate_template(f"正文\n{line}", set())
    assert [e.line for e in errors] == [2] and fragment in errors[0].message


# Shapes that once cost the parser (or a naive rewrite of it) cubic or quadratic time.
ADVERSARIAL = {
    "blanks after @": "正文\n@a" + " " * 50_000 + "b" + " " * 50_000 + "c",
    "blanks and tabs after @": "正文\n@" + " \t" * 50_000 + "x",
    "separators after @": "正文\n@a" + "=" * 100_000,
    "{ without }": "正文" + "{a" * 50_000,
    "} without {": "正文" + "a}" * 50_000,
    "only {": "正文" + "{" * 100_001,
    "nested braces": "正文" + "{" * 50_000 + "}" * 50_000,
    "nested placeholders": "正文" + "{a|" * 33_000,
    "many **": "**" * 50_000,
    "** then text": "**a" * 33_000,
    "pipes": "正文{a" + "|" * 100_000 + "}",
    "title breaks": "#" + "\\" * 100_000,
    "title braces": "#" + "{\\" * 50_000,
    "many titles": "正文\n#x\n" * 16_000,
    "many lines": "正文{a}\n" * 16_000,
    "control characters": "\x01" * 100_000,
    "control character lines": "\x01\n" * 50_000,
}


PARSER_DIR = str(Path(markup.__file__).parent)


def _steps(text) -> tuple[int, list]:
    """Validate ``text``, counting the lines of the renderer's own code executed (a
    sys.settrace line counter): the same text always takes the same steps, however busy
    the machine, unlike a clock."""
    steps = 0

    def count_lines(frame, event, arg):
        nonlocal steps
        if event == "line":
            steps += 1
        return count_lines

    def parser_frames_only(frame, event, arg):
        return count_lines if frame.f_code.co_filename.startswith(PARSER_DIR) else None

    previous = sys.gettrace()
    sys.settrace(parser_frames_only)
    try:
        errors = validate_template(text, {"a"})
    finally:
        sys.settrace(previous)
    return steps, errors


@pytest.mark.parametrize("shape", ADVERSARIAL)
def test_validation_steps_are_linear_in_the_text(shape):
    """A bounded number of steps per character of the text (12 for 16,000 short lines, the
    most today): a parser quadratic in the text takes about as many steps per character as
    there are characters, here a hundred thousand."""
    text = ADVERSARIAL[shape]
    assert len(text) >= 95_000  # characters: 100 KB and more in UTF-8
    steps, errors = _steps(text)
    assert len(errors) <= MAX_ERRORS + 1
    assert steps <= 16 * len(text), f"{shape}: {steps} steps for {len(text)} characters"
    # The steps inside a regular expression are not lines of Python: a backtracking pattern
    # (the cubic option regex took hours at this size) shows only as time. 100 KB takes tens
    # of milliseconds; a thousand times that still passes on the busiest machine.
    started = time.perf_counter()
    validate_template(text, {"a"})
    assert time.perf_counter() - started < 30.0, shape


def test_a_flood_of_errors_is_listed_up_to_a_limit():
    errors = validate_template("\n".join(["{a"] * 500), {"a"})
    assert len(errors) == MAX_ERRORS + 1
    assert [e.line for e in errors[:3]] == [1, 2, 3]
    assert "只列出了前100处" in errors[-1].message


@pytest.mark.parametrize(
    ("text", "line", "shown"),
    [
        ("# 标题\n正文\n共{a}个\x01。", 3, "U+0001"),
        ("正文\x00", 1, "U+0000"),
        ("正文\n\n\n\x7f", 4, "U+007F"),
        ("正文\n\x85下一段", 2, "U+0085"),  # C1 NEL: str.splitlines would split here
        ("正文\x0b\n共{a}个\x1b", 1, "U+000B"),  # vertical tab, as Word pastes it
        ("正文\ufffe", 1, "U+FFFE"),
    ],
)
def test_control_characters_are_refused_naming_the_line(text, line, shown):
    errors = validate_template(text, {"a"})
    assert any(e.line == line and shown in e.message for e in errors), errors
    with pytest.raises(TemplateSyntaxError):
        parse_template(text)


def test_control_character_message_names_line_and_code_point():
    (error,) = validate_template("# 标题\n正文\n共{a}个\x01\x01\x02。", {"a"})
    assert error.message == "第3行含有不可见的控制字符（U+0001、U+0002），请删除后再保存。"


def test_tabs_and_line_ends_of_any_system_are_no_control_characters():
    template = parse_template("# 标题\r\n\t正文\r\n第二段\r第三段\n")
    assert [b.line for b in template.blocks] == [1, 2, 3, 4]
