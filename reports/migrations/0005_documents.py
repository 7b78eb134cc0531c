"""Several documents: a template becomes a named document with a stable code, a layout,
deadlines and (for some) a public version; the existing template becomes the speech."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

import reports.models


def existing_template_is_the_speech(apps, schema_editor):
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    for number, template in enumerate(ReportTemplate.objects.order_by("id")):
        template.slug = "speech" if number == 0 else f"document-{template.pk}"
        if number == 0:
            template.title = "法治政府建设工作汇报发言"
            template.layout = "speech"
        template.position = 10 * (number + 1)
        template.save(update_fields=["slug", "title", "layout", "position"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_job_retried_by"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reporttemplate",
            options={
                "ordering": ["position", "id"],
                "permissions": [
                    ("edit_template", "编辑讲话稿模板"),
                    ("review_public_version", "审定公开版（标记不予公开的内容）"),
                ],
                "verbose_name": "文稿模板",
                "verbose_name_plural": "文稿模板",
            },
        ),
        migrations.AddField(
            model_name="reporttemplate",
            name="slug",
            # No index yet: the AlterField below makes it unique, and PostgreSQL would be
            # asked for the same "_like" index twice.
            field=models.SlugField(default="", max_length=50, db_index=False, verbose_name="代码"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="reporttemplate",
            name="title",
            field=models.CharField(
                blank=True,
                help_text="下载的文件名，如“法治政府建设年度报告”",
                max_length=100,
                verbose_name="文件名称",
            ),
        ),
        migrations.AddField(
            model_name="reporttemplate",
            name="layout",
            field=models.CharField(
                choices=[("speech", "讲话稿"), ("report", "公文（报告）")],
                default="speech",
                max_length=10,
                verbose_name="版式",
            ),
        ),
        migrations.AddField(
            model_name="reporttemplate",
            name="deadlines",
            field=models.JSONField(
                blank=True, default=reports.models._no_deadlines, verbose_name="时间节点"
            ),
        ),
        migrations.AddField(
            model_name="reporttemplate",
            name="has_public_version",
            field=models.BooleanField(
                default=False,
                help_text="正式稿经审定、删去不宜公开的内容后另行生成公开版",
                verbose_name="有公开版",
            ),
        ),
        migrations.AddField(
            model_name="reporttemplate",
            name="position",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="排序"),
        ),
        migrations.RunPython(existing_template_is_the_speech, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reporttemplate",
            name="slug",
            field=models.SlugField(
                help_text="稳定的英文代码，如 speech、annual-report",
                max_length=50,
                unique=True,
                verbose_name="代码",
            ),
        ),
        migrations.AddConstraint(
            model_name="reporttemplate",
            constraint=models.CheckConstraint(
                condition=Q(layout__in=["speech", "report"]),
                name="report_template_layout_valid",
            ),
        ),
        migrations.RemoveConstraint(model_name="reportjob", name="report_job_kind_valid"),
        migrations.AlterField(
            model_name="reportjob",
            name="kind",
            field=models.CharField(
                choices=[("draft", "草稿"), ("final", "正式稿"), ("public", "公开版")],
                max_length=10,
                verbose_name="类型",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.CheckConstraint(
                condition=Q(kind__in=["draft", "final", "public"]), name="report_job_kind_valid"
            ),
        ),
        migrations.AddField(
            model_name="reportjob",
            name="source",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="public_versions",
                to="reports.reportjob",
                verbose_name="所依据的正式稿",
            ),
        ),
        migrations.AddField(
            model_name="reportjob",
            name="exclusions",
            field=models.JSONField(
                blank=True, default=reports.models._no_exclusions, verbose_name="不予公开的内容"
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.CheckConstraint(
                condition=Q(kind="public", source__isnull=False)
                | (~Q(kind="public") & Q(source__isnull=True)),
                name="report_job_public_has_source",
            ),
        ),
        migrations.CreateModel(
            name="ReportEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[("public_requested", "审定并生成公开版")],
                        max_length=30,
                        verbose_name="操作",
                    ),
                ),
                ("detail", models.JSONField(blank=True, default=dict, verbose_name="详情")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="reports.reportjob",
                        verbose_name="任务",
                    ),
                ),
            ],
            options={
                "verbose_name": "文稿操作记录",
                "verbose_name_plural": "文稿操作记录",
                "ordering": ["-at", "-id"],
            },
        ),
    ]
