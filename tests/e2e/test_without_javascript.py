"""With JavaScript off, a reader still reads posts, signs in and comments: plain pages and POSTs."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.site import DEMO_PASSWORD, OTHER_WRITER, WRITER

pytestmark = pytest.mark.e2e


def test_a_reader_without_javascript_reads_signs_in_comments_and_replies(live_site, open_page):
    path = live_site.publish_post(
        author=WRITER, title="Plain old pages", content="Read me *without* scripts."
    )
    page = open_page(javascript=False)
    page.goto("/")
    page.get_by_role("link", name="Plain old pages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plain old pages")
    expect(page.locator(".post-body em")).to_have_text("without")
    expect(page.locator("#live-status")).to_be_hidden()

    page.get_by_role("link", name="Sign in", exact=True).last.click()
    page.get_by_label("Email").fill(OTHER_WRITER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))  # back where they were

    page.get_by_label("Add a comment").fill("Posted with a plain form")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page).to_have_url(re.compile(r"#comment-[0-9a-f-]{36}$"))
    thread = page.locator("#comments > .threads > li").first
    expect(thread.locator(":scope > .comment-body")).to_have_text("Posted with a plain form")

    # <details> opens without scripts too.
    thread.locator(":scope > .comment-actions summary").click()
    thread.get_by_label("Your reply").fill("And a plain reply")
    thread.get_by_role("button", name="Reply").click()
    reply = page.locator("#comments > .threads > li").first.locator(":scope > .replies > li")
    expect(reply.locator(".comment-body")).to_have_text("And a plain reply")
    expect(page.locator("#comments-heading")).to_have_text("2 comments")


def test_an_empty_comment_without_javascript_shows_the_error_on_the_post(live_site, open_page):
    path = live_site.publish_post(author=WRITER, title="Say something")
    page = open_page(OTHER_WRITER, javascript=False)
    page.goto(path)
    page.get_by_role("button", name="Comment", exact=True).click()  # the browser checks `required`
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    page.get_by_label("Add a comment").fill("   ")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Say something")
    expect(page.locator("#comments > .threads > li")).to_have_count(0)
