"""An installation from before the accounts app keeps its account permissions on upgrade."""

import importlib

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

migration = importlib.import_module("accounts.migrations.0003_content_types")


def test_old_lawgov_content_types_are_relabelled_and_grants_kept(db):
    ContentType.objects.clear_cache()
    event_type = ContentType.objects.get(app_label="accounts", model="accountevent")
    unlock = Permission.objects.get(content_type=event_type, codename="unlock_accounts")
    office = Group.objects.create(name="升级前的审核组")
    office.permissions.add(unlock)
    # As an installation from before the move has it: the rows labelled with the old app.
    ContentType.objects.filter(app_label="accounts").update(app_label="lawgov")

    migration.forwards(apps, None)

    ContentType.objects.clear_cache()
    assert not ContentType.objects.filter(app_label="lawgov").exists()
    assert ContentType.objects.get(pk=event_type.pk).app_label == "accounts"
    assert office.permissions.filter(
        content_type__app_label="accounts", codename="unlock_accounts"
    ).exists()


def test_a_fresh_installation_is_left_as_it_is(db):
    before = list(ContentType.objects.order_by("pk").values_list("pk", "app_label", "model"))
    migration.forwards(apps, None)
    after = list(ContentType.objects.order_by("pk").values_list("pk", "app_label", "model"))
    assert after == before
