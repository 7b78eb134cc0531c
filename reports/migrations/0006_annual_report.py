"""The second built-in document: the annual 法治政府建设年度报告 (version 1), due to be
submitted by 1 March and published by 1 April of the following year; the reviewers may
review its public version."""

from django.db import migrations

from metrics.migration_helpers import GROUP_NAMES, Role, grant_role_permissions
from reports.rendering import ANNUAL_REPORT_TEXT

NAME = "法治政府建设年度报告"


def load(apps, schema_editor):
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    TemplateVersion = apps.get_model("reports", "TemplateVersion")
    template, _ = ReportTemplate.objects.get_or_create(
        slug="annual-report",
        defaults={
            "name": NAME,
            "title": NAME,
            "layout": "report",
            "deadlines": [
                {"label": "报送", "month": 3, "day": 1},
                {"label": "公开", "month": 4, "day": 1},
            ],
            "has_public_version": True,
            "position": 20,
        },
    )
    TemplateVersion.objects.get_or_create(
        template=template,
        number=1,
        defaults={"text": ANNUAL_REPORT_TEXT, "comment": "默认模板（年度报告五部分）"},
    )
    grant_role_permissions(apps, {Role.REVIEWER: ["reports.review_public_version"]}, GROUP_NAMES)


def unload(apps, schema_editor):
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    TemplateVersion = apps.get_model("reports", "TemplateVersion")
    template = ReportTemplate.objects.filter(slug="annual-report").first()
    if (
        template is not None
        and not TemplateVersion.objects.filter(template=template, jobs__isnull=False).exists()
    ):
        TemplateVersion.objects.filter(template=template).delete()
        template.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_documents"),
        ("metrics", "0010_computed_indicators_and_managers"),
    ]
    operations = [migrations.RunPython(load, unload)]
