"""In Chromium: a comment refused as spam says why on the form and appears nowhere; the
honeypot is out of sight, out of the tab order and out of the accessibility tree, and the
JavaScript path never sends it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Traffic, wait_until_live
from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e

FIFTY_LINKS = " ".join(f"https://spam.example/{number}" for number in range(50))


def test_a_spam_comment_is_refused_on_the_form_and_stored_nowhere(live_site, open_page):
    path = live_site.publish_post(author=WRITER, title="Spam magnet", content="Say hi.")
    page = open_page(WRITER)
    traffic = Traffic(page)
    page.goto(path)
    wait_until_live(page)
    page.get_by_label("Add a comment").fill(FIFTY_LINKS)
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comment-form .errors")).to_contain_text(
        "This has too many links (50); at most 10 are allowed."
    )
    expect(page.locator("#comments > .threads > li")).to_have_count(0)
    assert "comment.create" in traffic.procedures_called()
    assert not any("website" in frame for frame in traffic.frames_sent)
    page.reload()
    expect(page.locator("#comments-heading")).to_have_text("0 comments")
    expect(page.get_by_text("spam.example")).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False])
def test_the_honeypot_is_hidden_from_people_and_screen_readers(live_site, open_page, javascript):
    path = live_site.publish_post(author=WRITER, title="Quiet trap", content="Words.")
    page = open_page(WRITER, javascript=javascript)
    page.goto(path)
    # Not in the accessibility tree (aria-hidden): no textbox by that name.
    expect(page.get_by_role("textbox", name="Leave this field empty")).to_have_count(0)
    trap = page.locator("#comment-website")
    expect(trap).to_have_count(1)
    box = trap.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0  # off screen
    # Out of the tab order: from the comment box, Tab goes to the button.
    page.get_by_label("Add a comment").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Comment"


def test_a_comment_added_live_gets_its_own_honeypot_id(live_site, open_page):
    path = live_site.publish_post(author=WRITER, title="Unique traps", content="Words.")
    page = open_page(WRITER)
    page.goto(path)
    wait_until_live(page)
    page.get_by_label("Add a comment").fill("A fine comment")
    page.get_by_role("button", name="Comment", exact=True).click()
    added = page.locator("#comments > .threads > li")
    expect(added).to_have_count(1)
    trap = added.locator(".honeypot input")
    expect(trap).to_have_attribute("id", f"reply-trap-{added.get_attribute('id')[8:]}")
    duplicated = page.evaluate(
        "[...document.querySelectorAll('[id]')].map((e) => e.id)"
        ".filter((id, i, all) => all.indexOf(id) !== i && !document.querySelector('template')"
        ".content.getElementById(id))"
    )
    assert duplicated == []
