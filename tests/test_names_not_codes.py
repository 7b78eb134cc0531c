"""Names everywhere a person reads: clerks and leaders never see an indicator's or a
department's code on their pages (the reviewers keep them in 指标管理)."""

import re

import pytest

from accounts.demo import DEMO_PASSWORD
from metrics.models import Department, Indicator
from tests.metrics.test_entry_review_views import _visible_text

CLERK_PAGES = ["/", "/entry/2026/", "/figures/2026/edu_culture_signs/", "/dashboard/?period=2026"]
LEADER_PAGES = [
    "/dashboard/?period=2026",
    "/dashboard/department/sfj/?period=2026",
    "/dashboard/indicator/biz_review_closure_rate/",
    "/dashboard/indicator/biz_review_cases_received/",
    "/figures/2026/edu_bulletin_boards/",
    "/reports/?period=2026",
]


@pytest.mark.parametrize(
    ("username", "pages"), [("clerk_sfj", CLERK_PAGES), ("leader", LEADER_PAGES)]
)
def test_no_code_on_the_pages_of_clerks_and_leaders(client, demo_data, username, pages):
    codes = list(Indicator.objects.values_list("code", flat=True)) + list(
        Department.objects.values_list("code", flat=True)
    )
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, codes)) + r")(?![A-Za-z0-9_])"
    )
    assert client.login(username=username, password=DEMO_PASSWORD)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        leaked = sorted(set(pattern.findall(_visible_text(response.content.decode()))))
        assert leaked == [], (url, leaked)


def test_the_reviewers_see_codes_in_the_catalogue(client, demo_data):
    assert client.login(username="reviewer", password=DEMO_PASSWORD)
    text = _visible_text(client.get("/catalogue/").content.decode())
    assert "biz_review_cases_received" in text


def test_a_department_code_is_suggested_from_its_name(client, demo_data):
    assert client.login(username="reviewer", password=DEMO_PASSWORD)
    response = client.post(
        "/catalogue/departments/",
        {"code": "", "name": "区市场监督管理局", "short_name": "", "order": "", "reason": "新设"},
    )
    assert response.status_code == 302
    assert Department.objects.get(name="区市场监督管理局").code == "scjdglj"
    client.post(
        "/catalogue/departments/",
        {"code": "", "name": "市场监督管理局", "short_name": "", "order": "", "reason": "同名缩写"},
    )
    assert Department.objects.get(name="市场监督管理局").code == "scjdglj_2"
