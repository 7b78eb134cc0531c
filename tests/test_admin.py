"""The admin as its users see it: Chinese throughout, plain numbers, lists that fit."""

from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from metrics.models import Figure, FigureComment, User


@pytest.fixture
def admin_client(client, demo_data):
    assert client.login(username="admin", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def login_records(db):
    """One record of each kind django-axes keeps, so that its lists have rows to show."""
    common = {
        "ip_address": "10.1.2.3",
        "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0",
        "path_info": "/accounts/login/",
        "http_accept": "text/html",
    }
    AccessAttempt.objects.create(
        username="clerk_sfj", failures_since_start=2, get_data="", post_data="", **common
    )
    AccessAttempt.objects.create(
        username="leader", failures_since_start=99, get_data="", post_data="", **common
    )
    AccessFailureLog.objects.create(username="leader", locked_out=True, **common)
    AccessLog.objects.create(username="admin", **common)


def page(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_index_names_the_login_throttling_in_chinese(admin_client):
    html = page(admin_client, reverse("admin:index"))

    assert "登录限制" in html
    for name in ["登录失败记录", "登录失败明细", "登录记录"]:
        assert name in html
    for english in ["Axes", "AXES", "Access attempts", "Access failures", "Access logs"]:
        assert english not in html


def test_login_throttling_lists_speak_chinese(admin_client, login_records):
    html = page(admin_client, reverse("admin:axes_accessattempt_changelist"))

    for text in ["最近失败时间", "用户名", "IP 地址", "失败次数", "已锁定", "还可尝试 3 次"]:
        assert text in html
    for english in ["Attempt Time", "Failed Logins", "Locked Out", "Attempt Remaining", "Path"]:
        assert english not in html

    attempt = AccessAttempt.objects.get(username="clerk_sfj")
    detail = page(admin_client, reverse("admin:axes_accessattempt_change", args=[attempt.pk]))
    assert "表单数据" in detail and "Form Data" not in detail and "Meta Data" not in detail
    assert "clerk_sfj（10.1.2.3）登录失败 2 次" in detail
    assert "Attempted Access" not in detail


def test_renaming_the_login_throttling_needs_no_migration(db):
    call_command("makemigrations", "axes", check=True, dry_run=True, verbosity=0)


def test_figure_list_shows_values_plainly(admin_client):
    figure = Figure.objects.select_related("indicator").get(
        indicator__code="biz_approval_reforms", period__code="2026"
    )
    assert figure.value == 118

    html = page(
        admin_client, reverse("admin:metrics_figure_changelist") + "?q=biz_approval_reforms"
    )

    assert f"118{figure.indicator.unit}" in html
    assert "118.0000" not in html


def test_figure_edit_form_shows_the_value_plainly(admin_client):
    figure = Figure.objects.get(indicator__code="biz_approval_reforms", period__code="2026")
    html = page(admin_client, reverse("admin:metrics_figure_change", args=[figure.pk]))
    assert 'name="value" value="118"' in html and "118.0000" not in html


def test_indicator_list_shows_bounds_plainly(admin_client):
    html = page(admin_client, reverse("admin:metrics_indicator_changelist"))

    assert ".0000" not in html
    assert "（非负整数）" not in html.split('id="changelist-filter"')[0]  # only in the filter


def test_figure_history_reads_plainly(admin_client):
    figure = Figure.objects.get(indicator__code="biz_approval_reforms", period__code="2026")
    figure.value = Decimal("117.5")
    figure.save()

    html = page(admin_client, reverse("admin:metrics_figure_history", args=[figure.pk]))

    assert "117.5" in html and "118" in html
    assert ".0000" not in html
    assert "已审核" in html
    assert ">None<" not in html.replace(" ", "").replace("\n", "")
    for english in ['<th scope="col">value</th>', '<th scope="col">status</th>', "approved"]:
        assert english not in html
    assert "变更内容" in html and '<th scope="col">Changes</th>' not in html


def test_login_throttling_delete_page_is_in_chinese(admin_client, login_records):
    """Django's generic pages name the fields by their verbose names: axes' English ones are
    translated in lawgov/locale."""
    attempt = AccessAttempt.objects.get(username="clerk_sfj")
    html = page(admin_client, reverse("admin:axes_accessattempt_delete", args=[attempt.pk]))
    assert "登录失败记录" in html and "access attempt" not in html.lower()


def test_every_registered_list_opens(admin_client, login_records):
    FigureComment.objects.create(
        figure=Figure.objects.first(),
        author=User.objects.get(username="reviewer"),
        kind="return",
        text="数据与去年相比增幅过大，请核实后重新报送，并在上报说明中写明增长原因。",
    )
    for model in admin.site._registry:
        opts = model._meta
        html = page(admin_client, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert ">ID<" not in html, opts.label

        first = model._default_manager.first()
        if first is not None:
            page(
                admin_client,
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]),
            )


def test_api_docs_name_the_token_page_as_the_portal_shows_it(admin_client):
    from lawgov.api_urls import SCHEMA_SETTINGS

    html = page(admin_client, reverse("accounts:tokens"))
    description = SCHEMA_SETTINGS["DESCRIPTION"]
    assert "我的接口令牌" in html and "“我的接口令牌”页面" in description
    assert reverse("accounts:tokens") in description
    assert "drf_create_token" not in description and "Auth Token" not in description


def test_the_audit_log_is_read_only_in_the_admin_even_for_superusers(admin_client):
    from accounts.models import AccountEvent

    event = AccountEvent.objects.first()  # the demo's accounts were created
    html = page(admin_client, reverse("admin:accounts_accountevent_changelist"))
    assert "账号审计记录" in html and "创建用户" in html
    detail = page(admin_client, reverse("admin:accounts_accountevent_change", args=[event.pk]))
    assert 'name="_save"' not in detail
    delete = admin_client.post(reverse("admin:accounts_accountevent_delete", args=[event.pk]))
    assert delete.status_code == 403
    assert admin_client.get(reverse("admin:accounts_accountevent_add")).status_code == 403
    assert AccountEvent.objects.filter(pk=event.pk).exists()


def test_evidence_and_reminder_lists_can_be_searched_and_filtered(admin_client):
    for name in ("evidence", "notice", "reminder"):
        url = reverse(f"admin:metrics_{name}_changelist")
        html = page(admin_client, url + "?q=司法局")
        assert 'id="searchbar"' in html and 'id="changelist-filter"' in html, name


def test_default_permissions_are_named_in_chinese(admin_client):
    from django.contrib.auth.models import Group, Permission

    assert not Permission.objects.filter(name__startswith="Can ").exists()
    names = dict(
        Permission.objects.filter(content_type__app_label="metrics").values_list("codename", "name")
    )
    assert [names[f"{verb}_department"] for verb in ("add", "change", "delete", "view")] == [
        "可添加部门",
        "可修改部门",
        "可删除部门",
        "可查看部门",
    ]
    assert names["review_figures"] == "审核各部门数据"  # custom permissions keep their names

    # Roles are read-only in the admin (the portal's services write them): a role's page.
    role = Group.objects.create(name="数据更正")
    role.permissions.add(Permission.objects.get(codename="change_figure"))
    html = page(admin_client, reverse("admin:auth_group_change", args=[role.pk]))
    assert "可修改填报数据" in html and "Can change" not in html


def test_a_reviewer_with_staff_status_is_refused_the_admin_and_not_shown_its_link(
    client, demo_data
):
    reviewer = User.objects.get(username="reviewer")
    assert reviewer.is_staff and not reviewer.is_superuser
    client.force_login(reviewer)
    for url in (
        reverse("admin:index"),
        reverse("admin:metrics_validationrule_changelist"),
        reverse("admin:metrics_validationrule_add"),
        reverse("admin:metrics_figure_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "后台管理仅供系统管理员使用" in response.content.decode()
    home = client.get("/").content.decode()
    assert "后台管理" not in home and reverse("admin:index") not in home


def test_a_superuser_is_shown_the_admin_link(admin_client):
    home = admin_client.get("/").content.decode()
    assert "后台管理" in home
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_the_admin_sends_a_visitor_to_the_login_page(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_every_heading_of_the_admins_index_is_chinese(admin_client):
    """The sections, the models and the index table's column headings: no English heading
    (Lawgov, Totp, TOTP devices, Model name …) is left."""
    import re

    from tests.metrics.test_entry_review_views import _visible_text

    text = _visible_text(admin_client.get(reverse("admin:index")).content.decode())
    english = re.findall(r"[A-Za-z][A-Za-z ]{2,}", text)
    assert english == [], english
    assert "账号与安全" in text and "两步验证" in text and "两步验证设备" in text
