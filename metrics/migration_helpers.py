"""Helpers for data migrations that grant permissions to the role groups.

Permissions are normally created after all migrations ran; a data migration that hands them
to groups has to create them first.
"""

from django.contrib.auth.management import create_permissions


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
