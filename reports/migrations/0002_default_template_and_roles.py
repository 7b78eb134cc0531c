"""The default template (the reference speech, version 1) and the report permissions of the roles."""

from django.db import migrations

from metrics.migration_helpers import GROUP_NAMES, Role, grant_role_permissions
from reports.rendering import DEFAULT_TEMPLATE_TEXT

REPORT_PERMISSIONS = {
    Role.REVIEWER: [
        "reports.edit_template",
        "reports.request_report",
        "reports.view_report",
        "reports.view_reporttemplate",
        "reports.view_templateversion",
    ],
    Role.LEADER: ["reports.request_report", "reports.view_report"],
}


def load(apps, schema_editor):
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    TemplateVersion = apps.get_model("reports", "TemplateVersion")
    template, _ = ReportTemplate.objects.get_or_create(name="全市法治创建工作推进会汇报发言")
    TemplateVersion.objects.get_or_create(
        template=template,
        number=1,
        defaults={"text": DEFAULT_TEMPLATE_TEXT, "comment": "默认模板（参考讲话稿原文）"},
    )
    grant_role_permissions(apps, REPORT_PERMISSIONS, GROUP_NAMES)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("metrics", "0003_roles")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
