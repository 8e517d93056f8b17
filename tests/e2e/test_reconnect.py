"""When the server goes away and comes back, the pages say so and pick up live updates again."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import wait_until_live
from tests.e2e.site import OTHER_WRITER, WRITER

pytestmark = pytest.mark.e2e

BACK_WITHIN_MS = 45_000  # the client's backoff grows while the server is down


def test_pages_reconnect_after_a_server_restart_and_stay_live(live_site, open_page):
    path = live_site.publish_post(author=WRITER, title="Through a restart")
    pages = []
    for email in (WRITER, OTHER_WRITER):
        page = open_page(email)
        page.goto(path)
        wait_until_live(page)
        page.evaluate("window.notReloaded = true")
        pages.append(page)
    ada, grace = pages

    live_site.server.kill()
    for page in pages:
        expect(page.locator("#live-status")).to_have_text("Reconnecting…")
    live_site.server.start()
    for page in pages:
        expect(page.locator("#live-status")).to_have_text("Live", timeout=BACK_WITHIN_MS)

    ada.get_by_label("Add a comment").fill("Still here after the restart")
    ada.get_by_role("button", name="Comment", exact=True).click()
    comment = grace.locator("#comments > .threads > li .comment-body")
    expect(comment).to_have_text("Still here after the restart")
    for page in pages:
        assert page.evaluate("window.notReloaded") is True
