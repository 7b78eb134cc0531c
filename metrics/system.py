"""Named system accounts: who acts when no person does (the scheduler's daily reminders and
locks, a management command run without --user). Every write service takes an acting user;
these accounts are what the scheduler and the commands pass, so that each history row, notice
and reminder names who made it, and each service's permission check applies to them as to
anyone.

The accounts cannot log in (no usable password) and belong to no department; each has a
group of its own holding exactly the permissions its work needs. Another app that gives an
account work (reports: building a report from the command line) names the permissions it
needs when it asks for the account, so that metrics never refers to that app.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import TextChoices

from .models import User


class SystemAccount(TextChoices):
    SCHEDULER = "system-scheduler", "定时任务"
    COMMAND_LINE = "system-cli", "命令行"


PERMISSIONS = {
    SystemAccount.SCHEDULER: ["metrics.lock_period", "metrics.send_reminders"],
    SystemAccount.COMMAND_LINE: ["metrics.review_figures", "metrics.view_all_figures"],
}


def _permissions(names):
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


@transaction.atomic
def system_account(account: SystemAccount, *, permissions: tuple[str, ...] = ()) -> User:
    """The account (made on first use), holding its own permissions and `permissions`
    ("app_label.codename") besides."""
    account = SystemAccount(account)
    user, created = User.objects.get_or_create(
        username=account.value, defaults={"first_name": f"系统（{account.label}）"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    group, _ = Group.objects.get_or_create(name=f"系统账户：{account.label}")
    wanted = [*PERMISSIONS[account], *permissions]
    if created or not all(user.has_perm(name) for name in wanted):
        group.permissions.add(*_permissions(wanted))
        user.groups.add(group)
        user = User.objects.get(pk=user.pk)  # a fresh permission cache
    return user


def is_system_account(user) -> bool:
    return user.username in SystemAccount.values
