import django.db.models.functions.text
from django.db import migrations, models


def refuse_existing_duplicates(apps, schema_editor):
    """The constraint cannot be added over user names that already differ only in case:
    name them, so that an administrator renames or merges those accounts first (nothing is
    renamed here: which account is the person's real one is theirs to decide)."""
    User = apps.get_model("metrics", "User")
    seen = {}
    for username in User.objects.order_by("pk").values_list("username", flat=True):
        seen.setdefault(username.lower(), []).append(username)
    clashes = [names for names in seen.values() if len(names) > 1]
    if clashes:
        listed = "; ".join(", ".join(names) for names in clashes)
        raise RuntimeError(
            "User names that differ only in case must be renamed before this migration "
            f"(login is by user name in any case): {listed}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("metrics", "0013_indicator_aliases"),
    ]

    operations = [
        migrations.RunPython(refuse_existing_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="user_username_unique_any_case",
                violation_error_message="该用户名已存在（不区分大小写）。",
            ),
        ),
    ]
