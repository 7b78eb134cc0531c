"""An installation older than the accounts app keeps its account permissions.

The account models were first installed under the app label `lawgov`; their content types
(and so the permissions the roles hold, 可解除登录锁定 among them, and the admin's log) are
rows labelled `lawgov`. Relabelling those rows keeps every grant; a fresh installation has
none and this does nothing. Django would otherwise create new `accounts` rows beside the old
ones and every group would silently lose the permission.
"""

from django.db import migrations

MODELS = ("accountevent", "apitoken", "passwordstate", "passwordhistory")


def relabel(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label=new, model=model).exists():
            continue  # already created under the new label (a fresh installation)
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, "lawgov", "accounts")


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, "accounts", "lawgov")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_people"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
