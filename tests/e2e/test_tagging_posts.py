"""An author tags a post in the editor, taking an existing tag from the suggestions and adding
a new one; a reader follows the tag from the post to the tag's page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.site import OTHER_WRITER, WRITER

pytestmark = pytest.mark.e2e


def test_an_author_tags_a_post_with_suggestions_and_a_reader_opens_the_tag_page(
    open_page, live_site
):
    live_site.shell(
        "from accounts.models import User; from blog.services import create_post\n"
        f"create_post(author=User.objects.get(email={OTHER_WRITER!r}), title='Tagged earlier',"
        " tags=['Playwright Testing'], published=True)"
    )
    page = open_page(WRITER)
    page.goto("/write/new/")
    page.get_by_label("Title").fill("Tagged in the browser")
    page.get_by_label("Content").fill("Words about **browsers**.")
    tags = page.get_by_role("combobox", name="Tags")
    tags.press_sequentially("playw", delay=40)
    suggestion = page.get_by_role("option", name="Playwright Testing")
    expect(suggestion).to_be_visible()
    tags.press("ArrowDown")
    expect(suggestion).to_have_attribute("aria-selected", "true")
    tags.press("Enter")  # takes the suggestion; the form is not sent
    expect(tags).to_have_value("Playwright Testing, ")
    expect(page.get_by_role("listbox")).to_be_hidden()
    tags.press_sequentially("Fresh from E2E")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("main .meta").first).to_contain_text("Published")
    expect(page.get_by_role("combobox", name="Tags")).to_have_value(
        "Fresh from E2E, Playwright Testing"
    )

    reader = open_page()
    reader.goto("/")
    reader.get_by_role("link", name="Tagged in the browser").click()
    reader.get_by_role("link", name="#Playwright Testing").click()
    expect(reader).to_have_url(re.compile(r"/tags/playwright-testing/$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("#Playwright Testing")
    titles = reader.locator("article.post-summary h2")
    expect(titles).to_have_text(["Tagged in the browser", "Tagged earlier"])
    expect(
        reader.locator('link[rel="alternate"][href="/tags/playwright-testing/feed/"]')
    ).to_have_count(1)
