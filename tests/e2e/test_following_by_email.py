"""A reader who never signs in follows an author by email, confirms through the queued link,
is told of the author's next post, and unsubscribes from the email's link (no JavaScript)."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e


def _queued(live_site, email: str, template: str) -> str:
    """The text of the newest email of ``template`` queued for ``email``."""
    return live_site.shell(
        "from mail.models import OutboundEmail\n"
        f"print(OutboundEmail.objects.filter(to={email!r}, template={template!r})"
        ".latest('id').body_text)"
    )


def _path(text: str, pattern: str) -> str:
    return urlsplit(re.search(pattern, text).group(0)).path


def test_a_reader_follows_an_author_confirms_and_unsubscribes(live_site, open_page):
    email = f"fan-{uuid.uuid4().hex[:8]}@example.com"
    author_id, author = live_site.shell(
        "from accounts.models import User\n"
        f"writer = User.objects.get(email={WRITER!r})\n"
        "print(writer.id, writer.display_name, sep='|')"
    ).split("|")
    page = open_page(javascript=False)
    page.goto(f"/authors/{author_id}/")
    page.get_by_role("link", name=f"Follow {author} by email").click()
    # The browser lets a dotless domain through; the site refuses it.
    page.get_by_label("Your email address").fill("fan@example")
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("alert")).to_contain_text("valid email address")

    page.get_by_label("Your email address").fill(email)
    page.get_by_label("An email for each new post").check()
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    confirmation = _queued(live_site, email, "follows/email/confirm_follow")
    page.goto(_path(confirmation, r"https?://\S+/follow/confirm/\S+/"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text(f"{email} follows")

    live_site.publish_post(author=WRITER, title="For my followers")
    live_site.manage("send_queued_mail")
    announcement = _queued(live_site, email, "follows/email/new_post")
    assert "For my followers" in announcement and author in announcement

    page.goto(_path(announcement, r"https?://\S+/email/unsubscribe/\S+/"))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text(
        "no more emails about new posts you follow"
    )
