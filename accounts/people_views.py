"""The 法制办's pages: 用户管理 (/accounts/users/…), the onboarding import (/accounts/import/)
and the account audit log (/accounts/audit/). Thin: every change goes through
accounts.people, which checks the permission again.

A one-time password is put in one answer only (Cache-Control: no-store) and nowhere else:
not in the session, not in a message, not in a log."""

import base64
import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Role, role_of
from metrics.models import Department, User

from . import access, onboarding, people, people_import
from .models import AccountEvent, Event

IMPORT_SESSION = "lawgov_import_rows"
PER_PAGE = 50


def manager_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not people.can_manage(request.user):
            raise PermissionDenied(people.NOT_ALLOWED)
        return view(request, *args, **kwargs)

    return wrapped


def _message(exc):
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _department(raw):
    raw = str(raw or "").strip()
    return Department.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


def _once(response):
    response["Cache-Control"] = "no-store"
    return response


def _roles():
    return [(role.value, people.ROLE_SHORT[role]) for role in people.MANAGED_ROLES]


# ---------------------------------------------------------------------------------------
# 用户管理


@manager_required
def users(request):
    q, role, active = (request.GET.get(k, "").strip() for k in ("q", "role", "active"))
    rows = people.users(user=request.user, q=q, role=role, active=active)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for row in page:
        row.role_name = people.role_label(row)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/users.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "active": active,
            "roles": [*_roles(), (Role.ADMIN.value, Role.ADMIN.label)],
            "query": query.urlencode(),
        },
    )


@manager_required
def user_new(request):
    values = {"role": Role.CLERK.value}
    error = None
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "")
            for k in ("username", "name", "role", "department", "email", "reason")
        }
        try:
            target, password = people.create_user(
                user=request.user,
                username=values["username"],
                name=values["name"],
                role=values["role"],
                department=_department(values["department"])
                if values["role"] == Role.CLERK
                else None,
                email=values["email"],
                reason=values["reason"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            error = _message(exc)
        else:
            return _password_page(request, target, password, created=True)
    return render(
        request,
        "accounts/user_new.html",
        {
            "values": values,
            "error": error,
            "roles": _roles(),
            "departments": people.departments_open(),
        },
        status=400 if error else 200,
    )


def _password_page(request, target, password, *, created):
    return _once(
        render(
            request,
            "accounts/user_password.html",
            {"target": target, "password": password, "created": created},
        )
    )


def _target(pk):
    return get_object_or_404(User.objects.select_related("department"), pk=pk)


@manager_required
def user_detail(request, pk):
    target = _target(pk)
    role = role_of(target)
    events = AccountEvent.objects.filter(target=target.username)[:20]
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "role": role.value if role else "",
            "role_name": people.role_label(target),
            "roles": _roles(),
            "departments": people.departments_open(),
            "events": events,
            "is_self": target.pk == request.user.pk,
            "version": people.version_of_user(target),
        },
    )


def _act(request, pk, action, success):
    target = _target(pk)
    try:
        action(target)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, success.format(name=target.username))
    return redirect("accounts:user_detail", pk=target.pk)


@manager_required
@require_POST
def user_change(request, pk):
    post = request.POST
    role = post.get("role", "")
    return _act(
        request,
        pk,
        lambda target: people.change_user(
            user=request.user,
            target=target,
            name=post.get("name"),
            email=post.get("email"),
            role=role or None,
            department=_department(post.get("department")) if role == Role.CLERK else None,
            reason=post.get("reason", ""),
            request=request,
            expected_version=post.get("version", ""),
        ),
        "已保存 {name} 的修改。",
    )


@manager_required
@require_POST
def user_move(request, pk):
    return _act(
        request,
        pk,
        lambda target: people.move_user(
            user=request.user,
            target=target,
            department=_department(request.POST.get("department")),
            reason=request.POST.get("reason", ""),
            request=request,
        ),
        "已将 {name} 调整到新的部门。",
    )


@manager_required
@require_POST
def user_deactivate(request, pk):
    return _act(
        request,
        pk,
        lambda target: people.deactivate_user(
            user=request.user, target=target, reason=request.POST.get("reason", ""), request=request
        ),
        "已停用 {name}：该账号不能再登录。",
    )


@manager_required
@require_POST
def user_reactivate(request, pk):
    return _act(
        request,
        pk,
        lambda target: people.reactivate_user(
            user=request.user, target=target, reason=request.POST.get("reason", ""), request=request
        ),
        "已重新启用 {name}。",
    )


@manager_required
@require_POST
def user_reset_password(request, pk):
    target = _target(pk)
    try:
        password = people.reset_password(
            user=request.user, target=target, reason=request.POST.get("reason", ""), request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
        return redirect("accounts:user_detail", pk=target.pk)
    return _password_page(request, target, password, created=False)


# ---------------------------------------------------------------------------------------
# 批量导入


@manager_required
def import_upload(request):
    errors = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["请选择要上传的 .xlsx 文件。"]
        elif upload.size > onboarding.MAX_UPLOAD_BYTES:
            errors = ["文件过大：用户导入表不超过 2 MB。"]
        else:
            try:
                rows = onboarding.read_sheet(upload.read())
            except ValidationError as exc:
                errors = exc.messages
            else:
                plan = onboarding.plan_import(rows)
                errors = plan.errors
                if not errors:
                    # The rows (no password yet) wait in the session for the confirmation.
                    request.session[IMPORT_SESSION] = rows
                    return render(request, "accounts/import_preview.html", {"plan": plan})
    return render(
        request, "accounts/import.html", {"errors": errors}, status=400 if errors else 200
    )


@manager_required
def import_template(request):
    response = HttpResponse(onboarding.template_workbook(), content_type=onboarding.CONTENT_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''user-import-template.xlsx"
    return response


@manager_required
@require_POST
def import_confirm(request):
    rows = request.session.get(IMPORT_SESSION)
    if not rows:
        messages.error(request, "导入已超时或已完成，请重新上传表格。")
        return redirect("accounts:import")
    try:
        done = people_import.import_users(user=request.user, rows=rows, request=request)
    except (ValidationError, PermissionDenied) as exc:
        request.session.pop(IMPORT_SESSION, None)
        errors = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return render(request, "accounts/import.html", {"errors": errors}, status=400)
    request.session.pop(IMPORT_SESSION, None)
    sheet = base64.b64encode(onboarding.passwords_workbook(done.users)).decode()
    return _once(
        render(
            request,
            "accounts/import_done.html",
            {"done": done, "sheet": sheet, "content_type": onboarding.CONTENT_TYPE},
        )
    )


# ---------------------------------------------------------------------------------------
# 账号审计


def _day(raw):
    try:
        return datetime.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


@login_required
def audit(request):
    access.require_view_account_events(request.user)
    get = request.GET
    rows = AccountEvent.objects.all()
    actor, target, event = (get.get(k, "").strip()[:150] for k in ("actor", "target", "event"))
    start, end = _day(get.get("start")), _day(get.get("end"))
    if actor:
        rows = rows.filter(actor__icontains=actor)
    if target:
        rows = rows.filter(target__icontains=target)
    if event in Event.values:
        rows = rows.filter(event=event)
    zone = timezone.get_current_timezone()
    if start:
        rows = rows.filter(at__gte=datetime.datetime.combine(start, datetime.time(), zone))
    if end:
        after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), zone)
        rows = rows.filter(at__lt=after)
    page = Paginator(rows, PER_PAGE).get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "events": Event.choices,
            "filters": {
                "actor": actor,
                "target": target,
                "event": event,
                "start": start.isoformat() if start else "",
                "end": end.isoformat() if end else "",
            },
            "query": query.urlencode(),
        },
    )
