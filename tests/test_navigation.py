"""The header's links in a few groups (数据 / 文稿 / 管理 / 我的), each person's own: the
reviewer's thirteen links in four groups, a group of one shown as its link, 接口令牌 only for
the roles that use the API."""

import re

import pytest

from accounts.demo import DEMO_PASSWORD

GROUPS = {
    "数据": ["数据审核", "驾驶舱"],
    "文稿": ["讲话稿", "文稿模板", "从文档导入"],
    "管理": ["指标管理", "报告期", "用户管理", "系统设置", "登录锁定", "账号审计", "修改历史"],
    "我的": ["修改密码", "两步验证", "接口令牌"],
}


def _header(client, username) -> str:
    assert client.login(username=username, password=DEMO_PASSWORD)
    page = client.get("/dashboard/" if username == "leader" else "/").content.decode()
    return re.search(r'<nav aria-label="主导航".*?</nav>', page, re.S).group(0)


def _groups(header: str) -> dict[str, list[str]]:
    found = {}
    for label, body in re.findall(r"<summary>(.*?)</summary>\s*<ul>(.*?)</ul>", header, flags=re.S):
        found[label] = re.findall(r"<a [^>]*>(.*?)</a>", body)
    return found


def test_the_reviewer_sees_four_groups(client, demo_data):
    header = _header(client, "reviewer")
    assert _groups(header) == GROUPS
    assert 'href="/periods/"' in header and 'href="/settings/"' in header
    assert header.count("<details") == 4


@pytest.mark.parametrize(
    ("username", "has_tokens"), [("clerk_sfj", True), ("leader", False), ("reviewer", True)]
)
def test_api_tokens_only_for_roles_that_use_the_api(client, demo_data, username, has_tokens):
    header = _header(client, username)
    assert ("接口令牌" in header) is has_tokens
    assert "修改密码" in header and "两步验证" in header


def test_a_group_of_one_is_its_link(client, demo_data):
    header = _header(client, "leader")
    groups = _groups(header)
    assert "数据" not in groups  # the leader's 数据 is 驾驶舱 alone: a plain link
    assert re.search(r'<a href="/dashboard/"[^>]*>驾驶舱</a>', header)
    assert "指标管理" not in header and "用户管理" not in header
