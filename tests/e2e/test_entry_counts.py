"""After Enter saves a row, the entry page's header counts (已填 / 待填) follow without a
reload."""

import pytest

from accounts import demo

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_header_counts_follow_a_row_saved_with_enter(new_session, live_server):
    demo.seed_demo()
    clerk = new_session("clerk_sfj", demo.DEMO_PASSWORD)
    clerk.goto(f"{live_server.url}/entry/2026/")
    empty = clerk.eval_on_selector_all(
        "form.entry-form input.num-input",
        "fields => fields.filter(f => f.value === '').map(f => f.name.slice(6))",
    )[0]
    filled = int(clerk.inner_text('[data-count="filled"]'))
    left = int(clerk.inner_text('[data-count="empty"]'))
    clerk.fill(f"#value-{empty}", "12")
    clerk.press(f"#value-{empty}", "Enter")
    clerk.locator(f"#row-{empty} .saved").wait_for()
    clerk.wait_for_function(
        f"() => document.querySelector('[data-count=\"filled\"]').textContent === '{filled + 1}'"
    )
    assert int(clerk.inner_text('[data-count="empty"]')) == left - 1
