"""The account audit (AccountEvent) in 修改历史 (metrics.history): logins, password resets,
role changes … Registered from AccountsConfig.ready(); metrics never imports this module.

AccountEvent rows are only ever added (the model and the database refuse updates and
deletes of rows younger than 180 days); the admin shows them read-only."""

from django.db.models import Q

from metrics.history import Row, filtered
from metrics.models import User
from metrics.references import HistorySource

from . import access, people
from .models import AccountEvent


def _may_read(user) -> bool:
    """Who keeps the accounts, and who may read their audit (账号审计)."""
    return people.can_manage(user) or access.can_view_account_events(user)


def _keys(filters):
    return filtered(
        AccountEvent.objects.all(),
        filters,
        at="at",
        person=lambda user: Q(actor=user.get_username()),
        searched=["target", "detail"],
    )


def _rows(ids):
    events = list(AccountEvent.objects.filter(pk__in=ids))
    named = {e.actor for e in events} | {e.target for e in events}
    people = {u.username: u.display_name for u in User.objects.filter(username__in=named)}
    found = {}
    for event in events:
        found[event.pk] = Row(
            kind="account",
            label="账号",
            when=event.at,
            who=people.get(event.actor) or event.actor or "匿名",
            what=people.get(event.target) or event.target or "—",
            action=event.get_event_display(),
            reason=event.detail,
        )
    return found


SOURCE = HistorySource("account", "账号", _keys, _rows, at_field="at", visible=_may_read)
