"""A missing period, figure, department or indicator is the portal's Chinese 404 page, with
its header and a link back, with DEBUG on (make run) as off (production); a page a role may
not see is the Chinese 403 page."""

import pytest

from accounts.demo import DEMO_PASSWORD

MISSING = [
    ("/entry/2099/", "没有找到该报告期。"),
    ("/figures/2026/no_such_indicator/", "没有找到该指标。"),
    ("/review/2026/no-such-dept/", "没有找到该部门。"),
    ("/dashboard/department/no-such-dept/", "没有这个部门，或您无权查看。"),
    ("/dashboard/indicator/no_such_indicator/", "没有这个指标，或您无权查看。"),
    ("/dashboard/?period=2099", "没有这个报告期。"),
    ("/reports/jobs/999999/", "没有找到该讲话稿生成任务。"),
]


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG", "production"])
@pytest.mark.parametrize("path,reason", MISSING)
def test_a_missing_thing_is_a_chinese_404_page(client, demo_data, settings, debug, path, reason):
    settings.DEBUG = debug
    username = "clerk_sfj" if path.startswith(("/entry", "/figures")) else "reviewer"
    if path.startswith("/dashboard/indicator"):
        username = "leader"
    assert client.login(username=username, password=DEMO_PASSWORD)
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and reason in page
    assert 'href="/">返回首页</a>' in page
    assert "示范区法治政府建设工作汇报门户" in page  # the portal's header
    assert "Page not found" not in page and "Traceback" not in page


def test_an_unknown_address_is_the_chinese_404_page_in_production(client, demo_data, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG", "production"])
def test_a_page_of_another_role_is_the_chinese_403_page(client, demo_data, settings, debug):
    settings.DEBUG = debug
    assert client.login(username="clerk_sfj", password=DEMO_PASSWORD)
    response = client.get("/review/2026/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and "只有法制办审核员可以审核数据" in page
