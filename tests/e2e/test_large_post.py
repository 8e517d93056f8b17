"""A 1 MiB post goes to the server through the live link in chunks, and comes back the same
way: the page shows it and the link's own query answers it whole."""

import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Traffic, wait_until_live
from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e

MIB = 1024 * 1024


def _one_mebibyte_of_markdown() -> str:
    # Multi-byte characters make chunk boundaries fall inside characters now and then.
    paragraphs = []
    size = 0
    index = 0
    while size < MIB - 200:
        paragraph = f"Paragraph {index}: café, naïve, ✓ — words to fill a long post.\n\n"
        paragraphs.append(paragraph)
        size += len(paragraph.encode())
        index += 1
    text = "".join(paragraphs) + "The very last line."
    return text + "." * (MIB - len(text.encode()))


def test_a_one_mebibyte_post_is_written_and_read_back_through_the_link(open_page):
    content = _one_mebibyte_of_markdown()
    assert len(content.encode()) == MIB
    page = open_page(WRITER)
    traffic = Traffic(page)
    page.goto("/write/new/")
    wait_until_live(page)
    page.get_by_label("Title").fill("A very long post")
    # Pasted, not typed: a megabyte of keystrokes would only time the test machine.
    page.get_by_label("Content").evaluate("(field, text) => { field.value = text; }", content)
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/write/[0-9a-f-]{36}/$"))

    sent = traffic.chunks("sent")
    chunks_per_message = Counter(chunk["messageId"] for chunk in sent)
    # The publish; and the draft's autosave first if two seconds passed after the title was typed.
    assert 1 <= len(chunks_per_message) <= 2
    assert all(count >= 5 for count in chunks_per_message.values())
    assert all(len(chunk["data"]) <= 200 * 1024 for chunk in sent)
    assert traffic.posts == []
    expect(page.get_by_label("Content")).to_have_value(content, timeout=30_000)

    page.get_by_role("link", name="View", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A very long post")
    expect(page.locator(".post-body p").last).to_contain_text("The very last line.")
    wait_until_live(page)
    received_before = len(traffic.chunks("received"))
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]
    post = page.evaluate("(slug) => window.inkwell.link.query('post.bySlug', { slug })", slug)
    assert post["title"] == "A very long post"
    assert post["content"] == content
    assert len(traffic.chunks("received")) - received_before >= 5  # the answer came in chunks
