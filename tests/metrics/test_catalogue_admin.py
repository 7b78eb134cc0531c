"""The admin's catalogue screens share the portal's rules: they write through the catalogue
services, so a frozen code, a bad formula or a non-empty section is refused there too."""

import pytest
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from metrics.models import Department, Indicator, Section


@pytest.fixture
def admin_client(client, demo_data):
    assert client.login(username="admin", password=DEMO_PASSWORD)
    return client


def admin_form(indicator, **overrides):
    data = {
        "code": indicator.code,
        "name": indicator.name,
        "section": indicator.section_id,
        "unit": indicator.unit,
        "value_type": indicator.value_type,
        "department": indicator.department_id,
        "lower_bound": "",
        "upper_bound": "",
        "help_text": indicator.help_text,
        "order": indicator.order,
        "formula": indicator.formula,
        "decimal_places": indicator.decimal_places,
        "retired_on": "",
        "headline_order": indicator.headline_order or "",
    }
    data.update(overrides)
    return data


def test_admin_edit_goes_through_the_service_and_leaves_history(admin_client):
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    url = reverse("admin:metrics_indicator_change", args=[indicator.pk])
    response = admin_client.post(url, admin_form(indicator, unit="名"))
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator.refresh_from_db()
    assert indicator.unit == "名"
    latest = indicator.history.latest()
    assert latest.history_change_reason == "后台管理修改"
    assert latest.history_user.username == "admin"


def test_admin_refuses_a_frozen_code_and_a_bad_formula(admin_client):
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    url = reverse("admin:metrics_indicator_change", args=[indicator.pk])
    response = admin_client.post(url, admin_form(indicator, code="biz_other"))
    assert response.status_code == 200
    assert "指标代码已被引用" in response.content.decode()
    assert Indicator.objects.filter(code="biz_inhouse_counsel").exists()
    rate = Indicator.objects.get(code="biz_review_closure_rate")
    url = reverse("admin:metrics_indicator_change", args=[rate.pk])
    response = admin_client.post(url, admin_form(rate, formula="biz_nope + 1"))
    assert response.status_code == 200
    assert "不存在的指标代码" in response.content.decode()


def test_admin_retires_through_the_service(admin_client):
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    url = reverse("admin:metrics_indicator_change", args=[indicator.pk])
    response = admin_client.post(url, admin_form(indicator, retired_on="2026-06-30"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert str(indicator.retired_on) == "2026-06-30"
    assert indicator.history.latest().history_change_reason.startswith("停用")


def test_admin_refuses_to_delete_a_section_with_indicators(admin_client):
    section = Section.objects.get(code="biz")
    url = reverse("admin:metrics_section_delete", args=[section.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code in (200, 403)
    assert Section.objects.filter(code="biz").exists()


def test_admin_department_retire_refused_while_owning(admin_client):
    department = Department.objects.get(code="gaj")
    url = reverse("admin:metrics_department_change", args=[department.pk])
    data = {
        "name": department.name,
        "short_name": department.short_name,
        "order": department.order,
        "retired_at_0": "2026-12-01",
        "retired_at_1": "10:00:00",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "仍负责指标" in response.content.decode()
    assert not Department.objects.get(code="gaj").is_retired
