import os
from pathlib import Path

import pytest

from tests.conftest import require_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own words (file pickers) in Chinese, as the users see them
]


@pytest.fixture
def browser(live_server):
    """Debian's Chromium driven by Playwright; never a downloaded browser.

    Function-scoped on purpose, and set up after the database fixtures: while Playwright's
    event loop runs in this thread, Django's connection handler answers from another context,
    so a session-wide Playwright would make later tests' serialized rollback silently skip."""
    require_server(
        CHROMIUM.exists(), f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # ORM calls the test made while the loop ran opened a context-local connection.
        from django.db import connections

        connections.close_all()


@pytest.fixture
def new_session(browser, live_server):
    """`new_session(username, password)`: a logged-in page in its own browser context."""
    contexts = []

    def login(username, password):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", device_scale_factor=1
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        # Each role lands on its own home (the leader on the dashboard).
        page.wait_for_url(lambda address: "/login/" not in address)
        return page

    yield login
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot_dir(tmp_path):
    """Where the browser tests save their screenshots: docs/screenshots/ when asked to refresh
    the README's pictures (`make screenshots`), otherwise the test's own folder, so that a
    test run leaves the working tree as it was."""
    if os.environ.get("LAWGOV_UPDATE_SCREENSHOTS") == "1":
        folder = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path
