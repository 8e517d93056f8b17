"""An author's text is kept while they type (autosave, through the live link or over HTTP),
leaving with unsaved changes warns, and the history page shows a diff and restores."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import PHONE, Traffic, wait_until_live
from tests.e2e.site import WRITER
from tests.e2e.test_accessibility import _problems

pytestmark = pytest.mark.e2e

EDITOR_URL = re.compile(r"/write/[0-9a-f-]{36}/$")


def _save(page, button: str) -> None:
    """Save through the editor's script and wait until it says so: a new post's first save
    opens its editor, a later one saves in place (static/js/editor.js)."""
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    expect(page.locator(".editor-status")).to_contain_text("Saved")


def _wait_for(condition, page, timeout_ms=15_000):
    for _ in range(timeout_ms // 100):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("The condition did not come true in time.")


def _status(page):
    return page.locator("#autosave-status")


def test_typing_a_new_post_autosaves_it_through_the_live_link_and_a_reload_shows_it(open_page):
    page = open_page(WRITER)
    traffic = Traffic(page)
    page.goto("/write/new/")
    wait_until_live(page)
    page.get_by_label("Title").fill("Kept while typing")
    page.get_by_label("Content").fill("The first words.")
    expect(_status(page)).to_have_text(re.compile(r"^Saved \d"))
    expect(page).to_have_url(EDITOR_URL)  # the page now points at the new draft

    page.get_by_label("Content").fill("The first words, and more.")
    _wait_for(lambda: traffic.procedures_called().count("post.autosave") == 2, page)
    expect(_status(page)).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))
    assert "post.create" not in traffic.procedures_called()
    assert traffic.posts == []  # no form POST, no HTTP call: the session channel carried it

    page.reload()  # no warning: everything is saved
    expect(page.get_by_label("Title")).to_have_value("Kept while typing")
    expect(page.get_by_label("Content")).to_have_value("The first words, and more.")
    page.goto("/write/")
    expect(page.locator(".dashboard-row", has_text="Kept while typing")).to_have_count(1)


def test_autosave_goes_over_http_when_the_link_is_down(open_page):
    page = open_page(WRITER)
    traffic = Traffic(page)
    page.goto("/write/new/")
    wait_until_live(page)
    page.evaluate("window.inkwell.client.close()")  # the link is down: HTTP it is
    page.get_by_label("Title").fill("Kept over HTTP")
    page.get_by_label("Content").fill("Saved without the socket.")
    expect(_status(page)).to_have_text(re.compile(r"^Saved \d"))
    assert any(url.endswith("/api/trpc/post.autosave") for url in traffic.posts)
    page.reload()
    expect(page.get_by_label("Content")).to_have_value("Saved without the socket.")


def test_an_autosave_that_cannot_reach_the_site_says_so_and_retries(open_page):
    page = open_page(WRITER)
    page.goto("/write/new/")
    wait_until_live(page)
    page.evaluate("window.inkwell.client.close()")
    page.route("**/api/trpc/post.autosave", lambda route: route.abort())  # the site is away
    page.get_by_label("Title").fill("Kept through an outage")
    page.get_by_label("Content").fill("Written while offline.")
    expect(_status(page)).to_have_text("Not saved — retrying")
    expect(page).to_have_url(re.compile(r"/write/new/$"))

    page.unroute("**/api/trpc/post.autosave")  # back
    expect(_status(page)).to_have_text(re.compile(r"^Saved \d"))
    expect(page).to_have_url(EDITOR_URL)
    page.reload()
    expect(page.get_by_label("Content")).to_have_value("Written while offline.")


def test_saving_while_the_first_autosave_is_on_its_way_makes_one_post(open_page):
    page = open_page(WRITER)
    page.goto("/write/new/")
    wait_until_live(page)
    page.evaluate("window.inkwell.client.close()")
    held = []
    page.route("**/api/trpc/post.autosave", lambda route: held.append(route))  # slow to arrive
    page.get_by_label("Title").fill("Saved once only")
    page.get_by_label("Content").fill("Both at once.")
    _wait_for(lambda: len(held) == 1, page)
    page.get_by_role("button", name="Save draft").click()  # waits for the autosave
    held[0].continue_()
    expect(page).to_have_url(EDITOR_URL)
    # The autosave made the draft, so the save updates it in place (static/js/editor.js).
    expect(page.locator(".editor-status")).to_contain_text("Saved as a draft")
    expect(page.get_by_label("Content")).to_have_value("Both at once.")
    page.goto("/write/")
    expect(page.locator(".dashboard-row", has_text="Saved once only")).to_have_count(1)


def test_leaving_a_published_post_with_unsaved_changes_warns_and_saving_does_not(
    open_page, live_site
):
    path = live_site.publish_post(author=WRITER, title="Public already", content="Public words.")
    page = open_page(WRITER)
    page.goto(path)
    page.goto("/write/")
    page.locator(".dashboard-row", has_text="Public already").get_by_role(
        "link", name="Edit"
    ).click()
    expect(page).to_have_url(EDITOR_URL)
    editor_url = page.url
    wait_until_live(page)
    dialogs = []

    def refuse_to_leave(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", refuse_to_leave)
    page.get_by_label("Content").fill("Public words, half-typ")
    expect(_status(page)).to_have_text("Unsaved changes")  # published: not autosaved
    page.get_by_role("link", name="View", exact=True).click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url == editor_url

    page.get_by_label("Content").fill("Public words, finished.")
    _save(page, "Save")
    page.get_by_role("link", name="View", exact=True).click()
    expect(page.locator(".post-body")).to_contain_text("Public words, finished.")
    assert dialogs == ["beforeunload"]  # none after the save


def test_the_history_page_shows_a_diff_and_restores_a_revision(open_page):
    page = open_page(WRITER)
    page.goto("/write/new/")
    page.get_by_label("Title").fill("With a past")
    page.get_by_label("Content").fill("First line\nSecond line")
    _save(page, "Save draft")
    expect(page).to_have_url(EDITOR_URL)
    page.get_by_label("Content").fill("First line\nA better second line")
    _save(page, "Save draft")

    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of “With a past”")
    diff = page.get_by_role("table")
    expect(diff.locator("del")).to_have_text("\u2212Removed: Second line")
    expect(diff.locator("ins")).to_have_text("+Added: A better second line")
    expect(page.get_by_role("navigation", name="Revisions").get_by_role("listitem")).to_have_count(
        2
    )

    page.get_by_role("navigation", name="Revisions").get_by_role("link").last.click()
    page.get_by_role("button", name="Restore this revision").click()
    expect(page.locator(".messages")).to_contain_text("it is the newest now")
    expect(page.get_by_role("navigation", name="Revisions").get_by_role("listitem")).to_have_count(
        3
    )
    expect(page.locator(".revision-list li").first).to_contain_text("Restored")
    page.get_by_role("link", name="Back to the editor").click()
    expect(page.get_by_label("Content")).to_have_value("First line\nSecond line")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_history_page_has_labels_landmarks_and_fits_the_screen(open_page, viewport):
    page = open_page(WRITER, viewport=viewport)
    page.goto("/write/new/")
    page.get_by_label("Title").fill("Checked for access")
    page.get_by_label("Content").fill("A line\n" + "wide-" * 80)
    _save(page, "Save draft")
    page.get_by_label("Content").fill("A changed line\n" + "wider-" * 80)
    _save(page, "Save draft")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("table")).to_be_visible()
    assert _problems(page) == []
