from django.db import migrations

from metrics.migration_helpers import GROUP_NAMES, Role, grant_role_permissions

# The roles' permissions as they stood at this migration; later migrations grant what was
# added since (accounts.roles.ROLE_PERMISSIONS holds the current whole).
ROLE_PERMISSIONS_0003 = {
    Role.CLERK: ["metrics.enter_figures", "metrics.view_figure"],
    Role.REVIEWER: [
        "metrics.review_figures",
        "metrics.view_all_figures",
        "metrics.view_figure",
        "metrics.lock_period",
        "metrics.view_validationrule",
        "metrics.add_validationrule",
        "metrics.change_validationrule",
    ],
    Role.LEADER: ["metrics.view_all_figures", "metrics.view_figure"],
    Role.ADMIN: [],
}


def create_roles(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS_0003, GROUP_NAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_catalogue"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
