"""Who may see and change which department's figures: one place, used by the web UI, the
API and the commands alike."""

from django.core.exceptions import PermissionDenied

from .models import Department


def _actor(user):
    """Every check needs the acting user: a missing one is a programming error, never a
    silent pass."""
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    return user


def can_view_department(user, department: Department) -> bool:
    _actor(user)
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("metrics.view_all_figures"):
        return True
    return user.department_id is not None and user.department_id == department.pk


def can_enter_figures(user, department: Department) -> bool:
    _actor(user)
    return (
        user.is_authenticated
        and user.is_active
        and user.has_perm("metrics.enter_figures")
        and user.department_id == department.pk
    )


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
