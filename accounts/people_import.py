"""The first onboarding from a sheet (accounts.onboarding reads and plans it): the new
departments through the catalogue's own service and the accounts, all or nothing, each with
its audit record, under the same rules as accounts.people."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.roles import Role
from metrics.models import Department
from metrics.services import create_department

from .audit import record_event, recorded_by_service
from .models import Event
from .onboarding import plan_import
from .people import ROLE_SHORT, _because, _department_name, _new_user, _require_manager


def _create_department(*, user, code, name, short_name="", order=None, reason="", request=None):
    """A new department through the catalogue's own service (the same checks and history as
    指标管理's 新增部门), with the account audit naming the import."""

    department = create_department(
        user=user,
        code=code,
        name=name,
        short_name=short_name or "",
        order=order,
        reason=reason or "创建部门",
    )
    record_event(
        Event.DEPARTMENT_CREATED,
        actor=user,
        target=f"部门 {name}（{code}）",
        detail=f"简称：{short_name or '无'}{_because(reason)}",
        request=request,
    )
    return department


@dataclass
class Imported:
    departments: list = field(default_factory=list)
    users: list = field(default_factory=list)  # (user, one-time password)


@transaction.atomic
def import_users(*, user, rows, reason="批量导入", request=None) -> Imported:
    """The whole sheet or nothing: `rows` as accounts.onboarding.read_sheet gives
    them, checked again here against the database (someone may have added a user since the
    preview); any problem raises a ValidationError naming every bad row."""

    _require_manager(user)
    plan = plan_import(rows)
    if plan.errors:
        raise ValidationError(plan.errors)
    done = Imported()
    by_code = {d.code: d for d in Department.objects.filter(code__in=plan.department_codes)}
    for new in plan.new_departments:
        by_code[new.code] = _create_department(
            user=user,
            code=new.code,
            name=new.name,
            short_name=new.short_name,
            reason=reason,
            request=request,
        )
        done.departments.append(by_code[new.code])
    for row in plan.users:
        department = by_code[row.department_code] if row.role == Role.CLERK else None
        with recorded_by_service():
            target, password = _new_user(
                username=row.username,
                name=row.name,
                role=row.role,
                department=department,
                email=row.email,
            )
        record_event(
            Event.USER_IMPORTED,
            actor=user,
            target=target,
            detail=f"第 {row.line} 行；姓名：{row.name}；角色：{ROLE_SHORT[row.role]}；"
            f"部门：{_department_name(department)}{_because(reason)}",
            request=request,
        )
        done.users.append((target, password))
    return done
