"""The home page of one reader offers a post another publishes, behind a "new posts" bar,
without a reload; an unpublished post leaves it the same way."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import wait_until_live
from tests.e2e.site import OTHER_WRITER, WRITER

pytestmark = pytest.mark.e2e


def test_a_post_published_by_another_appears_at_the_top_of_the_home_page(open_page):
    grace = open_page(OTHER_WRITER)
    grace.goto("/")
    wait_until_live(grace)
    grace.evaluate("window.notReloaded = true")
    newest = grace.locator("[data-live-posts] > article").first

    ada = open_page(WRITER)
    ada.goto("/write/new/")
    wait_until_live(ada)
    ada.get_by_label("Title").fill("Fresh from the press")
    ada.get_by_label("Content").fill("Hot off the **press**.")
    ada.get_by_label("Excerpt").fill("Read this first.")
    ada.get_by_role("button", name="Publish").click()
    expect(ada).to_have_url(re.compile(r"/write/[0-9a-f-]{36}/$"))

    # It waits behind the bar: the list does not move under the reader's eyes.
    bar = grace.get_by_role("button", name="Show 1 new post")
    expect(bar).to_be_visible()
    expect(grace.get_by_role("link", name="Fresh from the press")).to_have_count(0)
    bar.click()
    expect(bar).to_be_hidden()
    title = newest.get_by_role("link", name="Fresh from the press")
    expect(title).to_be_visible()
    expect(title).to_be_focused()
    expect(newest.locator("[data-field=excerpt]")).to_have_text("Read this first.")
    expect(newest.locator("[data-field=author]")).to_have_text("Ada Lovelace")
    expect(grace.locator("#live-announcements")).to_have_text("New post: Fresh from the press")

    # Unpublishing takes it off the page again; nothing reloaded in between.
    ada.goto("/write/")
    row = ada.locator(".dashboard-row", has_text="Fresh from the press")
    row.get_by_role("button", name="Unpublish").click()
    expect(grace.get_by_role("link", name="Fresh from the press")).to_have_count(0)
    assert grace.evaluate("window.notReloaded") is True

    grace.reload()
    expect(grace.get_by_role("link", name="Fresh from the press")).to_have_count(0)


def test_a_draft_never_reaches_anyone_elses_home_page(open_page):
    grace = open_page(OTHER_WRITER)
    grace.goto("/")
    wait_until_live(grace)
    ada = open_page(WRITER)
    ada.goto("/write/new/")
    wait_until_live(ada)
    ada.get_by_label("Title").fill("Secret draft")
    ada.get_by_role("button", name="Save draft").click()
    expect(ada.locator("main .meta").first).to_contain_text("Draft")
    # A post published after the draft arrives; the draft, saved before it, never did.
    ada.goto("/write/new/")
    wait_until_live(ada)
    ada.get_by_label("Title").fill("Public after the draft")
    ada.get_by_role("button", name="Publish").click()
    grace.get_by_role("button", name="Show 1 new post").click()
    expect(grace.get_by_role("link", name="Public after the draft")).to_be_visible()
    expect(grace.get_by_role("link", name="Secret draft")).to_have_count(0)


def _publish(page, title: str) -> None:
    page.goto("/write/new/")
    wait_until_live(page)
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/write/[0-9a-f-]{36}/$"))


def test_a_post_unpublished_while_it_waits_leaves_the_bar(open_page):
    grace = open_page(OTHER_WRITER)
    grace.goto("/")
    wait_until_live(grace)
    ada = open_page(WRITER)
    _publish(ada, "Here a moment")
    _publish(ada, "Here to stay")
    expect(grace.get_by_role("button", name="Show 2 new posts")).to_be_visible()

    ada.goto("/write/")
    ada.locator(".dashboard-row", has_text="Here a moment").get_by_role(
        "button", name="Unpublish"
    ).click()
    bar = grace.get_by_role("button", name="Show 1 new post")
    expect(bar).to_be_visible()
    bar.click()
    expect(grace.get_by_role("link", name="Here to stay")).to_be_visible()
    expect(grace.get_by_role("link", name="Here a moment")).to_have_count(0)


def test_comment_counts_on_the_home_page_follow_comments_live(open_page):
    grace = open_page(OTHER_WRITER)
    grace.goto("/")
    wait_until_live(grace)
    grace.evaluate("window.notReloaded = true")
    article = grace.locator("[data-live-posts] > article").first
    count = article.locator("[data-field=comments]")
    before = int(count.get_attribute("data-count"))

    ada = open_page(WRITER)
    ada.goto(article.locator("h2 a").get_attribute("href"))
    wait_until_live(ada)
    ada.get_by_label("Add a comment").fill("Counted on the home page")
    ada.get_by_role("button", name="Comment", exact=True).click()
    expect(count).to_have_text(f"{before + 1} comment{'' if before == 0 else 's'}")

    mine = ada.locator("#comments li", has_text="Counted on the home page").last
    mine.locator(":scope > .comment-actions").get_by_role("link", name="Delete").click()
    ada.get_by_role("button", name="Delete").click()
    expect(count).to_have_text(f"{before} comment{'' if before == 1 else 's'}")
    assert grace.evaluate("window.notReloaded") is True
