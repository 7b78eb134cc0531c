"""Every write in the admin goes through a service. Each page registered on the portal's admin
site is either read-only for a superuser (no add, change or delete) or names in
`service_writes` the services its save_model / delete_model call; and saving or deleting
through such a page leaves that service's trace (a history row with a reason, a line in the
figure's thread, an account audit row)."""

from importlib import import_module

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AccountEvent, Event
from metrics import services
from metrics.models import Department, Evidence, Figure, Indicator, Section, User
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The pages that write, each with its behaviour test below.
WRITING_PAGES = {
    "metrics.Department": "test_a_department_added_in_the_admin_has_its_history_row",
    "metrics.Section": "test_a_section_added_and_deleted_in_the_admin_leaves_history_rows",
    "metrics.Indicator": "test_an_indicator_changed_in_the_admin_has_its_reason",
    "metrics.Figure": "test_a_figure_corrected_in_the_admin_has_its_reason_and_corrector",
    "metrics.Evidence": "test_evidence_deleted_in_the_admin_goes_with_its_file_and_is_recorded",
    "axes.AccessAttempt": "test_deleting_a_failure_record_in_the_admin_is_an_audited_unlock",
    "otp_totp.TOTPDevice": "test_removing_an_authenticator_in_the_admin_is_audited",
}


@pytest.fixture
def superuser(db):
    return factories.UserFactory(role="admin", username="root")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _permissions(model_admin, request) -> dict[str, bool]:
    return {
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_change_permission(request, None),
        "delete": model_admin.has_delete_permission(request, None),
    }


def _overrides(model_admin, name: str) -> bool:
    return getattr(type(model_admin), name) is not getattr(ModelAdmin, name)


def test_every_admin_page_is_read_only_or_writes_through_its_services(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    writing = set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        may = _permissions(model_admin, request)
        if hasattr(model_admin, "revert_disabled"):  # a history page's 恢复 writes the old row
            assert model_admin.revert_disabled(request), label
        if not any(may.values()):
            continue
        writing.add(label)
        named = getattr(model_admin, "service_writes", ())
        assert named, f"{label} writes in the admin but names no service"
        for path in named:
            module, name = path.rsplit(".", 1)
            assert callable(getattr(import_module(module), name)), path
        if may["add"] or may["change"]:
            assert _overrides(model_admin, "save_model"), label
        if may["delete"]:
            assert _overrides(model_admin, "delete_model"), label
            assert _overrides(model_admin, "delete_queryset"), label  # 删除所选 in the list
    assert writing == set(WRITING_PAGES)
    assert all(name in globals() for name in WRITING_PAGES.values())


def test_a_read_only_page_refuses_a_superusers_post(admin_client):
    department = factories.DepartmentFactory()
    notice_add = admin_client.post(
        reverse("admin:metrics_notice_add"), {"title": "通知", "department": department.pk}
    )
    assert notice_add.status_code == 403
    user_change = admin_client.post(
        reverse("admin:metrics_user_change", args=[factories.UserFactory().pk]),
        {"username": "renamed"},
    )
    assert user_change.status_code == 403
    assert not User.objects.filter(username="renamed").exists()


def test_a_department_added_in_the_admin_has_its_history_row(admin_client):
    response = admin_client.post(
        reverse("admin:metrics_department_add"),
        {"code": "xzfwj", "name": "区行政服务局", "short_name": "行政服务局", "order": 60},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = Department.objects.get(code="xzfwj").history.latest()
    assert (record.history_user.username, record.history_change_reason) == ("root", "后台管理新增")


def test_a_section_added_and_deleted_in_the_admin_leaves_history_rows(admin_client):
    added = admin_client.post(
        reverse("admin:metrics_section_add"), {"code": "extra", "name": "其他工作", "order": 9}
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    section = Section.objects.get(code="extra")
    deleted = admin_client.post(
        reverse("admin:metrics_section_delete", args=[section.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert not Section.objects.filter(code="extra").exists()
    gone = Section.history.filter(code="extra").latest()
    assert gone.history_type == "-" and gone.history_user.username == "root"


def test_an_indicator_changed_in_the_admin_has_its_reason(admin_client):
    from tests.metrics.test_catalogue_admin import admin_form

    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    response = admin_client.post(
        reverse("admin:metrics_indicator_change", args=[indicator.pk]),
        admin_form(indicator, unit="名"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = indicator.history.latest()
    assert (latest.history_user.username, latest.history_change_reason) == ("root", "后台管理修改")


def test_a_figure_corrected_in_the_admin_has_its_reason_and_corrector(admin_client, period):
    indicator = Indicator.objects.get(code="biz_review_cases_received")
    figure = factories.FigureFactory(indicator=indicator, period=period, value=10)
    response = admin_client.post(
        reverse("admin:metrics_figure_change", args=[figure.pk]),
        {"value": "12", "remark": "", "reason": "台账复核", "loaded_version": figure.version},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure.refresh_from_db()
    assert figure.value == 12 and figure.updated_by.username == "root"
    assert "台账复核" in figure.history.latest().history_change_reason


def test_evidence_deleted_in_the_admin_goes_with_its_file_and_is_recorded(
    admin_client, period, clerk, media, django_capture_on_commit_callbacks
):
    indicator = Indicator.objects.get(code="biz_review_cases_received")
    item = services.add_evidence(
        indicator=indicator, period=period, user=clerk, upload=SimpleUploadedFile("台账.pdf", PDF)
    )
    path = media / item.file.name
    assert path.exists()
    url = reverse("admin:metrics_evidence_delete", args=[item.pk])
    assert 'name="reason"' in admin_client.get(url).content.decode()
    # Even in a locked period: the file is wrong or sensitive, the figure stays as it is.
    services.lock_period(period=period, user=factories.UserFactory(role="reviewer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes", "reason": "误传了内部文件"})
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=item.pk).exists() and not path.exists()
    figure = Figure.objects.get(indicator=indicator, period=period)
    last = figure.comments.order_by("-id").first()
    assert (last.text, last.author.username) == ("删除：台账.pdf（误传了内部文件）", "root")


def test_evidence_is_not_deleted_in_the_admin_without_a_reason(admin_client, period, clerk, media):
    indicator = Indicator.objects.get(code="biz_review_cases_received")
    item = services.add_evidence(
        indicator=indicator, period=period, user=clerk, upload=SimpleUploadedFile("台账.pdf", PDF)
    )
    response = admin_client.post(
        reverse("admin:metrics_evidence_delete", args=[item.pk]), {"post": "yes", "reason": " "}
    )
    assert response.status_code == 403 and "请填写删除原因" in response.content.decode()
    assert Evidence.objects.filter(pk=item.pk).exists() and (media / item.file.name).exists()


def test_the_service_removing_evidence_keeps_clerks_out(period, clerk, media):
    indicator = Indicator.objects.get(code="biz_review_cases_received")
    item = services.add_evidence(
        indicator=indicator, period=period, user=clerk, upload=SimpleUploadedFile("台账.pdf", PDF)
    )
    with pytest.raises(PermissionDenied):
        services.remove_evidence(item=item, user=clerk, reason="不需要了")
    assert Evidence.objects.filter(pk=item.pk).exists()


def test_deleting_a_failure_record_in_the_admin_is_an_audited_unlock(admin_client):
    attempt = AccessAttempt.objects.create(
        username="clerk_sfj",
        ip_address="10.0.0.7",
        user_agent="测试浏览器",
        path_info="/login/",
        http_accept="*/*",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    response = admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk_sfj").exists()
    event = AccountEvent.objects.get(event=Event.UNLOCKED)
    assert (event.actor, event.target) == ("root", "用户名 clerk_sfj")


def test_removing_an_authenticator_in_the_admin_is_audited(admin_client, clerk):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=clerk, name="手机", confirmed=True)
    response = admin_client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    event = AccountEvent.objects.get(event=Event.OTP_REMOVED)
    assert (event.actor, event.target) == ("root", clerk.username)
