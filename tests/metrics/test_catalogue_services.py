"""The 法制办 keeps the catalogue through metrics.services.catalogue: what each change does,
what it refuses (in Chinese, by field, with a stable code) and the history it leaves."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrics import references, services
from metrics.models import Department, Figure, FigureStatus, Indicator, Section, ValidationRule
from reports import rendering
from reports.models import ReportJob, ReportKind
from reports.selectors import active_template
from reports.services import create_report_job
from tests import factories


def codes_of(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict[field]]


def messages_of(exc: ValidationError, field: str) -> str:
    return "；".join(m for e in exc.error_dict[field] for m in e.messages)


@pytest.fixture
def biz(db):
    return Section.objects.get(code="biz")


def new_indicator(reviewer, sfj, biz, **fields):
    base = {"name": "行政复议案件数", "section": biz, "department": sfj, "unit": "起"}
    return services.create_indicator(user=reviewer, **{**base, **fields})


# --- who may -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda u, s, d: services.create_indicator(user=u, name="x", section=s, department=d),
        lambda u, s, d: services.create_section(user=u, code="new", name="新"),
        lambda u, s, d: services.rename_section(section=s, user=u, name="新名"),
        lambda u, s, d: services.reorder_sections(user=u, codes=["edu", "grass", "biz", "lead"]),
        lambda u, s, d: services.create_department(user=u, code="new", name="新部门"),
        lambda u, s, d: services.update_department(department=d, user=u, name="改名"),
        lambda u, s, d: services.retire_department(department=d, user=u, reason="撤并"),
    ],
)
def test_only_the_catalogue_managers_may_change_it(call, clerk, leader, reviewer, sfj, biz):
    for user in (clerk, leader):
        with pytest.raises(PermissionDenied, match="法制办"):
            call(user, biz, sfj)
    with pytest.raises(TypeError):
        call(None, biz, sfj)


def test_services_take_keyword_arguments_only(reviewer):
    with pytest.raises(TypeError):
        services.create_section(reviewer, "x", "y")


# --- indicators ---------------------------------------------------------------------------


def test_create_suggests_a_code_from_the_pinyin_initials_made_unique(reviewer, sfj, biz):
    first = new_indicator(reviewer, sfj, biz)
    second = new_indicator(reviewer, sfj, biz)
    assert first.code == "biz_xzfyajs"
    assert second.code == "biz_xzfyajs_2"
    assert services.suggest_code(name="行政复议案件数", section=biz) == "biz_xzfyajs_3"
    assert first.history.latest().history_user == reviewer
    assert first.history.latest().history_change_reason == "新增指标"


def test_bad_input_is_refused_by_field_in_chinese(reviewer, sfj, biz):
    with pytest.raises(ValidationError) as caught:
        services.create_indicator(
            user=reviewer,
            name="",
            section=biz,
            department=sfj,
            lower_bound=Decimal(5),
            upper_bound=Decimal(1),
        )
    assert "name" in caught.value.error_dict
    assert "上限不能小于下限" in str(caught.value)


def test_computed_indicator_formula_is_checked(reviewer, sfj, biz):
    cases = {
        "biz_no_such_code + 1": "不存在的指标代码",
        "biz_review_cases_closed +": "",
    }
    for formula, words in cases.items():
        with pytest.raises(ValidationError) as caught:
            new_indicator(reviewer, sfj, biz, formula=formula, code="biz_new_rate")
        assert codes_of(caught.value, "formula") == ["formula_invalid"]
        assert words in messages_of(caught.value, "formula")
    ok = new_indicator(
        reviewer, sfj, biz, formula="biz_review_closure_rate * 2", decimal_places=2, code="biz_x2"
    )
    assert ok.is_computed
    # A cycle: the shipped rate now read from the new one.
    rate = Indicator.objects.get(code="biz_review_closure_rate")
    with pytest.raises(ValidationError) as caught:
        services.update_indicator(indicator=rate, user=reviewer, formula="biz_x2 + 1")
    assert "循环引用" in messages_of(caught.value, "formula")


def test_a_computed_indicator_has_no_bounds_and_at_most_four_places(reviewer, sfj, biz):
    with pytest.raises(ValidationError) as caught:
        new_indicator(
            reviewer,
            sfj,
            biz,
            formula="biz_review_cases_closed + 1",
            lower_bound=Decimal(0),
            decimal_places=5,
        )
    assert "计算指标不设上下限" in messages_of(caught.value, "lower_bound")
    assert "decimal_places" in caught.value.error_dict


def test_formula_with_a_retired_input_is_refused(reviewer, sfj, biz):
    received = Indicator.objects.get(code="biz_inhouse_counsel")
    services.retire_indicator(indicator=received, user=reviewer, reason="不再统计")
    with pytest.raises(ValidationError) as caught:
        new_indicator(reviewer, sfj, biz, formula="biz_inhouse_counsel * 2")
    assert "已停用" in messages_of(caught.value, "formula")


def test_code_is_editable_until_something_refers_to_it(reviewer, sfj, biz, period, clerk):
    indicator = new_indicator(reviewer, sfj, biz)
    indicator = services.update_indicator(indicator=indicator, user=reviewer, code="biz_cases")
    assert indicator.code == "biz_cases"
    factories.FigureFactory(indicator=indicator, period=period)
    with pytest.raises(ValidationError) as caught:
        services.update_indicator(indicator=indicator, user=reviewer, code="biz_other")
    assert codes_of(caught.value, "code") == ["code_frozen"]
    assert "1 条填报数据" in messages_of(caught.value, "code")


def test_code_frozen_by_a_rule_a_formula_or_a_template(reviewer, sfj, biz):
    left = new_indicator(reviewer, sfj, biz, name="甲")
    right = new_indicator(reviewer, sfj, biz, name="乙")
    ValidationRule.objects.create(name="甲不超过乙", left=left, operator="<=", right=right)
    with pytest.raises(ValidationError, match="校验规则“甲不超过乙”"):
        services.update_indicator(indicator=left, user=reviewer, code="biz_j2")

    read = new_indicator(reviewer, sfj, biz, name="丙")
    new_indicator(reviewer, sfj, biz, name="丁", formula=f"{read.code} * 2")
    with pytest.raises(ValidationError, match="指标“丁”.*的计算公式"):
        services.update_indicator(indicator=read, user=reviewer, code="biz_b2")

    # The default speech template speaks of the approval reforms.
    shipped = Indicator.objects.get(code="biz_approval_reforms")
    refs = services.code_references(shipped)
    assert any("讲话稿模板" in r for r in refs)


def test_the_registry_asks_every_registered_finder(reviewer, sfj, biz):
    indicator = new_indicator(reviewer, sfj, biz, name="戊")

    def finder(code):
        return [f"外部系统引用 {code}"] if code == indicator.code else []

    references.register(finder)
    try:
        assert references.referrers(indicator.code) == [f"外部系统引用 {indicator.code}"]
        with pytest.raises(ValidationError, match="外部系统引用"):
            services.update_indicator(indicator=indicator, user=reviewer, code="biz_w2")
    finally:
        references.unregister(finder)


def test_owner_change_moves_drafts_and_keeps_their_history(reviewer, sfj, biz, period, clerk):
    indicator = new_indicator(reviewer, sfj, biz)
    services.save_figure(indicator=indicator, period=period, value=Decimal(3), user=clerk)
    figure = Figure.objects.get(indicator=indicator)
    rows_before = figure.history.count()
    gaj = Department.objects.get(code="gaj")
    services.update_indicator(indicator=indicator, user=reviewer, department=gaj, reason="职能调整")
    figure.refresh_from_db()
    assert figure.indicator.department == gaj
    assert figure.status == FigureStatus.DRAFT and figure.value == 3
    history = list(figure.history.all())
    assert len(history) == rows_before + 1
    assert "公安分局" in history[0].history_change_reason
    assert history[-1].history_user == clerk
    latest = Indicator.objects.get(pk=indicator.pk).history.latest()
    assert latest.history_change_reason == "职能调整" and latest.history_user == reviewer


def test_owner_change_refused_while_a_figure_awaits_review(reviewer, sfj, biz, period):
    indicator = new_indicator(reviewer, sfj, biz)
    factories.FigureFactory(indicator=indicator, period=period, status=FigureStatus.SUBMITTED)
    gaj = Department.objects.get(code="gaj")
    with pytest.raises(ValidationError) as caught:
        services.update_indicator(indicator=indicator, user=reviewer, department=gaj)
    assert codes_of(caught.value, "department") == ["figures_awaiting_review"]
    assert "待审核" in messages_of(caught.value, "department")
    assert Indicator.objects.get(pk=indicator.pk).department == sfj


def test_owner_change_leaves_built_reports_as_they_were(demo_data):
    reviewer = factories.UserFactory(role="reviewer")
    leader = factories.UserFactory(role="leader")
    period = factories.period("2026")
    job = create_report_job(period=period, kind=ReportKind.DRAFT, user=leader)
    code = next(c for c, f in job.snapshot["figures"].items() if f["department"] == "区司法局")
    indicator = Indicator.objects.get(code=code)
    Figure.objects.filter(indicator=indicator, status=FigureStatus.SUBMITTED).update(
        status=FigureStatus.APPROVED
    )
    services.update_indicator(
        indicator=indicator, user=reviewer, department=Department.objects.get(code="gaj")
    )
    job = ReportJob.objects.get(pk=job.pk)
    assert job.snapshot["figures"][code]["department"] == "区司法局"


def test_retiring_keeps_a_rebuilt_old_report_identical(demo_data):
    reviewer = factories.UserFactory(role="reviewer")
    leader = factories.UserFactory(role="leader")
    period = factories.period("2026")
    job = create_report_job(period=period, kind=ReportKind.DRAFT, user=leader)

    def rendered():
        job_now = ReportJob.objects.select_related("template_version").get(pk=job.pk)
        template = rendering.parse_template(job_now.template_version.text)
        html = rendering.render_html(template, job_now.snapshot, mode="draft")
        docx = rendering.render_docx(template, job_now.snapshot, mode="draft")
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            body = archive.read("word/document.xml")
        return html, body

    before = rendered()
    for code in list(job.snapshot["figures"])[:3]:
        indicator = Indicator.objects.get(code=code)
        for reader in services.catalogue.formula_users(code):
            services.retire_indicator(indicator=reader, user=reviewer, reason="测试")
        services.retire_indicator(
            indicator=indicator, user=reviewer, reason="不再统计", on=datetime.date(2026, 1, 1)
        )
    assert rendered() == before
    assert active_template().current_version == job.template_version


def test_retire_and_restore(reviewer, sfj, biz):
    indicator = new_indicator(reviewer, sfj, biz)
    with pytest.raises(ValidationError) as caught:
        services.retire_indicator(indicator=indicator, user=reviewer, reason=" ")
    assert "reason" in caught.value.error_dict
    retired = services.retire_indicator(
        indicator=indicator, user=reviewer, reason="合并统计", on=datetime.date(2026, 6, 30)
    )
    assert retired.retired_on == datetime.date(2026, 6, 30)
    assert retired.history.latest().history_change_reason == "停用：合并统计"
    restored = services.restore_indicator(indicator=indicator, user=reviewer, reason="恢复统计")
    assert restored.retired_on is None


def test_retiring_an_input_of_a_computed_indicator_is_refused(reviewer):
    received = Indicator.objects.get(code="biz_review_cases_received")
    with pytest.raises(ValidationError) as caught:
        services.retire_indicator(indicator=received, user=reviewer, reason="x")
    assert codes_of(caught.value, "retired_on") == ["indicator_in_use"]
    assert "行政复议办结率" in messages_of(caught.value, "retired_on")


# --- sections -----------------------------------------------------------------------------


def test_sections_create_rename_reorder_delete(reviewer):
    section = services.create_section(user=reviewer, code="extra", name="其他")
    assert section.order == 5
    services.rename_section(section=section, user=reviewer, name="其他工作", reason="改名")
    order = ["extra", "lead", "biz", "grass", "edu"]
    services.reorder_sections(user=reviewer, codes=order)
    assert list(Section.objects.order_by("order").values_list("code", flat=True)) == order
    assert list(Section.objects.order_by("order").values_list("order", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    services.move_section(section=Section.objects.get(code="extra"), user=reviewer, up=False)
    assert Section.objects.get(code="lead").order == 1
    services.delete_section(section=Section.objects.get(code="extra"), user=reviewer)
    assert not Section.objects.filter(code="extra").exists()
    deleted = Section.history.filter(code="extra", history_type="-").get()
    assert deleted.history_user == reviewer


def test_reorder_refuses_a_partial_list(reviewer):
    with pytest.raises(ValidationError):
        services.reorder_sections(user=reviewer, codes=["biz", "lead"])


def test_a_section_with_indicators_is_not_deleted(reviewer):
    with pytest.raises(ValidationError) as caught:
        services.delete_section(section=Section.objects.get(code="biz"), user=reviewer)
    assert codes_of(caught.value, "section") == ["section_not_empty"]
    assert "只能清空后删除" in messages_of(caught.value, "section")


# --- departments --------------------------------------------------------------------------


def test_departments_create_update_retire_restore(reviewer, biz):
    department = services.create_department(user=reviewer, code="wjw", name="区卫健委")
    services.update_department(
        department=department, user=reviewer, short_name="卫健委", order=3, reason="补简称"
    )
    department.refresh_from_db()
    assert (department.short_name, department.order) == ("卫健委", 3)
    services.retire_department(department=department, user=reviewer, reason="机构改革")
    department.refresh_from_db()
    assert department.is_retired
    with pytest.raises(ValidationError) as caught:
        services.create_indicator(user=reviewer, name="新指标", section=biz, department=department)
    assert codes_of(caught.value, "department") == ["department_retired"]
    services.restore_department(department=department, user=reviewer)
    department.refresh_from_db()
    assert not department.is_retired


def test_a_department_owning_indicators_is_not_retired(reviewer):
    bb = Department.objects.get(code="bb")
    with pytest.raises(ValidationError) as caught:
        services.retire_department(department=bb, user=reviewer, reason="撤并")
    assert codes_of(caught.value, "department") == ["department_in_use"]
    assert "放权赋权乡镇行使行政处罚权" in messages_of(caught.value, "department")


def test_duplicate_department_name_is_refused_in_chinese(reviewer):
    with pytest.raises(ValidationError) as caught:
        services.create_department(user=reviewer, code="sfj2", name="区司法局")
    assert "name" in caught.value.error_dict
    assert "已存在" in messages_of(caught.value, "name")


# --- codes the template and the formulas can name ------------------------------------------


@pytest.mark.parametrize("code", ["grass-xf", "2026_xf", "Grass_XF", "xf j"])
def test_a_code_the_template_could_not_name_is_refused_in_chinese(reviewer, sfj, biz, code):
    """A SlugField lets grass-xf and 2026_xf through, but {grass-xf} is no placeholder and a
    formula reads grass-xf as grass minus xf: such a code is refused when it is chosen."""
    with pytest.raises(ValidationError) as caught:
        new_indicator(reviewer, sfj, biz, code=code)
    assert codes_of(caught.value, "code") == ["invalid"]
    assert "只能用小写英文字母、数字和下划线，并以字母开头" in messages_of(caught.value, "code")
    assert "字段" not in messages_of(caught.value, "code")
    with pytest.raises(ValidationError) as caught:
        services.create_department(user=reviewer, code=code, name="区信访局")
    assert "部门代码" in messages_of(caught.value, "code")
    with pytest.raises(ValidationError):
        services.create_section(user=reviewer, code=code, name="信访")
    indicator = new_indicator(reviewer, sfj, biz, code="biz_petitions")
    with pytest.raises(ValidationError) as caught:
        services.update_indicator(indicator=indicator, user=reviewer, code=code)
    assert codes_of(caught.value, "code") == ["invalid"]
    assert not Indicator.objects.filter(code=code).exists()
    assert not Department.objects.filter(code=code).exists()


def test_a_taken_code_names_who_has_it(reviewer, sfj, biz):
    with pytest.raises(ValidationError) as caught:
        services.create_department(user=reviewer, code="sfj", name="区信访局")
    assert messages_of(caught.value, "code") == "部门代码“sfj”已存在（部门“区司法局”），请换一个。"
    with pytest.raises(ValidationError) as caught:
        new_indicator(reviewer, sfj, biz, code="biz_inhouse_counsel")
    assert "指标代码“biz_inhouse_counsel”已存在（指标“内聘法律顾问”）" in messages_of(
        caught.value, "code"
    )
    with pytest.raises(ValidationError) as caught:
        services.create_department(user=reviewer, code="xfj", name="区司法局")
    assert messages_of(caught.value, "name") == "名称为“区司法局”的部门已存在。"


def test_moving_a_section_uses_the_order_as_it_is_now(reviewer):
    page_loaded = Section.objects.get(code="lead")  # first, as the page showed it
    services.reorder_sections(user=reviewer, codes=["biz", "lead", "grass", "edu"])
    services.move_section(section=page_loaded, user=reviewer, up=False)
    assert list(Section.objects.order_by("order").values_list("code", flat=True)) == [
        "biz",
        "grass",
        "lead",
        "edu",
    ]
