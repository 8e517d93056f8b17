"""A signed-out reader's pages are live with the public read key: a comment written by a
signed-in writer appears on the reader's post page, and a new post on the home page, without a
reload; the reader's socket only subscribes (no session channel) and the page offers no form."""

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Traffic, wait_until_live
from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e


def _sent_operations(traffic: Traffic) -> list[dict]:
    frames = [json.loads(text) for text in traffic.frames_sent]
    return [frame for frame in frames if frame.get("type") in ("subscribe", "publish")]


def test_a_signed_out_reader_sees_a_new_comment_live(live_site, open_page):
    path = live_site.publish_post(author=WRITER, title="Read by anyone", content="Say hi.")
    reader = open_page()  # nobody signed in
    traffic = Traffic(reader)
    reader.goto(path)
    wait_until_live(reader)
    reader.evaluate("window.notReloaded = true")
    expect(reader.locator("#live-status")).to_have_text("Live")
    expect(reader.locator("#comments form")).to_have_count(0)

    writer = open_page(WRITER)
    writer.goto(path)
    wait_until_live(writer)
    writer.get_by_label("Add a comment").fill("Hello, silent readers")
    writer.get_by_role("button", name="Comment", exact=True).click()

    comment = reader.locator("#comments > .threads > li").last
    expect(comment.locator(":scope > .comment-body")).to_have_text("Hello, silent readers")
    expect(reader.locator("#comments-heading")).to_have_text("1 comment")
    expect(comment.locator("form, .comment-actions")).to_have_count(0)
    assert reader.evaluate("window.notReloaded") is True
    # Read-only: subscriptions with the page's key, to the post's comments only.
    key = reader.locator("meta[name=inkwell-public-key]").get_attribute("content")
    operations = _sent_operations(traffic)
    assert [frame["type"] for frame in operations] == ["subscribe"]
    assert operations[0]["channel"].startswith("/subscriptions/comments/")
    assert operations[0]["authorization"]["x-api-key"] == key


def test_a_signed_out_reader_sees_a_new_post_on_the_home_page(open_page):
    reader = open_page()
    reader.goto("/")
    wait_until_live(reader)
    reader.evaluate("window.notReloaded = true")

    writer = open_page(WRITER)
    writer.goto("/write/new/")
    wait_until_live(writer)
    writer.get_by_label("Title").fill("Fresh for everyone")
    writer.get_by_role("button", name="Publish").click()

    expect(reader.locator("#live-announcements")).to_have_text("New post: Fresh for everyone")
    reader.get_by_role("button", name="Show 1 new post").click()  # it waits behind the bar
    newest = reader.locator("[data-live-posts] > article").first
    expect(newest.get_by_role("link", name="Fresh for everyone")).to_be_visible()
    assert reader.evaluate("window.notReloaded") is True
