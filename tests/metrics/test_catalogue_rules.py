"""校验规则 on the 指标管理 pages, as the 法制办 keeps them now that the admin is for superusers
only: the list, adding one (computed indicators selectable), changing it, deactivating and
activating it, each with its history row; refusals in Chinese with what was typed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrics import services
from metrics.models import Indicator, ValidationRule
from metrics.selectors import active_rules

EXISTING = "办结行政复议案件数不应超过受理数"


@pytest.fixture
def manager(client, reviewer):
    client.force_login(reviewer)
    return client


def _pk(code):
    return Indicator.objects.get(code=code).pk


def rule_post(**overrides):
    data = {
        "name": "外聘法律顾问合计不少于专业律师",
        "left": _pk("biz_external_counsel_total"),
        "operator": ">=",
        "right": _pk("biz_external_lawyers"),
        "severity": "warning",
        "message": "请核对外聘法律顾问人数",
        "reason": "新增核对口径",
    }
    data.update(overrides)
    return data


def test_the_catalogue_tabs_link_to_the_rules_page(manager):
    page = manager.get("/catalogue/").content.decode()
    assert 'href="/catalogue/rules/"' in page and "校验规则" in page


def test_the_rules_page_lists_the_rules_in_words(manager):
    page = manager.get("/catalogue/rules/").content.decode()
    assert EXISTING in page and "办结行政复议案件 ≤ 受理行政复议案件" in page


def test_adding_a_rule_over_a_computed_indicator(manager, reviewer):
    form = manager.get("/catalogue/rules/").content.decode()
    assert "外聘法律顾问中的法学专家和专业律师合计（计算）（biz_external_counsel_total）" in form
    response = manager.post("/catalogue/rules/", rule_post())
    assert response.status_code == 302 and response["Location"] == "/catalogue/rules/"
    rule = ValidationRule.objects.get(name="外聘法律顾问合计不少于专业律师")
    assert (rule.left.code, rule.operator, rule.right.code) == (
        "biz_external_counsel_total",
        ">=",
        "biz_external_lawyers",
    )
    assert rule.severity == "warning" and rule.active
    record = rule.history.first()
    assert record.history_user == reviewer and record.history_change_reason == "新增核对口径"
    page = manager.get(response["Location"]).content.decode()
    assert "已新增校验规则" in page and "外聘法律顾问合计不少于专业律师" in page


def test_a_rule_comparing_an_indicator_with_itself_is_refused_with_what_was_typed(manager):
    same = _pk("biz_external_lawyers")
    response = manager.post("/catalogue/rules/", rule_post(left=same, right=same))
    assert response.status_code == 400
    html = response.content.decode()
    assert "比较的两项指标不能是同一个指标" in html and "外聘法律顾问合计不少于专业律师" in html
    assert not ValidationRule.objects.filter(name="外聘法律顾问合计不少于专业律师").exists()


def test_changing_a_rule_leaves_its_history(manager, reviewer):
    rule = ValidationRule.objects.get(name=EXISTING)
    page = manager.get(f"/catalogue/rules/{rule.pk}/").content.decode()
    assert f'value="{EXISTING}"' in page
    response = manager.post(
        f"/catalogue/rules/{rule.pk}/",
        {
            "name": EXISTING,
            "left": rule.left_id,
            "operator": "<=",
            "right": rule.right_id,
            "severity": "warning",
            "message": "办结数大于受理数，请说明",
            "reason": "改为提示",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.severity == "warning" and rule.message == "办结数大于受理数，请说明"
    assert rule.history.first().history_change_reason == "改为提示"
    assert rule.history.first().history_user == reviewer
    changes = manager.get("/catalogue/changes/?kind=rule").content.decode()
    assert "改为提示" in changes


def test_deactivating_a_rule_stops_the_check_and_it_can_be_activated_again(manager):
    rule = ValidationRule.objects.get(name=EXISTING)
    confirm = manager.get(f"/catalogue/rules/{rule.pk}/deactivate/").content.decode()
    assert "停用校验规则" in confirm
    response = manager.post(f"/catalogue/rules/{rule.pk}/deactivate/", {"reason": "口径调整"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.active and rule not in active_rules()
    assert rule.history.first().history_change_reason == "停用：口径调整"
    assert "已停用" in manager.get("/catalogue/rules/").content.decode()
    assert manager.post(f"/catalogue/rules/{rule.pk}/deactivate/", {}).status_code == 302
    rule.refresh_from_db()
    assert rule.active
    assert rule in active_rules()


def test_the_services_want_a_user_with_the_permission(clerk, reviewer, db):
    fields = {
        "name": "甲",
        "left": "biz_external_lawyers",
        "operator": "<=",
        "right": "biz_external_counsel_total",
    }
    with pytest.raises(TypeError):
        services.create_rule(**fields)
    with pytest.raises(PermissionDenied):
        services.create_rule(user=clerk, **fields)
    rule = services.create_rule(user=reviewer, **fields)
    with pytest.raises(ValidationError, match="已停用"):
        services.deactivate_rule(
            rule=services.deactivate_rule(rule=rule, user=reviewer), user=reviewer
        )
