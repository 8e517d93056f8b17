"""An author writes a post: draft, preview, edit, publish, through the live link or plain POST."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Traffic, wait_until_live
from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e

EDITOR_URL = re.compile(r"/write/[0-9a-f-]{36}/$")


def _fill_post(page, title: str, content: str) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Content").fill(content)


def _preview(page) -> None:
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("bold claim")
    expect(preview.locator("li")).to_have_count(2)


def test_an_author_drafts_previews_edits_and_publishes_through_the_live_link(open_page):
    page = open_page(WRITER)
    traffic = Traffic(page)
    page.goto("/write/")
    page.get_by_role("link", name="Write a new post").click()
    _fill_post(page, "Linked draft", "A **bold claim**.\n\n- one\n- two\n")
    _preview(page)  # the preview is a page of its own: no JavaScript needed for it
    expect(page.get_by_label("Title")).to_have_value("Linked draft")

    wait_until_live(page)
    posts_before = len(traffic.posts)
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(EDITOR_URL)
    expect(page.locator("main .meta").first).to_contain_text("Draft")
    assert "post.create" in traffic.procedures_called()
    assert traffic.posts[posts_before:] == []  # saved through the link, not a form POST

    wait_until_live(page)
    page.get_by_label("Title").fill("Linked post, published")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("main .meta").first).to_contain_text("Published")
    assert "post.update" in traffic.procedures_called()
    assert traffic.posts[posts_before:] == []

    page.get_by_role("link", name="View").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Linked post, published")
    expect(page.locator(".post-body strong")).to_have_text("bold claim")
    page.goto("/write/")
    published = page.get_by_role("heading", name="Published").locator("xpath=following-sibling::*")
    expect(published.get_by_role("link", name="Linked post, published")).to_be_visible()


def test_an_author_writes_and_publishes_with_javascript_disabled(open_page):
    page = open_page(WRITER, javascript=False)
    page.goto("/write/new/")
    _fill_post(page, "Posted the plain way", "A **bold claim**.\n\n- one\n- two\n")
    _preview(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(EDITOR_URL)
    expect(page.get_by_role("status")).to_contain_text("Saved as a draft.")

    page.get_by_label("Content").fill("Now **bold claim** and more.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published.")
    page.get_by_role("link", name="View").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Posted the plain way")
    expect(page.locator(".post-body")).to_contain_text("and more.")


def test_an_empty_title_is_refused_on_the_form_and_nothing_is_lost(open_page):
    page = open_page(WRITER)
    page.goto("/write/new/")
    wait_until_live(page)
    page.get_by_label("Content").fill("Words worth keeping.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Content")).to_have_value("Words worth keeping.")
    expect(page).to_have_url(re.compile(r"/write/new/$"))


def test_an_author_changes_a_slug_through_the_live_link_and_the_old_address_follows(open_page):
    page = open_page(WRITER)
    traffic = Traffic(page)
    page.goto("/write/new/")
    wait_until_live(page)
    _fill_post(page, "Renamed address", "Words.")
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(EDITOR_URL)
    expect(page.get_by_label("Slug")).to_have_value("renamed-address")

    wait_until_live(page)
    page.get_by_label("Slug").fill("Not Valid")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errors").first).to_contain_text("lowercase letters, digits and hyphens")
    page.get_by_label("Slug").fill("a-better-address")
    with page.expect_navigation():  # saved, the editor opens again
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Slug")).to_have_value("a-better-address")
    assert "post.update" in traffic.procedures_called()

    page.goto("/posts/renamed-address/")
    expect(page).to_have_url(re.compile(r"/posts/a-better-address/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Renamed address")
