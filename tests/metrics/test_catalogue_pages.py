"""指标管理 pages as the 法制办 uses them: who may open them, adding and changing the catalogue
through the forms, refusals shown again with what was typed, the history page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics import services
from metrics.models import Department, Indicator, Section, ValidationRule
from tests import factories

PAGES = [
    "/catalogue/",
    "/catalogue/new/",
    "/catalogue/sections/",
    "/catalogue/departments/",
    "/catalogue/departments/sfj/",
    "/catalogue/departments/sfj/retire/",
    "/catalogue/rules/",
    "/catalogue/indicators/biz_inhouse_counsel/",
    "/catalogue/indicators/biz_inhouse_counsel/retire/",
]


@pytest.fixture
def manager(client, reviewer):
    client.force_login(reviewer)
    return client


def indicator_post(**overrides):
    data = {
        "name": "行政复议案件数",
        "code": "",
        "section": Section.objects.get(code="biz").pk,
        "department": Department.objects.get(code="sfj").pk,
        "unit": "起",
        "value_type": "count",
        "lower_bound": "",
        "upper_bound": "",
        "help_text": "报告期内受理的案件",
        "order": "",
        "formula": "",
        "decimal_places": "0",
        "reason": "新增统计口径",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("path", PAGES)
def test_permission_matrix(client, path, clerk, leader, reviewer):
    response = client.get(path)
    assert response.status_code == 302 and "/login/" in response["Location"]
    for user in (clerk, leader):
        client.force_login(user)
        assert client.get(path).status_code == 403
        assert client.post(path, {}).status_code == 403
    client.force_login(reviewer)
    response = client.get(path)
    assert response.status_code == 200
    assert "指标管理" in response.content.decode()


def test_header_link_only_for_catalogue_managers(client, clerk, reviewer):
    client.force_login(clerk)
    assert 'href="/catalogue/"' not in client.get("/").content.decode()
    client.force_login(reviewer)
    assert 'href="/catalogue/"' in client.get("/").content.decode()


def test_catalogue_lists_by_section_and_department_and_searches(manager):
    page = manager.get("/catalogue/").content.decode()
    assert "依法行政与营商环境" in page and "biz_review_cases_received" in page
    page = manager.get("/catalogue/?by=department").content.decode()
    assert "公安分局" in page
    page = manager.get("/catalogue/?q=复议").content.decode()
    assert "受理行政复议案件" in page and "网格员" not in page
    page = manager.get("/catalogue/?q=grass_grid_workers").content.decode()
    assert "专（兼）职网格员" in page


def test_add_an_indicator_through_the_form(manager, reviewer):
    response = manager.post("/catalogue/new/", indicator_post())
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="biz_xzfyajs")
    assert indicator.help_text == "报告期内受理的案件"
    assert indicator.history.latest().history_user == reviewer
    assert "已新增指标" in manager.get("/catalogue/").content.decode()


def test_suggest_button_fills_the_code(manager):
    response = manager.post("/catalogue/new/", indicator_post(suggest="1"))
    page = response.content.decode()
    assert 'value="biz_xzfyajs"' in page
    assert not Indicator.objects.filter(code="biz_xzfyajs").exists()


@pytest.mark.parametrize(
    "formula,message",
    [
        ("biz_no_such + 1", "不存在的指标代码"),
        ("biz_review_cases_closed +", "公式"),
    ],
)
def test_a_refused_formula_is_shown_with_what_was_typed(manager, formula, message):
    response = manager.post("/catalogue/new/", indicator_post(formula=formula, name="某比率"))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "某比率" in page and formula.replace(">", "&gt;") in page
    assert not Indicator.objects.filter(name="某比率").exists()


def test_a_cycle_and_a_retired_input_are_refused_on_the_page(manager, reviewer):
    services.create_indicator(
        user=reviewer,
        code="biz_double_rate",
        name="两倍办结率",
        section=Section.objects.get(code="biz"),
        department=Department.objects.get(code="sfj"),
        formula="biz_review_closure_rate * 2",
    )
    rate = Indicator.objects.get(code="biz_review_closure_rate")
    data = indicator_post(
        **{
            **IndicatorFormData.of(rate),
            "formula": "biz_double_rate + 1",
            "decimal_places": "1",
        }
    )
    page = manager.post(f"/catalogue/indicators/{rate.code}/", data).content.decode()
    assert "循环引用" in page
    services.retire_indicator(
        indicator=Indicator.objects.get(code="biz_inhouse_counsel"), user=reviewer, reason="x"
    )
    page = manager.post(
        "/catalogue/new/", indicator_post(formula="biz_inhouse_counsel * 2")
    ).content.decode()
    assert "已停用的指标" in page


def test_a_formula_written_with_names_is_stored_with_codes_and_shown_back_with_names(manager):
    """The office writes the formula with the indicators' names, picked from a list by name,
    department and unit; it is stored with codes and shown back with names."""
    form = manager.get("/catalogue/new/").content.decode()
    assert 'role="combobox"' in form and 'id="indicator-picker-data"' in form
    assert "受理行政复议案件" in form and "区司法局" in form  # the list: name, department
    written = "【办结行政复议案件】/【受理行政复议案件】*100"
    response = manager.post(
        "/catalogue/new/",
        indicator_post(
            name="复议办结比例",
            value_type="percentage",
            unit="%",
            formula=written,
            decimal_places="1",
        ),
    )
    assert response.status_code == 302
    saved = Indicator.objects.get(name="复议办结比例")
    assert saved.formula == "biz_review_cases_closed / biz_review_cases_received *100"
    page = manager.get(f"/catalogue/indicators/{saved.code}/").content.decode()
    assert "【办结行政复议案件】 / 【受理行政复议案件】 *100" in page


def test_formula_errors_name_indicators_by_name(manager, reviewer):
    page = manager.post(
        "/catalogue/new/", indicator_post(formula="【没有这个指标】 + 1", name="某比率")
    ).content.decode()
    assert "没有名为“没有这个指标”的指标" in page and "【没有这个指标】 + 1" in page
    services.create_indicator(
        user=reviewer,
        code="biz_double_rate",
        name="两倍办结率",
        section=Section.objects.get(code="biz"),
        department=Department.objects.get(code="sfj"),
        formula="biz_review_closure_rate * 2",
    )
    rate = Indicator.objects.get(code="biz_review_closure_rate")
    data = indicator_post(
        **{**IndicatorFormData.of(rate), "formula": "【两倍办结率】 + 1", "decimal_places": "1"}
    )
    page = manager.post(f"/catalogue/indicators/{rate.code}/", data).content.decode()
    assert "循环引用：行政复议办结率 → 两倍办结率 → 行政复议办结率" in page
    assert "biz_double_rate" not in page.split("循环引用")[1][:80]


class IndicatorFormData:
    @staticmethod
    def of(indicator):
        return {
            "name": indicator.name,
            "code": indicator.code,
            "section": indicator.section_id,
            "department": indicator.department_id,
            "unit": indicator.unit,
            "value_type": indicator.value_type,
            "lower_bound": "" if indicator.lower_bound is None else str(indicator.lower_bound),
            "upper_bound": "" if indicator.upper_bound is None else str(indicator.upper_bound),
            "help_text": indicator.help_text,
            "order": str(indicator.order),
            "formula": indicator.formula,
            "decimal_places": str(indicator.decimal_places),
            "reason": "",
        }


def test_edit_shows_the_code_fixed_once_referred_to(manager, reviewer, period):
    indicator = services.create_indicator(
        user=reviewer,
        name="新指标",
        section=Section.objects.get(code="biz"),
        department=Department.objects.get(code="sfj"),
    )
    page = manager.get(f"/catalogue/indicators/{indicator.code}/").content.decode()
    assert "已被引用" not in page
    data = IndicatorFormData.of(indicator) | {"code": "biz_renamed", "reason": "规范代码"}
    assert manager.post(f"/catalogue/indicators/{indicator.code}/", data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.code == "biz_renamed"
    factories.FigureFactory(indicator=indicator, period=period)
    page = manager.get(f"/catalogue/indicators/{indicator.code}/").content.decode()
    assert "已被引用，不能修改：1 条填报数据" in page
    data = IndicatorFormData.of(indicator) | {"code": "biz_again", "unit": "件"}
    assert manager.post(f"/catalogue/indicators/{indicator.code}/", data).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.code, indicator.unit) == ("biz_renamed", "件")


def test_owner_change_refused_with_submitted_figures_on_the_page(manager, demo_data):
    indicator = Indicator.objects.get(code="biz_review_cases_received")  # submitted in the demo
    data = IndicatorFormData.of(indicator) | {"department": Department.objects.get(code="gaj").pk}
    response = manager.post(f"/catalogue/indicators/{indicator.code}/", data)
    assert response.status_code == 200
    assert "待审核" in response.content.decode()
    assert Indicator.objects.get(pk=indicator.pk).department.code == "sfj"


def test_retire_and_restore_through_the_confirmation_page(manager):
    path = "/catalogue/indicators/biz_inhouse_counsel/retire/"
    page = manager.get(path).content.decode()
    assert "请确认" in page and "停用日期" in page
    response = manager.post(path, {"reason": "", "on": "2026-06-30"})
    assert response.status_code == 400 and "请填写停用指标的原因" in response.content.decode()
    assert manager.post(path, {"reason": "不再统计", "on": "2026-06-30"}).status_code == 302
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    assert str(indicator.retired_on) == "2026-06-30"
    row = '<td data-label="代码"><code>biz_inhouse_counsel</code></td>'
    assert row not in manager.get("/catalogue/").content.decode()
    assert row in manager.get("/catalogue/?retired=retired").content.decode()
    assert manager.post(path, {"reason": "恢复"}).status_code == 302
    assert Indicator.objects.get(code="biz_inhouse_counsel").retired_on is None


@pytest.mark.parametrize("on", ["2026/06/30", "2026-02-30"])
def test_a_retirement_date_that_is_no_date_is_refused_keeping_what_was_typed(manager, on):
    path = "/catalogue/indicators/biz_inhouse_counsel/retire/"
    response = manager.post(path, {"reason": "不再统计", "on": on})
    page = response.content.decode()
    assert response.status_code == 400 and "停用日期格式应为 2026-12-31。" in page
    assert "不再统计" in page
    assert Indicator.objects.get(code="biz_inhouse_counsel").retired_on is None


def test_a_retired_indicator_still_referred_to_is_named_in_a_warning(manager, reviewer):
    closed = Indicator.objects.get(code="biz_review_cases_closed")
    received = Indicator.objects.get(code="biz_review_cases_received")
    Indicator.objects.filter(code="biz_review_closure_rate").update(formula="", rollup="none")
    for indicator in (closed, received):
        services.retire_indicator(indicator=indicator, user=reviewer, reason="合并")
    page = manager.get("/catalogue/").content.decode()
    assert "仍被引用" in page
    assert ValidationRule.objects.filter(left=closed).exists()
    assert "校验规则“办结行政复议案件数不应超过受理数”" in page
    assert "讲话稿模板" in page


def test_sections_page_add_rename_reorder_delete(manager):
    response = manager.post("/catalogue/sections/", {"action": "add", "code": "x", "name": "其他"})
    assert response.status_code == 302
    manager.post("/catalogue/sections/", {"action": "rename", "section": "x", "name": "其他工作"})
    assert Section.objects.get(code="x").name == "其他工作"
    manager.post("/catalogue/sections/", {"action": "up", "section": "x"})
    assert Section.objects.get(code="x").order == 4
    assert Section.objects.get(code="edu").order == 5
    manager.post("/catalogue/sections/", {"action": "delete", "section": "x"})
    assert not Section.objects.filter(code="x").exists()


def test_sections_page_refuses_to_delete_a_section_with_indicators(manager):
    response = manager.post("/catalogue/sections/", {"action": "delete", "section": "biz"})
    assert response.status_code == 400
    assert "只能清空后删除" in response.content.decode()
    assert Section.objects.filter(code="biz").exists()


def test_sections_page_shows_a_refused_add_with_what_was_typed(manager):
    response = manager.post(
        "/catalogue/sections/", {"action": "add", "code": "biz", "name": "重复的部分"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "重复的部分" in page and "已存在" in page


def test_departments_page_add_edit_retire_restore(manager):
    assert (
        manager.post(
            "/catalogue/departments/", {"code": "wjw", "name": "区卫健委", "short_name": ""}
        ).status_code
        == 302
    )
    response = manager.post(
        "/catalogue/departments/wjw/",
        {"name": "区卫生健康委", "short_name": "卫健委", "order": "9", "reason": "更名"},
    )
    assert response.status_code == 302
    department = Department.objects.get(code="wjw")
    assert (department.name, department.short_name, department.order) == (
        "区卫生健康委",
        "卫健委",
        9,
    )
    assert manager.post("/catalogue/departments/wjw/retire/", {"reason": "撤并"}).status_code == 302
    assert Department.objects.get(code="wjw").is_retired
    assert manager.post("/catalogue/departments/wjw/retire/", {"reason": ""}).status_code == 302
    assert not Department.objects.get(code="wjw").is_retired


def test_departments_page_refuses_to_retire_an_owner(manager):
    response = manager.post("/catalogue/departments/gaj/retire/", {"reason": "撤并"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "仍负责指标" in page and "组建专职巡逻队的乡镇（街道）" in page


def test_changes_page_shows_old_to_new_with_who_and_reason(manager, reviewer):
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    services.update_indicator(
        indicator=indicator, user=reviewer, unit="名", upper_bound=Decimal(50), reason="统一单位"
    )
    services.update_department(
        department=Department.objects.get(code="gaj"),
        user=reviewer,
        short_name="公安",
        reason="简称",
    )
    page = manager.get("/catalogue/changes/").content.decode()
    assert "单位：人 → 名" in page
    assert "上限：（空） → 50" in page
    assert "统一单位" in page and reviewer.display_name in page
    assert "简称：公安分局 → 公安" in page
    page = manager.get("/catalogue/changes/?kind=department").content.decode()
    assert "统一单位" not in page and "简称：公安分局 → 公安" in page
    page = manager.get("/catalogue/changes/?q=inhouse").content.decode()
    assert "统一单位" in page and "简称：公安分局" not in page
    page = manager.get(f"/catalogue/changes/?user={reviewer.pk}").content.decode()
    assert "统一单位" in page


def test_changes_page_is_paginated(manager, reviewer):
    gaj = Department.objects.get(code="gaj")
    for n in range(35):
        services.update_department(department=gaj, user=reviewer, order=n + 1, reason=f"第{n}次")
    page = manager.get("/catalogue/changes/?kind=department").content.decode()
    assert "下一页" in page and "第34次" in page and "第0次" not in page
    page = manager.get("/catalogue/changes/?kind=department&page=2").content.decode()
    assert "第0次" in page


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_counts_are_bounded(manager, reviewer):
    biz = Section.objects.get(code="biz")
    sfj = Department.objects.get(code="sfj")
    services.create_indicator(user=reviewer, name="甲", section=biz, department=sfj)
    list_before = _queries(manager, "/catalogue/")
    changes_before = _queries(manager, "/catalogue/changes/?kind=indicator")
    for n in range(20):
        indicator = services.create_indicator(
            user=reviewer, name=f"指标{n}", section=biz, department=sfj
        )
        services.update_indicator(indicator=indicator, user=reviewer, unit="件", reason="改")
    assert _queries(manager, "/catalogue/") == list_before
    assert _queries(manager, "/catalogue/changes/?kind=indicator") == changes_before


def test_changes_page_includes_validation_rules(manager, reviewer):
    rule = ValidationRule.objects.get(name="办结行政复议案件数不应超过受理数")
    rule._history_user = reviewer
    rule._change_reason = "改为提示"
    rule.severity = "warning"
    rule.save()
    rule.message = "请核对"
    rule._history_user = reviewer
    rule._change_reason = "补充提示"
    rule.save()
    page = manager.get("/catalogue/changes/?kind=rule").content.decode()
    assert "校验规则：办结行政复议案件数不应超过受理数" in page
    assert "补充提示" in page and "提示：（空） → 请核对" in page


def test_departments_page_refuses_a_code_in_chinese_words_a_clerk_can_follow(manager):
    """Not Django's 输入由字母，数字，下划线或连字符号组成的有效“字段”。 nor 具有 代码 的 部门
    已存在。: what the code may be, or which department has it."""
    for code, words in (
        ("信访", "部门代码“信访”不合格式：只能用小写英文字母、数字和下划线，并以字母开头"),
        ("xfj-1", "部门代码“xfj-1”不合格式"),
        ("sfj", "部门代码“sfj”已存在（部门“区司法局”），请换一个。"),
    ):
        response = manager.post(
            "/catalogue/departments/", {"code": code, "name": "区信访局", "short_name": "信访局"}
        )
        page = response.content.decode()
        assert response.status_code == 400 and words in page, code
        assert "有效“字段”" not in page and "具有 代码" not in page
    assert not Department.objects.filter(name="区信访局").exists()


def test_the_catalogue_shows_a_formula_with_the_indicators_names(client, demo_data):
    from metrics.models import User

    client.force_login(User.objects.get(username="reviewer"))
    page = client.get("/catalogue/").content.decode()
    assert "公式：【办结行政复议案件】 / 【受理行政复议案件】 * 100" in page
    assert "公式：<code>biz_review_cases_closed" not in page
