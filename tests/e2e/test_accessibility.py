"""Accessibility of the pages: axe-core finds no serious or critical violation, and our own
checks hold (labelled controls, landmarks, one h1, a skip link first in the tab order, no
sideways scrolling on a phone)."""

from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.browser import PHONE
from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e

ANONYMOUS_PAGES = [
    "/",
    "/search/?q=caching",
    "/search/?q=zzzznothing",
    "/sign-in/",
    "/sign-up/",
    "/password/forgot/",
    "/follow/",
    # The demo posts are filed under their topics (blog.demo).
    "/tags/",
    "/tags/caching/",
    "/archive/",
    "/search/?q=caching&tag=caching",
]
SIGNED_IN_PAGES = [
    "/",
    "/write/",
    "/write/new/",
    "/profile/",
    "/profile/notifications/",
    "/profile/password/",
    "/profile/email/",
    "/profile/delete/",
    "/search/?q=templates",
]

PROBLEMS = """() => {
  const problems = [];
  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]), textarea, select");
  for (const control of controls) {
    const named = control.labels.length || control.getAttribute("aria-label")
      || control.getAttribute("aria-labelledby");
    if (!named) problems.push(`unlabelled ${control.tagName} ${control.name}`);
  }
  for (const button of document.querySelectorAll("button, a[href]")) {
    if (!button.textContent.trim() && !button.getAttribute("aria-label"))
      problems.push(`nameless ${button.tagName} ${button.outerHTML.slice(0, 60)}`);
  }
  for (const image of document.querySelectorAll("img:not([alt])"))
    problems.push(`no alt: ${image.src}`);
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) problems.push(`${h1s} h1 elements`);
  for (const landmark of ["header", "nav", "main", "footer"]) {
    if (document.querySelectorAll(landmark).length < 1) problems.push(`no <${landmark}>`);
  }
  if (!document.documentElement.lang) problems.push("no lang");
  if (!document.title.trim()) problems.push("no title");
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) problems.push(`scrolls sideways: ${width} > ${window.innerWidth}`);
  return problems;
}"""


AXE = Axe()
SERIOUS = {"serious", "critical"}


def _problems(page) -> list[str]:
    # After a click, measure the new page once its style sheet has loaded, not before.
    page.wait_for_load_state("load")
    problems = page.evaluate(PROBLEMS)
    for violation in AXE.run(page).response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [node["target"] for node in violation["nodes"][:3]]
            problems.append(f"axe {violation['id']} ({violation['impact']}): {targets}")
    return problems


def _first_post(page) -> str:
    page.goto("/")
    return page.locator("[data-live-posts] h2 a").first.get_attribute("href")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_pages_have_labels_landmarks_one_h1_and_fit_the_screen(open_page, viewport):
    reader = open_page(viewport=viewport)
    post = _first_post(reader)
    author = reader.locator("[data-live-posts] [data-field=author]").first.get_attribute("href")
    problems = {}
    this_month = datetime.now(UTC).strftime("/archive/%Y/%-m/")  # the demo posts' month
    for path in [*ANONYMOUS_PAGES, post, author, this_month]:
        reader.goto(path)
        problems[f"anonymous {path}"] = _problems(reader)

    writer = open_page(WRITER, viewport=viewport)
    for path in [*SIGNED_IN_PAGES, post]:
        writer.goto(path)
        problems[f"signed in {path}"] = _problems(writer)
    writer.goto("/write/new/")
    writer.get_by_label("Title").fill("Preview check")
    writer.get_by_label("Content").fill(
        "# A heading in the post\n\nWide `code` " + "x" * 300 + "\n\n- [ ] to do\n- [x] done\n\n"
        "A claim[^1].\n\n```python\nprint('"
        + "y" * 150
        + "')  # wide\n```\n\n[^1]: Its source.\n\n## Second heading\n\n## Third heading"
    )
    writer.get_by_role("button", name="Preview").click()
    problems["editor preview"] = _problems(writer)
    writer.goto("/write/")
    writer.get_by_role("link", name="History").first.click()
    problems["post history"] = _problems(writer)
    writer.goto(post)
    writer.get_by_label("Add a comment").fill("Checking the edit page")
    writer.get_by_role("button", name="Comment", exact=True).click()
    writer.locator(".comment-actions a", has_text="Edit").last.click()
    problems["comment edit"] = _problems(writer)

    assert {where: found for where, found in problems.items() if found} == {}


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(open_page):
    page = open_page()
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
