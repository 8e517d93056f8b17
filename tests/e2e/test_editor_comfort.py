"""The editor with JavaScript: a live preview rendered by the server as you type (beside the
text on a wide screen, below it on a phone), a toolbar and shortcuts that wrap the selection,
a spoken confirmation after a save, and field errors beside their fields."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import PHONE, Traffic, wait_until_live
from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e

EDITOR_URL = re.compile(r"/write/[0-9a-f-]{36}/$")


def _saved_draft(page, title: str) -> None:
    page.goto("/write/new/")
    wait_until_live(page)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Content").fill("First words.")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(EDITOR_URL)
    wait_until_live(page)


def test_the_live_preview_follows_the_typing_through_the_link(open_page):
    page = open_page(WRITER)
    traffic = Traffic(page)
    page.goto("/write/new/")
    wait_until_live(page)
    preview = page.get_by_role("region", name="Preview")
    content = page.get_by_label("Content")
    content.fill("Some **strong** words <script>alert(1)</script>")
    expect(preview.locator("strong")).to_have_text("strong")
    expect(preview.locator("script")).to_have_count(0)
    content.press("End")
    content.press_sequentially("\n\n## A new section\n")
    expect(preview.get_by_role("heading", name="A new section")).to_be_visible()
    assert "post.preview" in traffic.procedures_called()
    # Beside the text on a wide screen.
    text_box, preview_box = content.bounding_box(), preview.bounding_box()
    assert preview_box["x"] >= text_box["x"] + text_box["width"]


def test_on_a_phone_the_preview_is_below_the_text(open_page):
    page = open_page(WRITER, viewport=PHONE)
    page.goto("/write/new/")
    page.get_by_label("Content").fill("*Phone* words")
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("em")).to_have_text("Phone")
    text_box, preview_box = page.get_by_label("Content").bounding_box(), preview.bounding_box()
    assert preview_box["y"] >= text_box["y"] + text_box["height"]


def test_shortcuts_and_the_toolbar_wrap_the_selection(open_page):
    page = open_page(WRITER)
    page.goto("/write/new/")
    content = page.get_by_label("Content")
    content.fill("make this loud")
    content.press("End")
    for _ in range(4):
        content.press("Shift+ArrowLeft")  # "loud" selected
    content.press("Control+b")
    expect(content).to_have_value("make this **loud**")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    toolbar.get_by_role("button", name="Italic").click()  # "loud" is still selected
    expect(content).to_have_value("make this **_loud_**")
    expect(toolbar.get_by_role("button", name="Bold")).to_have_attribute(
        "aria-keyshortcuts", "Control+B Meta+B"
    )
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong em")).to_have_text("loud")


def test_ctrl_s_saves_in_place_and_says_so_and_publish_says_where_to_look(open_page):
    page = open_page(WRITER)
    _saved_draft(page, "Saved with a shortcut")
    expect(page.locator("form .editor-status")).to_have_text("Saved as a draft")
    url = page.url

    page.get_by_label("Content").fill("Second words.")
    page.get_by_label("Content").press("Control+s")
    status = page.locator("form .editor-status")
    expect(status).to_have_text(re.compile(r"^Saved as a draft at \d\d:\d\d$"))
    expect(status).to_have_attribute("role", "status")
    assert page.url == url
    page.reload()
    expect(page.get_by_label("Content")).to_have_value("Second words.")

    wait_until_live(page)
    page.get_by_role("button", name="Publish").click()
    status = page.locator("form .editor-status")
    expect(status).to_have_text("Published — view post")
    status.get_by_role("link", name="view post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved with a shortcut")


def test_a_refused_field_shows_its_error_beside_it(open_page):
    page = open_page(WRITER)
    _saved_draft(page, "Bad slug on the way")
    page.get_by_label("Slug").fill("Not Valid")
    page.get_by_role("button", name="Save draft").click()
    slug_field = page.locator(".field", has=page.get_by_label("Slug"))
    expect(slug_field.locator(".errors")).to_contain_text("lowercase letters, digits and hyphens")
    expect(page.get_by_label("Slug")).to_have_attribute("aria-invalid", "true")
    title_field = page.locator(".field", has=page.get_by_label("Title"))
    expect(title_field.locator(".errors")).to_have_count(0)
