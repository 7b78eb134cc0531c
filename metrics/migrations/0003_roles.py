from django.db import migrations

from metrics.migration_helpers import grant_role_permissions
from metrics.roles import GROUP_NAMES, ROLE_PERMISSIONS


def create_roles(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS, GROUP_NAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_catalogue"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
