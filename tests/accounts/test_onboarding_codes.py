"""Case 17 of issue 21: the onboarding sheet's preview accepted department codes the
catalogue then refused on confirm. Both now apply one rule (code_format_problem): for every
generated code, the preview refuses it exactly when the catalogue would, and what the
preview accepts the confirm creates."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from metrics import services
from metrics.models import Department
from tests.accounts.test_onboarding import sheet, upload

CODES = [
    "newdept", "new_dept_2", "a1",  # the catalogue's format
    "NewDept", "new-dept", "2026dept", "_dept", "新部门", "ｎｅｗ", "dept x", "dept.x",
]  # fmt: skip


@pytest.fixture
def manager(client, reviewer):
    client.force_login(reviewer)
    return client


def catalogue_accepts(code, reviewer) -> bool:
    try:
        services.create_department(user=reviewer, code=code, name=f"试{code}部门")
    except ValidationError as refused:
        assert "code" in refused.error_dict
        return False
    Department.objects.filter(code=code).delete()
    return True


@pytest.mark.parametrize("code", CODES)
def test_the_preview_refuses_what_the_catalogue_refuses(manager, reviewer, code):
    accepted_by_catalogue = catalogue_accepts(code, reviewer)
    row = [code, f"新{code}部门", "", f"user_{abs(hash(code)) % 10**6}", "某人", "填报员", ""]
    preview = upload(manager, sheet([row]))
    if not accepted_by_catalogue:
        assert preview.status_code == 400
        assert "只能用小写英文字母、数字和下划线" in preview.content.decode()
        assert not Department.objects.filter(code=code).exists()
        return
    assert preview.status_code == 200, preview.content.decode()[-2000:]
    done = manager.post(reverse("accounts:import_confirm"))
    assert done.status_code == 200
    assert Department.objects.filter(code=code).exists()
