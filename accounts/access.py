"""Who may do what with the accounts' records: one place, beside `metrics.access` (the
figures) and `reports.access` (the documents), used by the pages and 修改历史 alike. Who may
manage the accounts themselves is accounts.people.can_manage."""

from django.core.exceptions import PermissionDenied


def _active(user) -> bool:
    if user is None:
        raise TypeError("an acting user is required (a portal user or a system account)")
    return user.is_authenticated and user.is_active


def can_view_account_events(user) -> bool:
    """账号审计: the account audit records (logins, password resets, role changes …)."""
    return _active(user) and user.has_perm("accounts.view_accountevent")


def require_view_account_events(user) -> None:
    if not can_view_account_events(user):
        raise PermissionDenied("您没有查看账号审计记录的权限。")
