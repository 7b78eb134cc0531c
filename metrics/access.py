"""Who may see and change which department's figures: one place, used by the web UI, the
API and the commands alike."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, Subquery

from .areas import OFFICE_LEVELS, approving_area, is_within, roots
from .models import Area, Department


def _actor(user):
    """Every check needs the acting user: a missing one is a programming error, never a
    silent pass."""
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    return user


def _scope_areas(user):
    """The one decision of whose subtree an official sees, as a query of one area: their own
    area; for a clerk, their unit's; else (an account made before the area tree, the
    administrator) the installation's root (home_area())."""
    _actor(user)
    if user.area_id is not None:
        return Area.objects.filter(pk=user.area_id)
    if user.department_id is not None and not user.has_perm("metrics.view_all_figures"):
        return Area.objects.filter(units=user.department_id)
    return roots()


def scope_of(user) -> Area:
    """The area at the top of what an official sees (_scope_areas). A clerk's scope is the
    area of their unit, but they see only their unit (can_view_department)."""
    # Asked on every row a page or list checks: kept on the user object for the request, as
    # Django keeps its permissions (_perm_cache), and read again when the account moves.
    key = (user.area_id, user.department_id) if user is not None else None
    cached = getattr(user, "_lawgov_scope", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    scope = _scope_areas(user).first()
    user._lawgov_scope = (key, scope)
    return scope


def scope_path(user) -> Subquery:
    """The path of scope_of(user) as a subquery, so that a list filtered by the caller's
    subtree (`area__path__startswith=scope_path(user)`) costs no query of its own."""
    return Subquery(_scope_areas(user).values("path")[:1])


def in_scope(user, area: Area) -> bool:
    """Whether `area` is inside the subtree the user sees."""
    return is_within(area, scope_of(user))


def can_view_department(user, department: Department) -> bool:
    _actor(user)
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("metrics.view_all_figures"):
        return in_scope(user, department.area)
    return user.department_id is not None and user.department_id == department.pk


def can_approve_unit(user, department: Department) -> bool:
    """A figure is approved by the office of the unit's area (a township's district): a
    district reviewer approves its departments and townships, never a neighbour's nor the
    city's; a city reviewer approves the city's own departments (and districts as a whole,
    metrics.services.area_approval)."""
    return can_review(user) and approving_area(department.area).pk == scope_of(user).pk


def can_enter_figures(user, department: Department) -> bool:
    _actor(user)
    return (
        user.is_authenticated
        and user.is_active
        and user.has_perm("metrics.enter_figures")
        and user.department_id == department.pk
    )


def reports(unit: Department, indicator) -> bool:
    """Whether `unit` reports `indicator`: a unit of the indicator's reporting kind (a
    township's 司法所 for a township indicator), or the indicator's own department (the one
    reporting unit of a one-district installation)."""
    return indicator.department_id == unit.pk or indicator.reporting_kind_id == unit.kind_id


def reported_by(unit: Department, prefix: str = "") -> Q:
    """The condition on indicators (through `prefix`, e.g. "indicator__") that `unit` reports,
    as `reports` decides for one."""
    return Q(**{f"{prefix}department": unit.pk}) | Q(**{f"{prefix}reporting_kind": unit.kind_id})


def entering_unit(user) -> Department | None:
    """The unit a clerk enters figures for (their own department), None for anyone else."""
    _actor(user)
    department = user.department if user.department_id else None
    if department is not None and can_enter_figures(user, department):
        return department
    return None


def can_enter_indicator(user, indicator, unit: Department) -> bool:
    """A clerk enters `indicator` for `unit` when the unit is theirs and reports it."""
    return can_enter_figures(user, unit) and reports(unit, indicator)


def can_review(user) -> bool:
    _actor(user)
    return user.is_authenticated and user.is_active and user.has_perm("metrics.review_figures")


def can_view_all_figures(user) -> bool:
    _actor(user)
    return user.is_authenticated and user.is_active and user.has_perm("metrics.view_all_figures")


def home_of(user) -> str:
    """Where a signed-in user lands, by what they may do: "clerk" (their department's entry),
    "reviewer" (the review queue), "dashboard" (who reads every figure and reviews none: the
    leader) or "overview" (every department's progress)."""
    if user.is_superuser:
        return "overview"  # the administrator reviews nothing on the portal's pages
    department = user.department if user.department_id else None
    if department is not None and can_enter_figures(user, department):
        return "clerk"
    if can_review(user):
        return "reviewer"
    if can_view_all_figures(user):
        return "dashboard"
    return "overview"


def can_remind(user) -> bool:
    _actor(user)
    return user.is_authenticated and user.is_active and user.has_perm("metrics.send_reminders")


def can_lock_periods(user) -> bool:
    _actor(user)
    return user.is_authenticated and user.is_active and user.has_perm("metrics.lock_period")


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def can_manage_catalogue(user) -> bool:
    """The 法制办 keeps the catalogue: indicators, the speech's sections, the departments."""
    _actor(user)
    return user.is_authenticated and user.is_active and user.has_perm("metrics.manage_catalogue")


def can_manage_periods(user) -> bool:
    """The 法制办 keeps the calendar: opens periods, sets and extends deadlines
    (metrics.manage_periods, a permission of its own so that an office may give the calendar
    to someone who does not keep the catalogue)."""
    _actor(user)
    return user.is_authenticated and user.is_active and user.has_perm("metrics.manage_periods")


def can_manage_office_settings(user) -> bool:
    """系统设置 (the district's name, reminder days, automatic locking) goes with the accounts:
    whoever keeps the accounts keeps the installation."""
    _actor(user)
    return user.is_authenticated and user.is_active and user.has_perm("metrics.manage_accounts")


def can_approve_area(user, area: Area) -> bool:
    """An office approves as a whole the areas directly below it that have an office of their
    own (the city its districts): a reviewer whose scope is the area's parent."""
    return (
        can_review(user)
        and area.parent_id is not None
        and area.level in OFFICE_LEVELS
        and area.parent_id == scope_of(user).pk
    )
