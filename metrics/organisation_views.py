"""指标管理: the speech's sections (讲话部分) and the departments, their edit pages and a
department's retirement. Thin views, writing only through metrics.services.catalogue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lawgov.versions import version_of

from . import services
from .catalogue_forms import DepartmentForm, SectionForm, refuse
from .catalogue_pages import confirmed, first_message, require_manager
from .models import (
    Department,
    Section,
)

# ---------------------------------------------------------------------------------------
# Sections


@login_required
@require_http_methods(["GET", "POST"])
def sections(request):
    require_manager(request)
    form = SectionForm()
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                form = SectionForm(request.POST)
                if form.is_valid():
                    try:
                        services.create_section(user=request.user, **form.cleaned_data)
                    except ValidationError as exc:
                        refuse(form, exc)
                    else:
                        messages.success(request, f"已新增讲话部分“{form.cleaned_data['name']}”。")
                        return redirect("catalogue_sections")
            else:
                section = get_object_or_404(Section, code=request.POST.get("section", ""))
                if action == "rename":
                    services.rename_section(
                        section=section,
                        user=request.user,
                        name=request.POST.get("name", ""),
                        expected_version=request.POST.get("version", ""),
                    )
                    messages.success(request, "已修改讲话部分名称。")
                elif action in ("up", "down"):
                    services.move_section(section=section, user=request.user, up=action == "up")
                    messages.success(request, "已调整讲话部分顺序。")
                elif action == "delete":
                    services.delete_section(section=section, user=request.user)
                    messages.success(request, f"已删除讲话部分“{section.name}”。")
                return redirect("catalogue_sections")
        except ValidationError as exc:
            error = first_message(exc)
    rows = list(Section.objects.annotate(indicator_count=Count("indicators")).order_by("order"))
    for row in rows:
        row.version = version_of(row)
    return render(
        request,
        "metrics/catalogue/sections.html",
        {"sections": rows, "form": form, "error": error},
        status=400 if error or form.errors else 200,
    )


# ---------------------------------------------------------------------------------------
# Departments


@login_required
@require_http_methods(["GET", "POST"])
def departments(request):
    require_manager(request)
    form = DepartmentForm()
    if request.method == "POST":
        form = DepartmentForm(request.POST)
        if form.is_valid():
            try:
                data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
                department = services.create_department(user=request.user, **data)
            except ValidationError as exc:
                refuse(form, exc)
            else:
                messages.success(request, f"已新增部门“{department.name}”。")
                return redirect("catalogue_departments")
    rows = Department.objects.annotate(
        indicator_count=Count("indicators", filter=Q(indicators__retired_on__isnull=True))
    ).order_by("order", "code")
    return render(
        request,
        "metrics/catalogue/departments.html",
        {"departments": list(rows), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, code):
    require_manager(request)
    department = get_object_or_404(Department, code=code)
    initial = {
        "code": department.code,
        "name": department.name,
        "short_name": department.short_name,
        "order": department.order,
        "version": version_of(department),
    }
    if request.method == "GET":
        form = DepartmentForm(initial=initial, editing=True)
    else:
        form = DepartmentForm(request.POST, initial=initial, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_department(
                    department=department,
                    user=request.user,
                    name=data["name"],
                    short_name=data["short_name"],
                    order=data["order"] or 0,
                    reason=data["reason"],
                    expected_version=data["version"],
                )
            except ValidationError as exc:
                refuse(form, exc)
            else:
                messages.success(request, f"已保存部门“{data['name']}”。")
                return redirect("catalogue_departments")
    return render(
        request,
        "metrics/catalogue/department_form.html",
        {"form": form, "department": department},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_retire(request, code):
    require_manager(request)
    department = get_object_or_404(Department, code=code)
    restoring = department.is_retired
    verb = "恢复" if restoring else "停用"
    page = {
        "title": f"{verb}部门“{department.name}”",
        "consequence": (
            "恢复后可再为该部门设置填报指标。"
            if restoring
            else "停用后该部门不能再负责指标；以往的数据和讲话稿不变。"
        ),
        "action": reverse("catalogue_department_retire", args=[department.code]),
        "back": reverse("catalogue_departments"),
        "reason_required": not restoring,
    }
    act = services.restore_department if restoring else services.retire_department
    return confirmed(
        request,
        page,
        lambda reason: act(department=department, user=request.user, reason=reason),
        done=f"已{verb}部门“{department.name}”。",
        to="catalogue_departments",
    )
