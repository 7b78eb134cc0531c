"""Load the speech's indicator catalogue, its departments and the seeded rules."""

from django.db import migrations

from metrics.catalogue import DEPARTMENTS, INDICATORS, RULES, SECTIONS


def load(apps, schema_editor):
    Section = apps.get_model("metrics", "Section")
    Department = apps.get_model("metrics", "Department")
    Indicator = apps.get_model("metrics", "Indicator")
    ValidationRule = apps.get_model("metrics", "ValidationRule")
    sections = {
        code: Section.objects.update_or_create(code=code, defaults={"name": name, "order": order})[
            0
        ]
        for code, name, order in SECTIONS
    }
    departments = {
        name: Department.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "order": order}
        )[0]
        for order, (code, name, short) in enumerate(DEPARTMENTS, start=1)
    }
    for order, (code, section, name, unit, value_type, owner) in enumerate(INDICATORS, start=1):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "section": sections[section],
                "unit": unit,
                "value_type": value_type,
                "department": departments[owner],
                "lower_bound": 1 if code == "lead_council_study_per_quarter" else None,
                "order": order,
            },
        )
    for left, operator, right, severity, name in RULES:
        ValidationRule.objects.get_or_create(
            left=Indicator.objects.get(code=left),
            operator=operator,
            right=Indicator.objects.get(code=right),
            defaults={"severity": severity, "name": name},
        )


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
