"""The portal's four roles are Django groups; what each may do is held as permissions."""

from django.db.models import TextChoices


class Role(TextChoices):
    CLERK = "clerk", "部门填报员"
    REVIEWER = "reviewer", "法制办审核员"
    LEADER = "leader", "区领导"
    ADMIN = "admin", "系统管理员"


# Group name (shown in the admin) for each role.
GROUP_NAMES = {role: role.label for role in Role}

# Permissions each role's group holds, as "app_label.codename". The reports app adds its
# own permissions to these groups in its migrations (metrics never refers to reports).
ROLE_PERMISSIONS = {
    Role.CLERK: ["metrics.enter_figures", "metrics.view_figure"],
    Role.REVIEWER: [
        "metrics.review_figures",
        "metrics.view_all_figures",
        "metrics.view_figure",
        "metrics.lock_period",
        "metrics.manage_periods",
        "metrics.view_validationrule",
        "metrics.add_validationrule",
        "metrics.change_validationrule",
        "metrics.send_reminders",
        # The 法制办 keeps the catalogue, the departments and the accounts (issue: no
        # developer, no superuser for the year's changes).
        "metrics.manage_catalogue",
        "metrics.manage_accounts",
    ],
    # The deputy district head may press 催报 on the dashboard and on a refused final report.
    Role.LEADER: ["metrics.view_all_figures", "metrics.view_figure", "metrics.send_reminders"],
    Role.ADMIN: [],  # administrators are superusers
}


def role_of(user) -> Role | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    names = {group.name for group in user.groups.all()}
    for role in (Role.REVIEWER, Role.LEADER, Role.CLERK):
        if GROUP_NAMES[role] in names:
            return role
    return None
