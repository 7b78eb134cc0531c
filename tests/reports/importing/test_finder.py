"""The finder on real sentences: which numbers are figures (with unit and filter) and which
stay text, with the reason."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.importing.finder import find_figures, find_numbers

# (sentence, [(number text, value, unit, filter), ...]) — every figure of the sentence.
FIGURES = [
    ("现已完成106项涉企行政审批事项改革", [("106", "106", "项", "plain")]),
    (
        "42个证照事项整合、融合、更新，后置审批、备案35项",
        [("42", "42", "个", "plain"), ("35", "35", "项", "plain")],
    ),
    (
        "全区内聘法律顾问12人，外聘法律顾问中法学专家3人",
        [("12", "12", "人", "plain"), ("3", "3", "人", "plain")],
    ),
    ("律师事务所4家", [("4", "4", "家", "plain")]),
    ("区政府法律顾问参与涉及区政府法律诉讼27起", [("27", "27", "起", "plain")]),
    ("重大案件行政负责人出庭应诉率100%。", [("100", "100", "%", "plain")]),
    ("网格化管理服务覆盖率98.5％", [("98.5", "98.5", "%", "plain")]),
    ("配备专（兼）职网格员1860名", [("1860", "1860", "名", "plain")]),
    ("共有群防群治力量2.3万余人。", [("2.3", "2.3", "人", "wan")]),
    ("累计发放各类宣传资料12.3万余（册）份", [("12.3", "12.3", "份", "wan")]),
    (
        "解答法律咨询3200多人次，受教育群众8.6万余人次",
        [("3200", "3200", "人次", "duo"), ("8.6", "8.6", "人次", "wan")],
    ),
    ("区政府常务会议坚持每季度至少集体学法1次", [("1", "1", "次", "plain")]),
    (
        "14个乡镇（街道）均组建了不少于10人的专职巡逻队",
        [("14", "14", "个", "plain"), ("10", "10", "人", "plain")],
    ),
    ("法治宣传板块380块", [("380", "380", "块", "plain")]),
    ("共受理行政复议案件1,234件", [("1,234", "1234", "件", "plain")]),
    ("共受理行政复议案件1，234件", [("1，234", "1234", "件", "plain")]),
    ("办理法律援助案件１２３件", [("１２３", "123", "件", "plain")]),
    (
        "开展法治讲座56场，培训执法人员300余人",
        [("56", "56", "场", "plain"), ("300", "300", "人", "duo")],
    ),
    ("投入资金1500万元", [("1500", "1500", "万元", "plain")]),
    ("新建法治文化广场3200平方米", [("3200", "3200", "平方米", "plain")]),
    ("行政诉讼败诉率下降2.5个百分点", [("2.5", "2.5", "个百分点", "plain")]),
    ("平均办理时限压缩至3个工作日", [("3", "3", "个工作日", "plain")]),
    ("12345热线受理诉求3200多件", [("3200", "3200", "件", "duo")]),
    ("组织旁听庭审8场次", [("8", "8", "场次", "plain")]),
    ("修订规范性文件1245多件", [("1245", "1245", "件", "plain")]),  # 多 but four digits: plain
    ("服务群众1.25万人", [("1.25", "1.25", "人", "plain")]),  # two decimals: wan cannot print
    (
        "开展普法活动120余场，出动110人次",
        [("120", "120", "场", "duo"), ("110", "110", "人次", "plain")],
    ),
    ("开通12条咨询热线", [("12", "12", "条", "plain")]),
]

# (sentence, [(number text, reason), ...]) — every Arabic number left as text.
LITERALS = [
    ("2025年全区法治政府建设工作", [("2025", "年份")]),
    ("“十四五”期间（2021—2025年）", [("2021", "年份范围"), ("2025", "年份范围")]),
    ("2021-2025年普法规划", [("2021", "年份范围"), ("2025", "年份范围")]),
    ("自3月1日起施行", [("3", "日期"), ("1", "日期")]),
    ("2025年3月", [("2025", "年份"), ("3", "日期")]),
    ("依据《关于加强法治建设的意见》（法发〔2019〕28号）", [("2019", "文号"), ("28", "文号")]),
    ("按照[2019]28号文件要求", [("2019", "文号"), ("28", "文号")]),
    (
        "制定《法治宣传教育第八个五年规划（2021—2025年）》",
        [("2021", "书名号内的名称"), ("2025", "书名号内的名称")],
    ),
    (
        "充分利用“4.15国家安全日”、“6.25”土地宣传日",
        [("4.15", "引号内的名称"), ("6.25", "引号内的名称")],
    ),
    ("开通12348热线", [("12348", "热线号码")]),
    ("畅通12345政务服务便民热线", [("12345", "热线号码")]),
    ("拨打12345", [("12345", "热线号码")]),
    ("这是第3次督察", [("3", "序数")]),
    ("1.强化组织领导", [("1", "序号")]),
    ("（1）健全制度", [("1", "序号")]),
    ("会议于9:30召开", [("9", "时间"), ("30", "后面没有计量单位")]),
    ("推进5G网络覆盖", [("5", "后面没有计量单位")]),
    ("培训3—5天", [("3", "范围"), ("5", "范围")]),
    ("连续3年获评", [("3", "年数（不作为数据）")]),
]

# Chinese numerals and ordinals: nothing to find at all.
NOTHING = [
    "深入学习贯彻党的二十大精神",
    "作为纲领性文件指导全区“八五”普法宣传教育工作",
    "“十四五”时期，一是强化组织领导，二是完善制度",
    "区委、区政府主要领导切实履行推进法治建设第一责任人职责",
    "实现乡镇“一支队伍管执法”",
    "以“党建+一中心四平台”为抓手",
]


@pytest.mark.parametrize(("sentence", "expected"), FIGURES, ids=[s for s, _ in FIGURES])
def test_figures(sentence, expected):
    figures, literals = find_numbers(sentence)
    got = [(f.text, f.value, f.unit, f.filter) for f in figures]
    assert got == [(t, Decimal(v), u, f) for t, v, u, f in expected]
    assert all(sentence[f.start : f.end] == f.text for f in figures)


@pytest.mark.parametrize(("sentence", "expected"), LITERALS, ids=[s for s, _ in LITERALS])
def test_literals(sentence, expected):
    figures, literals = find_numbers(sentence)
    assert figures == []
    assert [(literal.text, literal.reason) for literal in literals] == expected


@pytest.mark.parametrize("sentence", NOTHING)
def test_chinese_numerals_are_never_figures(sentence):
    assert find_numbers(sentence) == ([], [])


def test_a_sentence_with_both():
    sentence = "2025年，全区共办理行政复议案件58起，开通12348热线，第3次召开会议。"
    figures, literals = find_numbers(sentence)
    assert [f.text for f in figures] == ["58"]
    assert [(x.text, x.reason) for x in literals] == [
        ("2025", "年份"),
        ("12348", "热线号码"),
        ("3", "序数"),
    ]


def test_clause_is_between_the_punctuation():
    (found,) = find_figures("近年来，共建成区级综治中心1个；此外")
    assert found.clause == "共建成区级综治中心1个"
    assert found.clause_start == 4


def test_shown_and_estimate():
    (wan,) = find_figures("共有群防群治力量2.3万余人")
    assert (wan.shown, wan.estimate, wan.marker) == ("2.3", Decimal("23000.0"), "万余")
    (separated,) = find_figures("受理1,234件")
    assert separated.shown == "1234"


def test_the_reference_speech(reference_text):
    """speech.txt: its 31 `*` are blanks, so its only figures are the printed 1 and 100."""
    figures, literals = find_numbers(reference_text)
    assert [(f.text, f.unit) for f in figures] == [("1", "次"), ("100", "%")]
    assert {x.reason for x in literals} == {"书名号内的名称", "引号内的名称"}


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            "0123456789０１.．,，%％万余多人次个项年月日第“”《》〔〕[]—-热线号：，。 abc"
        ),
        max_size=80,
    )
)
def test_never_raises_and_spans_are_exact(text):
    figures, literals = find_numbers(text)
    spans = sorted([(f.start, f.end) for f in figures] + [(x.start, x.end) for x in literals])
    for f in figures:
        assert text[f.start : f.end] == f.text
        assert f.start < f.end <= f.measure_end <= len(text)
        assert f.filter in ("plain", "wan", "duo")
        assert text[f.clause_start : f.clause_start + len(f.clause)] == f.clause
    for x in literals:
        assert text[x.start : x.end] == x.text and x.reason
    # No number is reported twice.
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_any_text(text):
    find_numbers(text)


def test_linear_on_a_long_line_of_numbers():
    import time

    text = "1个" * 50_000 + "2" * 10_000
    started = time.perf_counter()
    figures, literals = find_numbers(text)
    assert len(figures) == 50_000
    assert time.perf_counter() - started < 5
