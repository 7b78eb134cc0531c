"""Helpers for data migrations that grant permissions to the role groups.

Permissions are normally created after all migrations ran; a data migration that hands them
to groups has to create them first.
"""

from django.contrib.auth.management import create_permissions


class Role:
    """The role groups as they were when the migrations were written. Frozen here, as a
    migration's models are: a migration must not change with later code (the live roles are
    accounts.roles)."""

    CLERK = "clerk"
    REVIEWER = "reviewer"
    LEADER = "leader"
    ADMIN = "admin"


GROUP_NAMES = {
    Role.CLERK: "部门填报员",
    Role.REVIEWER: "法制办审核员",
    Role.LEADER: "区领导",
    Role.ADMIN: "系统管理员",
}


def grant_role_permissions(
    apps, role_permissions: dict[str, list[str]], group_names: dict[str, str]
):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=group_names[role])
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
