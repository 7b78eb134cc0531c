"""The 法制办 keeps the speech's sections (讲话部分) and the departments: new, renamed, moved,
deleted, retired and restored. The rules every catalogue write follows are in
metrics.services.catalogue."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lawgov.locks import hold, refused_if_taken
from lawgov.versions import require_current

from .. import totals
from ..areas import home_area
from ..models import (
    Area,
    Department,
    Indicator,
    Section,
    UnitKind,
)
from ._common import record
from .catalogue import (
    ALREADY,
    DEPARTMENT_FIELDS,
    DEPARTMENT_IN_USE,
    SECTION_NOT_EMPTY,
    _baseline,
    _full_clean,
    _manager,
    _reason,
    _refuse,
    _required_reason,
    suggest_department_code,
)

# Sections


@transaction.atomic
def create_section(*, user, code: str, name: str, order: int | None = None, reason: str = ""):
    _manager(user)
    hold("sections")  # the code and the next order are read after any create racing this
    if order is None:
        order = (Section.objects.aggregate(m=Max("order"))["m"] or 0) + 1
    section = Section(code=(code or "").strip(), name=(name or "").strip(), order=order)
    _full_clean(section, new_code=True)
    record(section, user=user, reason=_reason(reason, "新增讲话部分"))
    with refused_if_taken(field="code"):
        section.save()
    return section


@transaction.atomic
def rename_section(
    *, section: Section, user, name: str, reason: str = "", expected_version: str | None = None
) -> Section:
    _manager(user)
    section = Section.objects.select_for_update().get(pk=section.pk)
    require_current(section, expected_version, what="该讲话部分", shown={"名称": section.name})
    _baseline(section)
    section.name = (name or "").strip()
    _full_clean(section)
    record(section, user=user, reason=_reason(reason, "修改讲话部分名称"))
    section.save()
    return section


@transaction.atomic
def reorder_sections(*, user, codes: list[str], reason: str = "") -> list[Section]:
    """Put the sections in the order of `codes` (every section, each once) as 1, 2, 3 …:
    first out of the way of the unique order, then into place, in one transaction."""
    _manager(user)
    sections = {s.code: s for s in _locked_sections()}
    codes = list(codes)
    if sorted(codes) != sorted(sections) or len(set(codes)) != len(codes):
        raise ValidationError({"codes": "请按顺序列出全部讲话部分，每个一次。"})
    return _put_in_order(sections, codes, user=user, reason=reason)


def _locked_sections() -> list[Section]:
    """Every section, locked, in the order as it is once the locks are held (PostgreSQL may
    return rows that changed while it waited in the order it read before: sorted again).
    After the sections' own lock, which a create racing a reorder holds as well."""
    hold("sections")
    locked = Section.objects.select_for_update().order_by("order")
    return sorted(locked, key=lambda section: section.order)


def _put_in_order(sections: dict, codes: list[str], *, user, reason: str) -> list[Section]:
    top = max([s.order for s in sections.values()] + [len(codes)])
    # Out of the way without history rows (the final positions get them).
    for offset, code in enumerate(codes, start=1):
        Section.objects.filter(pk=sections[code].pk).update(order=top + offset)
    text = _reason(reason, "调整讲话部分顺序")
    ordered = []
    for position, code in enumerate(codes, start=1):
        section = sections[code]
        changed = section.order != position
        if changed:
            _baseline(section)
        section.order = position
        if changed:
            record(section, user=user, reason=text)
            section.save()
        else:
            Section.objects.filter(pk=section.pk).update(order=position)
        ordered.append(section)
    return ordered


@transaction.atomic
def move_section(*, section: Section, user, up: bool, reason: str = "") -> list[Section]:
    """One place up or down (what the page's arrows do), from the order as it is once the
    sections are locked: two quick clicks (or two reviewers) move it twice, never undo each
    other with an order read before the other's move."""
    _manager(user)
    sections = _locked_sections()
    codes = [s.code for s in sections]
    i = next((n for n, s in enumerate(sections) if s.pk == section.pk), None)
    if i is None:
        raise ValidationError("该讲话部分已被删除。")
    j = i - 1 if up else i + 1
    if 0 <= j < len(codes):
        codes[i], codes[j] = codes[j], codes[i]
    return _put_in_order({s.code: s for s in sections}, codes, user=user, reason=reason)


@transaction.atomic
def delete_section(*, section: Section, user, reason: str = "") -> None:
    _manager(user)
    section = Section.objects.select_for_update().get(pk=section.pk)
    _baseline(section)
    count = Indicator.objects.filter(section=section).count()
    if count:
        _refuse(
            "section",
            f"讲话部分“{section.name}”还有 {count} 项指标，只能清空后删除。",
            SECTION_NOT_EMPTY,
        )
    record(section, user=user, reason=_reason(reason, "删除讲话部分"))
    section.delete()


# ---------------------------------------------------------------------------------------
# Departments


@transaction.atomic
def create_department(
    *,
    user,
    code: str,
    name: str,
    short_name: str = "",
    order: int | None = None,
    reason="",
    area: Area | None = None,
    kind: UnitKind | None = None,
) -> Department:
    _manager(user)
    hold("departments")  # the code, the name and the next order, after any racing write
    if order is None:
        order = (Department.objects.aggregate(m=Max("order"))["m"] or 0) + 1
    code = (code or "").strip() or suggest_department_code(name=name)
    name = (name or "").strip()
    department = Department(
        code=code,
        name=name,
        short_name=(short_name or "").strip(),
        order=order,
        area=area or home_area(),
    )
    # The kind is looked up (or made) by the name, so only a name that passed its checks
    # reaches that query: a NUL in it is an error on PostgreSQL, not a miss.
    _full_clean(department, new_code=True, exclude=["kind"])
    department.kind = kind or kind_for(code=code, department_name=name, area=area)
    record(department, user=user, reason=_reason(reason, "新增部门"))
    with refused_if_taken(field="code"):
        department.save()
    return department


def kind_for(*, code: str, department_name: str, area: Area | None = None) -> UnitKind:
    """The kind a new department is one of: the kind of its name (every district has a
    区司法局) when there is one, else a new kind of that name."""
    area = area or home_area()
    kind = UnitKind.objects.filter(name=department_name).first()
    if kind is not None:
        return kind
    taken = UnitKind.objects.filter(code=code).exists()
    return UnitKind.objects.create(
        code=f"{code}-{area.code}" if taken else code, name=department_name, level=area.level
    )


@transaction.atomic
def update_department(
    *,
    department: Department,
    user,
    reason: str = "",
    expected_version: str | None = None,
    **fields,
) -> Department:
    """Name, short name, order (the code stays: imports and accounts name it); refused when
    the department changed since `expected_version` was read (lawgov.versions)."""
    _manager(user)
    unknown = set(fields) - set(DEPARTMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown department fields: {sorted(unknown)}")
    hold("departments")  # a new name is checked after any racing create or rename
    department = Department.objects.select_for_update().get(pk=department.pk)
    require_current(
        department,
        expected_version,
        what="该部门",
        shown={"名称": department.name, "简称": department.short_name, "排序": department.order},
    )
    _baseline(department)
    for name, value in fields.items():
        setattr(department, name, value.strip() if isinstance(value, str) else value)
    _full_clean(department)
    record(department, user=user, reason=_reason(reason, "修改部门"))
    with refused_if_taken(field="name"):
        department.save()
    return department


@transaction.atomic
def retire_department(*, department: Department, user, reason: str) -> Department:
    _manager(user)
    text = _required_reason(reason, "停用部门")
    department = Department.objects.select_for_update().get(pk=department.pk)
    _baseline(department)
    if department.is_retired:
        _refuse("department", f"“{department.name}”已停用。", ALREADY)
    owned = list(
        Indicator.objects.filter(department=department, retired_on__isnull=True).order_by(
            "section__order", "order", "code"
        )
    )
    if owned:
        names = "、".join(f"“{i.name}”（{i.code}）" for i in owned[:10])
        more = f"等 {len(owned)} 项" if len(owned) > 10 else ""
        _refuse(
            "department",
            f"“{department.name}”仍负责指标{names}{more}：请先停用这些指标或更换填报部门。",
            DEPARTMENT_IN_USE,
        )
    department.retired_at = timezone.now()
    record(department, user=user, reason=f"停用：{text}")
    department.save()
    totals.invalidate()  # it is no longer due in the periods after today
    return department


@transaction.atomic
def restore_department(*, department: Department, user, reason: str = "") -> Department:
    _manager(user)
    department = Department.objects.select_for_update().get(pk=department.pk)
    _baseline(department)
    if not department.is_retired:
        _refuse("department", f"“{department.name}”未停用。", ALREADY)
    department.retired_at = None
    record(department, user=user, reason=f"恢复：{_reason(reason, '恢复部门')}")
    department.save()
    totals.invalidate()  # due again
    return department
