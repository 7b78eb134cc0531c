"""An installation of one district becomes a tree of one district: its departments are that
district's units, each of a kind of its own; every figure is reported by its indicator's
department, as it always was; each indicator rolls up by the default for its kind. No figure
changes."""

from django.conf import settings
from django.db import migrations

# The area the installation's district gets; the office changes code and name afterwards.
FIRST_DISTRICT_CODE = "000000"
AREA_SUFFIXES = ("区", "县", "市", "旗")


def _district_names(apps):
    OfficeSettings = apps.get_model("metrics", "OfficeSettings")
    stored = OfficeSettings.objects.filter(pk=1).first()
    short = (stored.district_name if stored else settings.DISTRICT_NAME) or "本"
    name = short if short.endswith(AREA_SUFFIXES) else f"{short}区"
    return name[:50], short[:40]


def _default_rollup(indicator):
    if indicator.formula:
        return "recompute"
    return "none" if indicator.value_type == "percentage" else "sum"


def forwards(apps, schema_editor):
    Area = apps.get_model("metrics", "Area")
    UnitKind = apps.get_model("metrics", "UnitKind")
    Department = apps.get_model("metrics", "Department")
    Indicator = apps.get_model("metrics", "Indicator")
    Figure = apps.get_model("metrics", "Figure")
    name, short = _district_names(apps)
    district = Area.objects.create(
        code=FIRST_DISTRICT_CODE,
        name=name,
        short_name=short,
        level="district",
        path=f"/{FIRST_DISTRICT_CODE}/",
    )
    # Each department is the one unit of a kind named as it is (every district has a 区司法局).
    for department in Department.objects.order_by("order", "code"):
        kind = UnitKind.objects.create(code=department.code, name=department.name, level="district")
        Department.objects.filter(pk=department.pk).update(area=district, kind=kind)
    for indicator in Indicator.objects.select_related("department"):
        Indicator.objects.filter(pk=indicator.pk).update(
            reporting_kind_id=Department.objects.get(pk=indicator.department_id).kind_id,
            rollup=_default_rollup(indicator),
        )
    for indicator_id, department_id in Indicator.objects.values_list("id", "department_id"):
        Figure.objects.filter(indicator_id=indicator_id).update(unit_id=department_id)


def backwards(apps, schema_editor):
    apps.get_model("metrics", "Figure").objects.update(unit=None)
    apps.get_model("metrics", "Indicator").objects.update(reporting_kind=None, rollup="")
    apps.get_model("metrics", "Department").objects.update(area=None, kind=None)
    apps.get_model("metrics", "UnitKind").objects.all().delete()
    apps.get_model("metrics", "Area").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0017_area_tree")]

    operations = [migrations.RunPython(forwards, backwards)]
