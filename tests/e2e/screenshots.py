"""Screenshots of the main pages for the README: ``python -m tests.e2e.screenshots [folder]``.

Starts its own seeded site and headless Chromium, like the end-to-end tests, and writes PNGs
(docs/screenshots/ by default).
"""

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e import browser as chromium
from tests.e2e.moderation_scene import comment_on, ensure_moderator, report_comments
from tests.e2e.site import OTHER_WRITER, WRITER, LiveSite
from tests.live_server import ROOT

DEFAULT_FOLDER = ROOT / "docs" / "screenshots"
SCREEN = {"width": 1100, "height": 860}

BUSIEST_POST = """() => {
  const count = (article) => parseInt(article.querySelector("[data-field=comments]").textContent);
  const articles = [...document.querySelectorAll("[data-live-posts] article")];
  articles.sort((a, b) => count(b) - count(a));
  return articles[0].querySelector("h2 a").getAttribute("href");
}"""

DRAFT = """# Field notes

Inkwell renders **Markdown** on the server, and the preview shows exactly what readers get:

- lists, *emphasis* and [links](https://example.com)
- tables and fenced code

```python
print("hello, reader")
```
"""


def _shoot(page: Page, folder: Path, name: str, *, full_page: bool = False) -> None:
    page.wait_for_load_state("load")
    page.screenshot(path=folder / f"{name}.png", full_page=full_page, animations="disabled")
    print(folder / f"{name}.png")


def _live(page: Page) -> None:
    chromium.wait_until_live(page)


def take(folder: Path, shoot: Callable[..., None] | None = None) -> None:
    """Every screenshot, or only what ``shoot`` (``_pages``' signature) takes."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as state_dir:
        site = LiveSite(Path(state_dir))
        site.server.start()
        try:
            with sync_playwright() as playwright:
                browser = chromium.launch(playwright)
                try:
                    (shoot or _pages)(browser, site, folder, Path(state_dir))
                finally:
                    browser.close()
        finally:
            site.server.stop()


def _pages(browser, site: LiveSite, folder: Path, state_dir: Path) -> None:
    anonymous = chromium.new_context(browser, site.url, viewport=SCREEN).new_page()
    anonymous.goto("/sign-in/")
    _shoot(anonymous, folder, "sign-in")

    state = chromium.signed_in_state(browser, site.url, WRITER, state_dir / "writer.json")
    context = chromium.new_context(browser, site.url, storage_state=state, viewport=SCREEN)
    page = context.new_page()
    page.goto("/")
    _live(page)
    _shoot(page, folder, "home")
    post = page.evaluate(BUSIEST_POST)

    page.goto(post)
    _live(page)
    page.locator("#comments").scroll_into_view_if_needed()
    page.locator("#comments .replies > li").first.scroll_into_view_if_needed()
    _shoot(page, folder, "post-with-threads")

    page.goto("/search/?q=caching")
    _shoot(page, folder, "search-results")

    page.goto("/write/new/")
    page.get_by_label("Title").fill("Field notes")
    page.get_by_label("Content").fill(DRAFT)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/write/*-*/")
    page.goto("/write/")
    _shoot(page, folder, "writing-dashboard")

    page.get_by_role("link", name="Edit").first.click()
    with page.expect_navigation():  # the no-JavaScript preview posts the form
        page.get_by_role("button", name="Preview").click()
    # With JavaScript the preview is the live one beside the text, once it has rendered.
    expect(page.locator(".live-preview")).to_contain_text("hello, reader")
    _shoot(page, folder, "editor-preview", full_page=True)

    # A second pass over the draft, and its history: the diff against the first save.
    page.get_by_label("Content").fill(
        DRAFT.replace("the preview shows exactly", "the preview shows, as you type,")
        + "\nA paragraph added on the second pass.\n"
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".editor-status")).to_contain_text("Saved")  # saved in place (editor.js)
    page.get_by_role("link", name="History").click()
    _shoot(page, folder, "post-history", full_page=True)

    post_showcase(page, site, folder)

    phone = chromium.new_context(
        browser, site.url, storage_state=state, viewport=chromium.PHONE
    ).new_page()
    phone.goto(post)
    _live(phone)
    _shoot(phone, folder, "phone-post")
    moderation_queue(browser, site, folder, state_dir)


SHOWCASE = """A short tour of what a post can carry.

## Setting up

Install it, then run the **one command**:

```python
def greet(reader: str) -> str:
    return f"Hello, {reader}!"
```

## Writing

- [x] a cover image with `srcset`
- [ ] tags, a table of contents and highlighted code

## Reading

Every heading gets an anchor, and three or more make a table of contents.
"""


def post_showcase(page: Page, site: LiveSite, folder: Path) -> None:
    """A published post with a cover image, tags, a table of contents and highlighted code."""
    path = site.shell(
        "import io\n"
        "from PIL import Image as Picture\n"
        "from accounts.models import User\n"
        "from blog.services import add_post_image, create_post, update_post\n"
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        f"author = User.objects.get(email={WRITER!r})\n"
        f"post = create_post(author=author, title='A tour of a post', content={SHOWCASE!r},"
        " tags=['Markdown', 'Images', 'Django'])\n"
        "picture = Picture.linear_gradient('L').resize((1600, 900)).convert('RGB')\n"
        "buffer = io.BytesIO(); picture.save(buffer, 'JPEG')\n"
        "upload = SimpleUploadedFile('cover.jpg', buffer.getvalue(), 'image/jpeg')\n"
        "add_post_image(post=post, upload=upload, alt='A grey gradient', as_cover=True)\n"
        "update_post(post=post, published=True)\n"
        "print(post.get_absolute_url())"
    )
    page.goto(path)
    _live(page)
    _shoot(page, folder, "post-with-cover-tags-and-code", full_page=True)


def moderation_queue(browser, site: LiveSite, folder: Path, state_dir: Path) -> None:
    """The editors' queue with a few reported comments (one a reply, shown with its parent),
    as an editor of the Editors group sees it."""
    moderator = ensure_moderator(site)
    path = site.publish_post(author=WRITER, title="Which watch keeps time?", content="Opinions.")
    parent = comment_on(site, post_path=path, author=WRITER, content="Mine loses a minute a week.")
    spam = comment_on(
        site, post_path=path, author=OTHER_WRITER, content="Cheap replica watches at spam.example!"
    )
    rude = comment_on(site, post_path=path, author=OTHER_WRITER, content="Nobody asked you.")
    site.shell(
        "from blog.models import Comment\n"
        f"Comment.objects.filter(id={rude!r}).update(parent_id={parent!r}, depth=1)"
    )
    report_comments(
        site,
        [
            (WRITER, spam, "spam", "An advert, posted on three threads."),
            ("editor@demo.inkwell.example", spam, "spam", ""),
            (WRITER, rude, "harassment", "Rude to me for no reason."),
        ],
    )
    # A newcomer's first comment, held for review (the live site holds none by default).
    site.shell(
        "from django.test import override_settings\n"
        "from accounts.models import User; from blog.models import Post\n"
        "from blog.services import create_comment\n"
        "newcomer = User.objects.create_user('newcomer@demo.inkwell.example', None, name='Nia')\n"
        f"post = Post.objects.get(slug={path.rstrip('/').rsplit('/', 1)[-1]!r})\n"
        "with override_settings(MODERATION_HOLD_FIRST_COMMENTS=1):\n"
        "    create_comment(author=newcomer, post=post, content='First time here: mine is solar.')"
    )
    state = chromium.signed_in_state(browser, site.url, moderator, state_dir / "moderator.json")
    page = chromium.new_context(browser, site.url, storage_state=state, viewport=SCREEN).new_page()
    page.goto("/admin/moderation/report/")
    page.locator("body[data-live='ready']").wait_for(state="attached")
    _shoot(page, folder, "moderation-queue", full_page=True)


if __name__ == "__main__":
    # python -m tests.e2e.screenshots [folder] [moderation-queue]: every page, or only that one.
    only = {"moderation-queue": moderation_queue}.get(sys.argv[2]) if len(sys.argv) > 2 else None
    take(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER, only)
