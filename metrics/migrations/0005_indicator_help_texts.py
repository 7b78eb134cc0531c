"""Give the catalogue's indicators their 填报说明 (only where none has been written since)."""

from django.db import migrations

from metrics.catalogue import HELP_TEXTS


def fill_help_texts(apps, schema_editor):
    Indicator = apps.get_model("metrics", "Indicator")
    for indicator in Indicator.objects.filter(code__in=HELP_TEXTS, help_text=""):
        indicator.help_text = HELP_TEXTS[indicator.code]
        indicator.save(update_fields=["help_text"])


class Migration(migrations.Migration):
    dependencies = [("metrics", "0004_review_evidence_reminders")]

    operations = [migrations.RunPython(fill_help_texts, migrations.RunPython.noop)]
