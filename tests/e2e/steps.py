"""What several browser tests do on the way to what they test, written once."""

import re


def open_from_header(page, group: str, link: str) -> None:
    """Follow one of the header's links: open its group (数据 / 文稿 / 管理 / 我的), then the
    link, as a person does."""
    page.locator("details.nav-group > summary", has_text=group).click()
    page.locator("details.nav-group[open] a", has_text=link).click()


def add_clerk(page, *, username: str, name: str, department: str) -> str:
    """On 用户管理 (the page open in `page`), add a clerk of `department` (its name) and return
    the one-time password the page shows once."""
    page.click("text=添加用户")
    page.fill("input[name=username]", username)
    page.fill("input[name=name]", name)
    page.select_option("select[name=role]", "clerk")
    page.select_option("select[name=department]", label=department)
    page.click("button[type=submit] >> text=添加并生成一次性密码")
    password = page.locator("#one-time-password").inner_text().strip()
    assert re.fullmatch(r"\S{14}", password)
    return password
