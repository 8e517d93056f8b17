"""Two readers on one post: comments, replies, edits and deletions by one appear in place,
live, on the other's page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Traffic, wait_until_live
from tests.e2e.site import OTHER_WRITER, WRITER

pytestmark = pytest.mark.e2e


@pytest.fixture
def traffic():
    """What each page sent, watched from before it loaded."""
    return {}


@pytest.fixture
def two_readers(live_site, open_page, traffic):
    """The same fresh post open in two browsers: writer0's and writer1's, both live."""
    path = live_site.publish_post(author=WRITER, title="Talk about this", content="Discuss.")
    pages = []
    for email in (WRITER, OTHER_WRITER):
        page = open_page(email)
        traffic[page] = Traffic(page)
        page.goto(path)
        wait_until_live(page)
        # Survives only as long as the page does: proves nothing reloaded it.
        page.evaluate("window.notReloaded = true")
        pages.append(page)
    return pages


def _comment(page, text: str) -> None:
    page.get_by_label("Add a comment").fill(text)
    page.get_by_role("button", name="Comment", exact=True).click()


def _threads(page):
    return page.locator("#comments > .threads > li")


def _reply(comment, text: str) -> None:
    """Open the reply form under ``comment`` (its <li>) and send ``text``."""
    comment.locator(":scope > .comment-actions summary").click()
    comment.get_by_label("Your reply").fill(text)
    comment.get_by_role("button", name="Reply").click()


def _owner_link(comment, name: str):
    return comment.locator(":scope > .comment-actions").get_by_role("link", name=name)


def _delete(page, comment) -> None:
    """Delete ``comment`` through its link and the confirmation page."""
    _owner_link(comment, "Delete").click()
    page.get_by_role("button", name="Delete").click()


def test_comments_and_replies_appear_live_in_their_thread(two_readers, traffic):
    ada, grace = two_readers
    _comment(ada, "First thoughts")
    expect(_threads(grace)).to_have_count(1)
    first = _threads(grace).first
    expect(first.locator(":scope > .comment-body")).to_have_text("First thoughts")
    expect(first.locator(":scope > .meta")).to_contain_text("Ada Lovelace")
    expect(grace.locator("#comments-heading")).to_have_text("1 comment")
    # Someone else's comment: no edit or delete links for Grace.
    expect(first.get_by_role("link", name="Edit")).to_have_count(0)
    assert "comment.create" in traffic[ada].procedures_called()
    assert traffic[ada].posts == []  # through the link, not a form POST

    _comment(grace, "Second voice")
    expect(_threads(ada)).to_have_count(2)
    expect(_threads(ada).nth(1).locator(":scope > .comment-body")).to_have_text("Second voice")

    # Ada replies to her first comment; Grace sees it nested under that one, not at the end.
    _reply(_threads(ada).first, "Replying to myself")
    reply = _threads(grace).first.locator(":scope > .replies > li")
    expect(reply).to_have_count(1)
    expect(reply.locator(".comment-body")).to_have_text("Replying to myself")
    expect(_threads(grace)).to_have_count(2)
    expect(grace.locator("#comments-heading")).to_have_text("3 comments")

    # Grace answers the reply from the element that arrived live, and Ada sees it two deep.
    _reply(reply, "A reply to a live reply")
    nested = _threads(ada).first.locator(":scope > .replies > li > .replies > li")
    expect(nested.locator(".comment-body")).to_have_text("A reply to a live reply")

    for page in (ada, grace):
        assert page.evaluate("window.notReloaded") is True
    # What the pages show is what was stored: a fresh load renders the same threads.
    grace.reload()
    expect(_threads(grace)).to_have_count(2)
    expect(grace.locator("#comments-heading")).to_have_text("4 comments")
    expect(
        _threads(grace).first.locator(":scope > .replies > li > .replies > li .comment-body")
    ).to_have_text("A reply to a live reply")


def test_edits_and_deletions_propagate_live(two_readers):
    ada, grace = two_readers
    _comment(ada, "Parent words")
    expect(_threads(grace)).to_have_count(1)
    _reply(_threads(ada).first, "A reply that goes away")
    grace_parent = _threads(grace).first
    expect(grace_parent.locator(":scope > .replies > li")).to_have_count(1)

    # The edit page is a page of its own (a plain POST); Grace's page changes in place.
    _owner_link(_threads(ada).first, "Edit").click()
    ada.get_by_label("Comment").fill("Parent words, edited")
    ada.get_by_role("button", name="Save").click()
    expect(grace_parent.locator(":scope > .comment-body")).to_have_text("Parent words, edited")

    # Deleting the reply removes it; deleting the parent leaves a placeholder above its replies.
    _delete(ada, ada.locator(".replies > li").first)
    expect(grace_parent.locator(":scope > .replies > li")).to_have_count(0)
    expect(grace.locator("#comments-heading")).to_have_text("1 comment")

    _delete(ada, _threads(ada).first)
    expect(_threads(grace)).to_have_count(0)
    expect(grace.locator("#comments-heading")).to_have_text("0 comments")
    assert grace.evaluate("window.notReloaded") is True


def test_deleting_a_comment_with_replies_leaves_a_placeholder_live(two_readers):
    ada, grace = two_readers
    _comment(ada, "Soon deleted")
    expect(_threads(grace)).to_have_count(1)
    thread = _threads(grace).first
    _reply(thread, "I stay")
    expect(_threads(ada).first.locator(":scope > .replies > li")).to_have_count(1)

    _delete(ada, _threads(ada).first)
    expect(thread.locator(":scope > .deleted")).to_have_text("[deleted]")
    expect(thread.locator(":scope > .replies .comment-body")).to_have_text("I stay")
    expect(thread.locator(":scope > .comment-body")).to_have_count(0)


def test_a_live_comment_keeps_its_line_breaks_is_announced_and_takes_the_writers_focus(
    two_readers,
):
    ada, grace = two_readers
    _comment(ada, "First line\nSecond line\n\nAfter a blank line")
    mine = _threads(ada).first
    # Focus moves to the comment just posted (where a screen reader then reads on).
    expect(mine).to_be_focused()

    arrived = _threads(grace).first.locator(":scope > .comment-body")
    # Three lines on the page that got it live, as on a page rendered by the server.
    height = arrived.evaluate("(body) => body.getBoundingClientRect().height")
    line = arrived.evaluate("(body) => parseFloat(getComputedStyle(body).lineHeight)")
    assert round(height / line) == 4  # the blank line counts
    expect(grace.locator("#live-announcements")).to_have_text("New comment by Ada Lovelace")
    expect(grace.locator("#live-announcements")).to_have_attribute("aria-live", "polite")
    # Nobody is told of their own comment.
    expect(ada.locator("#live-announcements")).not_to_have_text("New comment by Ada Lovelace")

    grace.reload()
    reloaded = _threads(grace).first.locator(":scope > .comment-body")
    assert reloaded.evaluate("(body) => body.getBoundingClientRect().height") == height
