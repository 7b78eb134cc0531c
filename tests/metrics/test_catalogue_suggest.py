"""Case 14 of issue 21: 生成建议代码 on the new-indicator page with a section that is no
section (``section=abc``) was a 500; whatever the section field holds, the page comes back
with a suggestion or without one, never a 5xx, and nothing is stored."""

import pytest

from metrics.models import Indicator, Section

SECTIONS = ["abc", "", "0", "-1", "1.5", "9" * 40, "１", " ", "null", "[]", "biz"]


@pytest.mark.parametrize("section", SECTIONS)
def test_suggesting_a_code_with_any_section_answers_with_the_form(client, reviewer, section):
    client.force_login(reviewer)
    before = Indicator.objects.count()
    response = client.post(
        "/catalogue/new/", {"suggest": "1", "section": section, "name": "行政复议案件数"}
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].data
    assert Indicator.objects.count() == before


def test_a_real_section_still_shapes_the_suggestion(client, reviewer):
    client.force_login(reviewer)
    biz = Section.objects.get(code="biz")
    response = client.post(
        "/catalogue/new/", {"suggest": "1", "section": str(biz.pk), "name": "行政复议案件数"}
    )
    assert response.status_code == 200
    assert response.context["suggested"].startswith("biz_")
