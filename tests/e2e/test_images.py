"""An author adds images in the editor (by the button, a drop and a paste), their Markdown
lands at the cursor, one becomes the cover, and the post page shows it with its renditions."""

import io
import re

import pytest
from PIL import Image as Pillow
from playwright.sync_api import expect

from tests.e2e.browser import wait_until_live
from tests.e2e.site import WRITER
from tests.e2e.test_accessibility import PROBLEMS as ACCESSIBILITY_PROBLEMS

pytestmark = pytest.mark.e2e

EDITOR_URL = re.compile(r"/write/[0-9a-f-]{36}/$")
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(/media/images/[^)]+\)")


def _png(colour: tuple[int, int, int], size=(1200, 800)) -> bytes:
    buffer = io.BytesIO()
    Pillow.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _drop_file(page, selector: str, name: str, data: bytes) -> None:
    """A file dropped on the element, as the browser's drag and drop delivers it."""
    page.evaluate(
        """([selector, name, bytes]) => {
            const target = document.querySelector(selector);
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, { type: "image/png" }));
            const drop = { dataTransfer: transfer, bubbles: true, cancelable: true };
            target.dispatchEvent(new DragEvent("drop", drop));
        }""",
        [selector, name, list(data)],
    )


def _paste_file(page, selector: str, name: str, data: bytes) -> None:
    """A file pasted into the element (an image copied from another program)."""
    page.evaluate(
        """([selector, name, bytes]) => {
            const target = document.querySelector(selector);
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, { type: "image/png" }));
            const paste = { clipboardData: transfer, bubbles: true, cancelable: true };
            target.dispatchEvent(new ClipboardEvent("paste", paste));
        }""",
        [selector, name, list(data)],
    )


def test_an_author_inserts_images_and_chooses_a_cover_shown_with_its_renditions(open_page):
    page = open_page(WRITER)
    page.goto("/write/new/")
    page.get_by_label("Title").fill("Harbour pictures")
    page.get_by_label("Content").fill("Before the pictures.\n")
    wait_until_live(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(EDITOR_URL)

    content = page.get_by_label("Content")
    content.click()
    content.press("Control+End")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Insert image").click()
    chooser.value.set_files(
        files=[
            {"name": "harbour-at-dawn.png", "mimeType": "image/png", "buffer": _png((30, 90, 160))}
        ]
    )
    expect(content).to_have_value(
        re.compile(r"Before the pictures\.\n!\[harbour at dawn\]\(/media/")
    )

    _drop_file(page, "textarea[name=content]", "boats.png", _png((200, 120, 40)))
    expect(content).to_have_value(re.compile(r"!\[boats\]\(/media/images/.+\)\n$"))
    _paste_file(page, "textarea[name=content]", "gulls.png", _png((240, 240, 240), (300, 200)))
    expect(content).to_have_value(re.compile(r"!\[gulls\]\(/media/images/.+\)\n$"))
    assert len(MARKDOWN_IMAGE.findall(content.input_value())) == 3

    # Both are offered as the cover at once; the first becomes it.
    page.get_by_role("radio", name="harbour at dawn").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("main .meta").first).to_contain_text("Published")
    expect(page.get_by_role("radio", name="harbour at dawn")).to_be_checked()
    page.wait_for_load_state("load")
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == []  # the editor with its images

    page.get_by_role("link", name="View").click()
    cover = page.locator("header picture.cover img")
    expect(cover).to_have_attribute("width", "1200")
    expect(cover).to_have_attribute("height", "800")
    expect(cover).to_have_attribute("alt", "harbour at dawn")
    expect(cover).to_have_attribute("srcset", re.compile(r"480w, .+ 960w, .+ 1200w$"))
    expect(page.locator("header picture.cover source[type='image/webp']")).to_have_attribute(
        "srcset", re.compile(r"\.webp 480w, .+\.webp 960w")
    )
    page.wait_for_function("document.querySelector('header picture.cover img').naturalWidth > 0")
    # The Markdown images are in the post, loaded from the site's media.
    expect(page.locator(".post-body img")).to_have_count(3)
    page.wait_for_function(
        "[...document.querySelectorAll('.post-body img')]"
        ".every((img) => img.complete && img.naturalWidth > 0)"
    )
    og_image = page.locator("meta[property='og:image']")
    expect(og_image).to_have_attribute(
        "content", re.compile(r"^http://127\.0\.0\.1:\d+/media/images/")
    )
