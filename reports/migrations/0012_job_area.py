"""A document is an area's (issue 24): every report job names its area. The jobs made before
the area tree are the installation's own area's (its first root, the district the tree was
made from). Only the new column is written: no snapshot, file or other field changes, so
every existing document rebuilds as it was."""

import django.db.models.deletion
from django.db import migrations, models

import reports.models


def to_home_area(apps, schema_editor):
    Area = apps.get_model("metrics", "Area")
    ReportJob = apps.get_model("reports", "ReportJob")
    home = Area.objects.filter(parent__isnull=True).order_by("path").first()
    if home is None:
        return
    # Checked now, not at commit: the column is made NOT NULL in this same transaction,
    # which PostgreSQL refuses while deferred foreign-key checks are pending.
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    ReportJob.objects.filter(area__isnull=True).update(area=home)
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0021_user_area"),
        ("reports", "0011_ofd_file"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportjob",
            name="area",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="report_jobs",
                to="metrics.area",
                verbose_name="区域",
            ),
        ),
        migrations.RunPython(to_home_area, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reportjob",
            name="area",
            field=models.ForeignKey(
                default=reports.models.home_area_id,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="report_jobs",
                to="metrics.area",
                verbose_name="区域",
            ),
        ),
    ]
