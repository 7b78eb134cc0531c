"""The area tree's changes: a new area, an area closed (a township merged or moved), and the
installation's root district joining a city's tree.

An area's parent never changes once set (metrics.models.areas.Area): a township that moves to
another district is closed and a new one opened under the other district, so that its unit
and the figures it reported stay where they were reported and a past period rolls up as it
was. The one exception is the root: an installation made for one district (migration 0018)
joins a city by `attach_root_under`, the only write that changes paths.

Who may: whoever holds `metrics.manage_areas` (管理行政区域) — the administrator (a superuser
holds every permission) or the account the city's 法制办 is given it on — within the subtree
they work for (metrics.access.scope_of); a new root and the attaching of the root only with
the whole installation in scope (no area of their own). No role has it by default: a district
reviewer does not redraw the tree.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from lawgov.locks import hold, refused_if_taken

from .. import access, totals
from ..areas import is_within, subtree
from ..models import AREA_CODE_MESSAGE, LEVEL_DEPTH, Area, AreaLevel, User, validate_area_code
from ..system import SystemAccount
from ..texts import REASON, clean_text
from ._common import record
from .catalogue import BASELINE_REASON

AREAS_LOCK = "areas"
PATH_MAX_LENGTH = Area._meta.get_field("path").max_length

NOT_ALLOWED = "只有系统管理员或上级法制办（行政区域管理员）可以调整行政区域。"
OUTSIDE_SCOPE = "只能调整本级所辖范围内的行政区域。"
WHOLE_INSTALLATION = "只有管理全部行政区域的管理员可以新增顶级区域或调整顶级区域的上级。"


def _day(value: datetime.date) -> str:
    return f"{value:%Y-%m-%d}"


def _refuse(field: str, message: str, code: str):
    raise ValidationError({field: ValidationError(message, code=code)})


def _holds_permission(user) -> bool:
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    return user.is_authenticated and user.is_active and user.has_perm("metrics.manage_areas")


def can_manage_areas(user, area: Area | None = None) -> bool:
    """Whether `user` may change the tree at or below `area` (None: the whole installation,
    i.e. a new root or the root's parent). Belongs in metrics.access once merged."""
    if not _holds_permission(user):
        return False
    if user.is_superuser or user.area_id is None:
        return True
    return area is not None and is_within(area, user.area)


def _manager(user, area: Area | None) -> None:
    access.require(_holds_permission(user), NOT_ALLOWED)
    access.require(can_manage_areas(user, area), OUTSIDE_SCOPE if area else WHOLE_INSTALLATION)


def _required_reason(raw, what: str) -> str:
    reason = clean_text(raw, kind=REASON)
    if not reason:
        _refuse("reason", f"请填写{what}的原因。", "reason_required")
    return reason


def _level_below(level: str, parent: Area, *, field: str = "level") -> None:
    if LEVEL_DEPTH[AreaLevel(level)] <= parent.depth:
        _refuse(
            field,
            f"下级区域的层级必须低于上级区域（“{parent.name}”为{parent.get_level_display()}）。",
            "level_not_below_parent",
        )


def _open_on(parent: Area, day: datetime.date, *, field: str) -> None:
    if day < parent.valid_from:
        _refuse(
            field,
            f"生效日期不能早于上级区域“{parent.name}”的生效日期（{_day(parent.valid_from)}）。",
            "before_parent",
        )
    if parent.valid_to is not None and parent.valid_to < day:
        _refuse(
            "parent",
            f"上级区域“{parent.name}”已于 {_day(parent.valid_to)} 撤销，不能在其下新增区域。",
            "parent_closed",
        )


def _check_new_area(area: Area, *, parent: Area | None) -> None:
    """Code, level and dates of a new area, each by field in Chinese."""
    try:
        validate_area_code(area.code)
    except ValidationError:
        _refuse("code", AREA_CODE_MESSAGE, "invalid_area_code")
    if area.level not in AreaLevel.values:
        _refuse("level", "请选择区域层级（省、市、区（县）或乡镇（街道））。", "invalid_level")
    if not area.name:
        _refuse("name", "请填写区域名称。", "name_required")
    taken = Area.objects.filter(code=area.code).first()
    if taken is not None:
        _refuse("code", f"区域代码“{area.code}”已被“{taken.name}”使用。", "duplicate_area_code")
    if parent is not None:
        _level_below(area.level, parent)
        _open_on(parent, area.valid_from, field="valid_from")
        return
    higher_than = LEVEL_DEPTH[AreaLevel(area.level)]
    for root in Area.objects.filter(parent__isnull=True):
        if root.depth <= higher_than:
            _refuse(
                "level",
                f"新的顶级区域须高于现有顶级区域“{root.name}”（{root.get_level_display()}），"
                "以便将其归入。",
                "root_level",
            )


@transaction.atomic
def create_area(
    *,
    user,
    code: str,
    name: str,
    level: str,
    parent: Area | None,
    short_name: str = "",
    valid_from: datetime.date | None = None,
    order: int = 0,
    reason: str,
) -> Area:
    """A new area under `parent` (None: a new root, a city for the installation's district to
    join), valid from `valid_from` (today unless given)."""
    _manager(user, parent)
    text = _required_reason(reason, "新增区域")
    hold(AREAS_LOCK)
    if parent is not None:
        parent = Area.objects.select_for_update().get(pk=parent.pk)
    area = Area(
        code=(code or "").strip(),
        name=(name or "").strip(),
        short_name=(short_name or "").strip(),
        level=level,
        parent=parent,
        order=order,
        valid_from=valid_from or timezone.localdate(),
    )
    _check_new_area(area, parent=parent)
    area.path = f"{parent.path if parent else '/'}{area.code}/"
    if len(area.path) > PATH_MAX_LENGTH:
        _refuse("parent", "区域层级过深，路径超出长度限制。", "path_too_long")
    area.full_clean(exclude=["path"], validate_unique=False)
    record(area, user=user, reason=text)
    with refused_if_taken(field="code"):
        area.save()
    return area


@transaction.atomic
def close_area(*, user, area: Area, valid_to: datetime.date, reason: str) -> Area:
    """Close `area` on `valid_to` (its last day): a township merged into another or moved to
    another district (open the new one with create_area). Its units and every figure they
    reported stay as they are, under the area's path."""
    _manager(user, area)
    text = _required_reason(reason, "撤销区域")
    hold(AREAS_LOCK)
    area = Area.objects.select_for_update().get(pk=area.pk)
    if area.parent_id is None:
        _refuse("area", "不能撤销本系统的顶级区域。", "root_area")
    if user.area_id is not None and user.area_id == area.pk:
        access.require(False, OUTSIDE_SCOPE)
    if area.valid_to is not None:
        _refuse("valid_to", f"“{area.name}”已于 {_day(area.valid_to)} 撤销。", "already_closed")
    if valid_to < area.valid_from:
        _refuse(
            "valid_to",
            f"撤销日期不能早于“{area.name}”的生效日期（{_day(area.valid_from)}）。",
            "closed_before_opened",
        )
    still_open = [
        child.name for child in area.children.exclude(valid_to__lte=valid_to).order_by("path")
    ]
    if still_open:
        _refuse(
            "area",
            f"“{area.name}”下仍有未撤销的下级区域：{'、'.join(still_open)}，请先撤销。",
            "children_open",
        )
    area.valid_to = valid_to
    record(area, user=user, reason=text)
    area.save()
    totals.invalidate()  # its units' figures no longer count in the periods after it
    return area


def _check_attach(root: Area, parent: Area) -> None:
    if root.parent_id is not None:
        _refuse(
            "root",
            f"“{root.name}”已有上级区域“{root.parent.name}”：区域的上级一经设定不再改变。",
            "not_a_root",
        )
    if is_within(parent, root):
        _refuse("parent", "不能将区域归入其自身或其下级区域。", "cycle")
    _level_below(root.level, parent, field="parent")
    if parent.valid_to is not None:
        _refuse(
            "parent",
            f"上级区域“{parent.name}”已于 {_day(parent.valid_to)} 撤销，不能归入。",
            "parent_closed",
        )


def _baseline(areas: list[Area]) -> None:
    """Areas a migration made have no history yet: record their state before the change, so
    that the history shows the old path beside the new."""
    recorded = set(Area.history.filter(id__in=[a.pk for a in areas]).values_list("id", flat=True))
    missing = [a for a in areas if a.pk not in recorded]
    if missing:
        Area.history.bulk_history_create(missing, default_change_reason=BASELINE_REASON)


def _pin_officials(root: Area) -> int:
    """People who saw the whole installation keep seeing the district they saw: every account
    with no area and no unit, but the administrators and the system accounts (the scheduler
    and the command line act for the whole installation)."""
    return (
        User.objects.filter(area__isnull=True, is_superuser=False, department__isnull=True)
        .exclude(username__in=SystemAccount.values)
        .update(area=root)
    )


@transaction.atomic
def attach_root_under(*, user, root: Area, parent: Area, reason: str) -> Area:
    """The installation's root (one district) joins a city's tree under `parent`: the one
    change of a parent, so every path in the root's subtree gains the parent's path as its
    prefix, in one transaction, each area's history naming the user and the reason. Units
    and figures are untouched. Officials who saw the whole installation (no area of their
    own, no unit; not administrators nor system accounts) keep seeing the district they saw:
    their area is set to the old root. Returns the root as it now is."""
    _manager(user, None)
    text = _required_reason(reason, "调整区域归属")
    hold(AREAS_LOCK)
    locked = {a.pk: a for a in Area.objects.select_for_update().filter(pk__in=[root.pk, parent.pk])}
    root, parent = locked[root.pk], locked[parent.pk]
    _check_attach(root, parent)
    old_prefix = root.path
    new_prefix = f"{parent.path}{root.code}/"
    areas = list(subtree(root).select_for_update().order_by("path"))
    _baseline(areas)
    for area in areas:
        area.path = new_prefix + area.path[len(old_prefix) :]
        if len(area.path) > PATH_MAX_LENGTH:
            _refuse("parent", "区域层级过深，路径超出长度限制。", "path_too_long")
        if area.pk == root.pk:
            area.parent = parent
    _pin_officials(root)
    bulk_update_with_history(
        areas, Area, ["parent", "path"], default_user=user, default_change_reason=text
    )
    totals.invalidate()  # the subtree's totals now count under the parent too
    root = next(a for a in areas if a.pk == root.pk)
    return root
