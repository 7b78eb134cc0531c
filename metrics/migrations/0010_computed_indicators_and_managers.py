"""The reviewers keep the catalogue and the accounts; the two computed indicators the
catalogue ships with (行政复议办结率, 外聘法律顾问合计)."""

from django.db import migrations

from metrics.migration_helpers import GROUP_NAMES, Role, grant_role_permissions

# As the catalogue stood when this migration was written (metrics.catalogue may change later).
COMPUTED = [
    (
        "biz_review_closure_rate",
        "biz",
        "行政复议办结率",
        "%",
        "percentage",
        "区司法局",
        "biz_review_cases_closed / biz_review_cases_received * 100",
        1,
        "由“办结行政复议案件”除以“受理行政复议案件”乘以 100 计算得出，无需填报。",
    ),
    (
        "biz_external_counsel_total",
        "biz",
        "外聘法律顾问中的法学专家和专业律师合计",
        "人",
        "count",
        "区司法局",
        "biz_external_law_experts + biz_external_lawyers",
        0,
        "由“外聘法律顾问中的法学专家”与“外聘法律顾问中的专业律师”相加得出，无需填报。",
    ),
]


def grant_managers(apps, schema_editor):
    perms = ["metrics.manage_catalogue", "metrics.manage_accounts"]
    grant_role_permissions(apps, {Role.REVIEWER: perms}, GROUP_NAMES)


def add_computed(apps, schema_editor):
    Indicator = apps.get_model("metrics", "Indicator")
    Section = apps.get_model("metrics", "Section")
    Department = apps.get_model("metrics", "Department")
    for code, section, name, unit, value_type, department, formula, places, help_text in COMPUTED:
        section_row = Section.objects.filter(code=section).first()
        department_row = Department.objects.filter(name=department).first()
        if section_row is None or department_row is None:
            continue  # a database whose catalogue was changed by hand: nothing to add to
        last = Indicator.objects.filter(section=section_row).order_by("-order").first()
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "section": section_row,
                "name": name,
                "unit": unit,
                "value_type": value_type,
                "department": department_row,
                "formula": formula,
                "decimal_places": places,
                "help_text": help_text,
                "order": (last.order + 1) if last else 0,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0009_catalogue_management"),
    ]

    operations = [
        migrations.RunPython(grant_managers, migrations.RunPython.noop),
        migrations.RunPython(add_computed, migrations.RunPython.noop),
    ]
