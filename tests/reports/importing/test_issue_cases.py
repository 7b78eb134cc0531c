"""Each case found importing real reports (issue 20), as its own regression test."""

import pytest
from django.core.exceptions import ValidationError

from accounts.demo import ensure_period
from metrics import services as metrics_services
from metrics.models import Department, Figure, Indicator, IndicatorAlias, PeriodState
from reports.dashboard import dashboard
from reports.importing.accept import accept_import
from reports.importing.conflicts import format_words
from reports.importing.proposal import propose
from reports.importing.reader import read_text
from reports.importing.store import (
    catalogue,
    conflicts_of,
    default_first_period,
    known_values,
    site_values,
)

pytestmark = pytest.mark.django_db


def _propose(text, period=None):
    return propose(
        read_text(text),
        catalogue(),
        site_values=site_values(period) if period else {"district": "示范"},
        known=known_values(period) if period else None,
    )


def _item(proposal, number):
    return next(i for i in proposal.items if i.found.text == number)


@pytest.mark.parametrize(
    "text, number",
    [
        ("政协委员提案120件，办结率100%。", "100"),
        ("热线诉求2万余件，按时回复群众，办结率、满意率均达100%。", "100"),
        ("受理群众来信36件，办结率、满意率均达99%。", "99"),
    ],
)
def test_a_rate_named_by_its_last_word_is_not_the_computed_review_closure_rate(text, number):
    item = _item(_propose(text), number)
    assert item.code != "biz_review_closure_rate"
    assert item.new


def test_the_review_closure_rate_binds_where_the_sentence_names_it():
    item = _item(_propose("共受理行政复议案件58起，办结55起，办结率94.8%。"), "94.8")
    assert item.code == "biz_review_closure_rate"
    assert "名称相符" in item.reasons


@pytest.mark.parametrize(
    "text",
    [
        "全年召开常务会议集中学法6次。",
        "区委常委会、区政府常务会议研究法治议题9次。",
        "政府常务会每半年至少听取2次法治工作汇报。",
    ],
)
def test_other_counts_of_the_standing_meeting_are_not_its_quarterly_study(text):
    proposal = _propose(text)
    assert all(i.code != "lead_council_study_per_quarter" for i in proposal.items)


def test_received_binds_the_existing_indicator_and_the_closed_is_named_with_the_object(
    demo_data,
):
    period = ensure_period("2025")
    proposal = _propose("全年共受理行政复议案件152件，审结139件。", period)
    received, closed = proposal.items
    assert received.code == "biz_review_cases_received" and not received.new
    assert closed.new
    assert proposal.new_indicator(closed.code).name == "审结行政复议案件"
    conflicts = conflicts_of(proposal, period)
    assert [c.message for c in conflicts] == ["“受理行政复议案件”已有数据 58，文档中为 152"]


def test_a_number_with_wan_duo_is_a_figure_and_binds():
    item = _item(_propose("受教育群众8万多人次。"), "8")
    assert item.code == "edu_people_educated"
    assert item.found.filter == "wan" and item.found.estimate == 80000
    assert format_words(item.found) == "万多"


@pytest.mark.parametrize(
    "text, words",
    [
        ("发放宣传资料3.2万余份。", "万余"),
        ("解答法律咨询3200多人次。", "多"),
        ("开展活动120余场。", "余"),
        ("调处各类矛盾纠纷2138起。", "原数"),
        ("覆盖群众近500人。", "原数，前有“近”"),
        ("参训干部超过300人。", "原数，前有“超过”"),
    ],
)
def test_the_format_column_in_words(text, words):
    item = _propose(text).items[0]
    clause = item.found.clause[: item.found.start - item.found.clause_start]
    assert format_words(item.found, clause) == words


def test_a_conflict_says_the_document_number_in_its_units(demo_data):
    period = ensure_period("2025")
    proposal = _propose("全年发放各类宣传资料3.2万余份。", period)
    assert _item(proposal, "3.2").code == "edu_materials_distributed"
    assert [c.message for c in conflicts_of(proposal, period)] == [
        "“发放各类宣传资料”已有数据 123456，文档中为 3.2万余（32000）"
    ]


def test_a_conflict_on_a_computed_indicator(demo_data, reviewer_user):
    period = ensure_period("2025")
    proposal = _propose("共受理行政复议案件58起，办结55起，办结率100%。", period)
    assert _item(proposal, "100").code == "biz_review_closure_rate"
    assert [c.message for c in conflicts_of(proposal, period)] == [
        "“行政复议办结率”已有数据 94.8，文档中为 100"
    ]
    before = Indicator.objects.count(), Figure.objects.count()
    with pytest.raises(metrics_services.ImportConflict, match="行政复议办结率"):
        accept_import(user=reviewer_user, proposal=proposal, document_name="复议", period=period)
    assert (Indicator.objects.count(), Figure.objects.count()) == before


def test_accept_is_refused_when_the_rebuilt_rate_would_differ(demo_data, reviewer_user):
    """No stored value to conflict with, but the rate the portal computes from the imported
    counts is not the document's: refused with the list of what would differ."""
    period = ensure_period("2019", locked=True)
    proposal = _propose("共受理行政复议案件58起，办结55起，办结率90%。", period)
    with pytest.raises(ValidationError, match="“行政复议办结率”已有数据 94.8，文档中为 90"):
        accept_import(user=reviewer_user, proposal=proposal, document_name="复议", period=period)
    assert not Figure.objects.filter(period=period).exists()


def test_the_place_name_is_replaced_only_whole():
    text = _propose("示范区人民政府评选省级法治建设示范乡镇2个。").template_text()
    assert text.startswith("{district}区人民政府评选省级法治建设示范乡镇{")
    assert text.count("{district}") == 1


def test_the_reports_year_becomes_year_but_not_in_a_cited_title(demo_data):
    period = ensure_period("2025")
    proposal = _propose(
        "2025年，在区委的领导下，落实《法治政府建设实施纲要（2021—2025年）》和《2025年普法要点》。",
        period,
    )
    text = proposal.template_text()
    assert text.startswith("{year}年，在区委的领导下")
    assert "《法治政府建设实施纲要（2021—2025年）》" in text
    assert "《2025年普法要点》" in text
    kept = proposal.keep_year(0, 0)
    assert kept.template_text().startswith("2025年，")


def test_the_document_name_does_not_repeat_the_year(demo_data, reviewer_user):
    period = ensure_period("2025")
    proposal = _propose(
        "2025年度法治政府建设情况报告\n区政府常务会议每季度至少集体学法1次。", period
    )
    document = accept_import(
        user=reviewer_user,
        proposal=proposal,
        document_name="2025年度法治政府建设情况报告",
        period=period,
    )
    assert document.name == "法治政府建设情况报告"
    assert "{year}年度法治政府建设情况报告" in document.current_version.text
    assert "2025" not in document.current_version.text


def test_importing_last_years_document_leaves_this_years_entry_unchanged(
    demo_data, reviewer_user, leader_user
):
    last, this = ensure_period("2025"), ensure_period("2026")
    assert this.state != PeriodState.PLANNED
    planned = ensure_period("2027")
    planned.state = PeriodState.PLANNED
    planned.save()
    entered = Indicator.objects.entered_in(this).count()
    board = dashboard(user=leader_user, period=this)
    before = (board.readiness, board.totals)
    proposal = _propose("全年办理法律援助案件215件，开展法治讲座36场。", last)
    assert default_first_period(last) == planned
    accept_import(
        user=reviewer_user,
        proposal=proposal,
        document_name="去年的报告",
        period=last,
        default_department=Department.objects.get(code="sfj"),
    )
    created = Indicator.objects.filter(name__in=["办理法律援助案件", "开展法治讲座"])
    assert created.count() == 2
    assert {i.first_period.code for i in created} == {"2027"}
    assert Indicator.objects.entered_in(this).count() == entered
    board = dashboard(user=leader_user, period=this)
    assert (board.readiness, board.totals) == before
    assert Figure.objects.filter(period=last, indicator__in=created).count() == 2


def test_without_a_planned_period_the_reviewer_must_choose(demo_data, reviewer_user):
    last = ensure_period("2025")
    proposal = _propose("全年办理法律援助案件215件。", last)
    with pytest.raises(ValidationError, match="请选择新指标从哪一期起填报"):
        accept_import(
            user=reviewer_user,
            proposal=proposal,
            document_name="去年的报告",
            period=last,
            default_department=Department.objects.get(code="sfj"),
        )
    assert not Indicator.objects.filter(name="办理法律援助案件").exists()


def test_a_phrase_bound_by_hand_becomes_an_alias_and_binds_itself_next_time(
    demo_data, reviewer_user
):
    period = ensure_period("2018", locked=True)
    text = "全年为群众提供法律服务560人次。"
    proposal = _propose(text, period)
    assert proposal.items[0].new
    proposal = proposal.bind(0, "edu_legal_consultations")
    accept_import(user=reviewer_user, proposal=proposal, document_name="咨询", period=period)
    alias = IndicatorAlias.objects.get(indicator__code="edu_legal_consultations")
    assert alias.phrase == "为群众提供法律服务"
    assert alias.history.get().history_user == reviewer_user
    again = _propose(text, ensure_period("2017", locked=True))
    assert again.items[0].code == "edu_legal_consultations"
    assert "别名" in again.items[0].reasons


def test_the_shared_department_section_and_first_period_survive_save(demo_data):
    from reports.importing.store import apply_edit

    proposal = _propose("全年办理法律援助案件215件。")
    for edit in (
        ["default_department", "sfj"],
        ["set_section", 0, "edu"],
        ["first_period", "2026"],
    ):
        proposal = apply_edit(proposal, edit)
    assert proposal.default_department == "sfj"
    assert proposal.new_indicators[0].section_code == "edu"
    assert proposal.first_period == "2026"


def test_an_indicator_the_speech_does_not_print_does_not_lower_its_readiness(
    demo_data, reviewer_user, leader_user
):
    """An annual-report indicator expected in 2026 is in the clerks' entry, but the speech's
    readiness and what blocks its final version count the speech's own figures only."""
    from metrics.models import Section

    this = ensure_period("2026")
    before = dashboard(user=leader_user, period=this)
    sfj = Department.objects.get(code="sfj")
    metrics_services.create_indicator(
        user=reviewer_user,
        code="annual_only_cases",
        name="办理法律援助案件",
        unit="件",
        value_type="count",
        department=sfj,
        section=Section.objects.get(code="biz"),
        reason="年度报告新增",
    )
    after = dashboard(user=leader_user, period=this)
    assert after.readiness == before.readiness
    entry = {r.code: r.progress.expected for r in after.rows}
    assert entry["sfj"] == {r.code: r.progress.expected for r in before.rows}["sfj"] + 1


def test_a_document_other_than_the_speech_never_says_speech(demo_data, client, leader_user):
    from reports.models import ANNUAL_REPORT_SLUG

    client.force_login(leader_user)
    page = client.get(f"/reports/?period=2025&document={ANNUAL_REPORT_SLUG}").content.decode()
    assert "文稿按锁定时的数据生成" in page
    assert "讲话稿按锁定时的数据生成" not in page


@pytest.mark.parametrize(
    "text, names",
    [
        ("政协委员提案120件，办结率100%。", ["政协委员提案", "政协委员提案办结率"]),
        ("排查矛盾纠纷156起，化解151起。", ["排查矛盾纠纷", "化解矛盾纠纷"]),
        ("清理规范性文件76件，废止9件。", ["清理规范性文件", "废止规范性文件"]),
    ],
)
def test_a_bare_verb_or_rate_is_named_with_the_shared_object(text, names):
    assert [n.name for n in _propose(text).new_indicators] == names
