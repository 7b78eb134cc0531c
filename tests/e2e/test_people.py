"""The 法制办 adds a clerk in the browser; the clerk logs in with the one-time password, is
held at the change page until choosing their own, then reaches the entry form. The pages
met on the way (the one-time password, the import preview) pass axe as well."""

import os
from pathlib import Path

import pytest

from accounts import demo
from metrics.models import User
from tests.accounts.test_onboarding import district, sheet
from tests.e2e.steps import add_clerk, open_from_header
from tests.e2e.test_accessibility import _violations

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OWN_PASSWORD = "Wang-own-choice-2027"


def test_reviewer_adds_a_clerk_who_must_change_the_one_time_password(
    browser, new_session, live_server, tmp_path: Path
):
    demo.seed_demo()
    url = live_server.url
    problems = []
    reviewer = new_session("reviewer", demo.DEMO_PASSWORD)
    open_from_header(reviewer, "管理", "用户管理")
    reviewer.wait_for_url(f"{url}/accounts/users/")
    password = add_clerk(reviewer, username="sfj_wang", name="王五", department="区司法局")
    assert "只显示这一次" in reviewer.content()
    problems += _violations(reviewer, "reviewer 一次性密码")

    # The import's preview, on the way (nothing is created until confirmed).
    upload = tmp_path / "users.xlsx"
    upload.write_bytes(sheet(district(departments=2)))
    reviewer.goto(f"{url}/accounts/import/")
    reviewer.set_input_files("input[name=file]", str(upload))
    reviewer.click("text=上传并预览")
    reviewer.locator("text=确认导入").wait_for()
    problems += _violations(reviewer, "reviewer 导入预览")
    reviewer.click("nav button:has-text('退出')")
    reviewer.wait_for_url(lambda address: "/login/" in address or address.rstrip("/") == url)

    clerk = new_session("sfj_wang", password)
    clerk.wait_for_url(f"{url}/account/password/")
    assert "一次性密码" in clerk.locator(".messages").inner_text()
    # Every other page sends them back here.
    clerk.goto(f"{url}/entry/")
    clerk.wait_for_url(f"{url}/account/password/")
    clerk.fill("input[name=old_password]", password)
    clerk.fill("input[name=new_password1]", OWN_PASSWORD)
    clerk.fill("input[name=new_password2]", OWN_PASSWORD)
    clerk.click("button[type=submit] >> text=修改密码")
    clerk.wait_for_url(f"{url}/account/password/done/")
    clerk.goto(f"{url}/entry/")
    clerk.wait_for_url(f"{url}/entry/2026/")
    assert "区司法局" in clerk.content()
    assert not User.objects.get(username="sfj_wang").must_change_password
    assert not problems, "\n".join(problems)
