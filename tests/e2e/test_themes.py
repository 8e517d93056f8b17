"""Dark mode: the page follows the reader's system, and a theme chosen in the footer wins and is
remembered; highlighted code follows whichever applies."""

import pytest
from playwright.sync_api import expect

from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e

PAGE_BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"
LIGHT_BACKGROUND = "rgb(253, 252, 250)"
DARK_BACKGROUND = "rgb(20, 23, 29)"
CODE_BACKGROUND = (
    "() => getComputedStyle(document.querySelector('.post-body pre.highlight')).backgroundColor"
)


def test_the_page_follows_the_system_until_the_reader_chooses(open_page):
    page = open_page()
    page.emulate_media(color_scheme="dark")
    page.goto("/")
    assert page.evaluate(PAGE_BACKGROUND) == DARK_BACKGROUND
    page.emulate_media(color_scheme="light")
    assert page.evaluate(PAGE_BACKGROUND) == LIGHT_BACKGROUND

    picker = page.get_by_label("Theme")
    expect(picker).to_have_value("")  # System
    picker.select_option("dark")
    assert page.evaluate(PAGE_BACKGROUND) == DARK_BACKGROUND

    # Remembered on the next page, before anything is drawn: no light flash.
    page.goto("/sign-in/")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate(PAGE_BACKGROUND) == DARK_BACKGROUND
    expect(page.get_by_label("Theme")).to_have_value("dark")

    page.get_by_label("Theme").select_option("")
    assert page.evaluate(PAGE_BACKGROUND) == LIGHT_BACKGROUND
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") is None


def test_highlighted_code_follows_the_chosen_theme(open_page, live_site):
    path = live_site.publish_post(
        author=WRITER, title="Colours of code", content="```python\nprint('hi')\n```"
    )
    page = open_page()
    page.emulate_media(color_scheme="light")
    page.goto("/")
    page.get_by_label("Theme").select_option("dark")
    page.goto(path)
    assert page.evaluate(CODE_BACKGROUND) == "rgb(13, 17, 23)"  # github-dark
    page.get_by_label("Theme").select_option("light")
    assert page.evaluate(CODE_BACKGROUND) == "rgb(248, 248, 248)"  # Pygments' default


def test_without_javascript_there_is_no_picker_and_the_system_decides(open_page):
    page = open_page(javascript=False)
    page.emulate_media(color_scheme="dark")
    page.goto("/")
    expect(page.get_by_label("Theme")).to_be_hidden()
    assert page.evaluate(PAGE_BACKGROUND) == DARK_BACKGROUND
