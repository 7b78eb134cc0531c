"""Who may do what with the documents: one place, beside `metrics.access` (which decides the
figures), used by the web UI, the API and the services alike."""

import functools

from django.core.exceptions import PermissionDenied

from metrics import access as figures_access
from metrics.areas import home_area


def _active(user) -> bool:
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    return user.is_authenticated and user.is_active


def can_import_documents(user) -> bool:
    """Importing a document writes the catalogue and a template: the 法制办, who keep both."""
    return (
        _active(user)
        and user.has_perm("metrics.manage_catalogue")
        and user.has_perm("reports.edit_template")
    )


def require_import_documents(user) -> None:
    if not can_import_documents(user):
        raise PermissionDenied("只有法制办（指标目录管理员）可以从文档导入文稿。")


def can_view_dashboard(user) -> bool:
    """The leader and the office read every department; a clerk reads their own."""
    return _active(user) and (
        figures_access.can_view_all_figures(user) or user.department_id is not None
    )


def can_view_reports(user) -> bool:
    """The report panel, its jobs and their files (PDF, Word, OFD)."""
    return _active(user) and user.has_perm("reports.view_report")


def can_request_reports(user) -> bool:
    return _active(user) and user.has_perm("reports.request_report")


def can_review_public_version(user) -> bool:
    return _active(user) and user.has_perm("reports.review_public_version")


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def report_area(*, user, area):
    """The area a document is built for: `area`, or the installation's own; only an area
    inside what the acting user sees (metrics.access.in_scope) — a district's leader builds
    their district's documents, the city's leader the city's and every district's."""
    area = area or home_area()
    require(area is None or figures_access.in_scope(user, area), "您无权生成该区域的文稿。")
    return area


def can_see_reports(user) -> bool:
    return _active(user) and (
        figures_access.can_view_all_figures(user) or user.has_perm("reports.view_report")
    )


def can_edit_templates(user) -> bool:
    return _active(user) and user.has_perm("reports.edit_template")


def require_edit_templates(user, message: str) -> None:
    if not can_edit_templates(user):
        raise PermissionDenied(message)


def allowed_by(check):
    """A view decorator (under login_required): the view runs for a user `check` (one of the
    rules above) allows, and is refused with 403 otherwise, as Django's
    permission_required(raise_exception=True) would with the bare permission string."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
