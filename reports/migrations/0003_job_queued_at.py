import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def queued_when_requested(apps, schema_editor):
    apps.get_model("reports", "ReportJob").objects.update(queued_at=F("requested_at"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_default_template_and_roles")]

    operations = [
        migrations.AddField(
            model_name="reportjob",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="入队时间"),
        ),
        migrations.RunPython(queued_when_requested, migrations.RunPython.noop),
    ]
