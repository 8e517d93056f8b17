"""A newcomer signs up, is refused when they try to comment, follows the link the site queued
for them, and then comments (local provider)."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import wait_until_live
from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e


def _queued_confirmation_link(live_site, email: str) -> str:
    """The path of the link in the newest confirmation email queued for ``email``."""
    body = live_site.shell(
        "from mail.models import OutboundEmail\n"
        f"print(OutboundEmail.objects.filter(to={email!r},"
        " template='accounts/email/confirm_email').latest('id').body_text)"
    )
    return urlsplit(re.search(r"https?://\S+/email/confirm/\S+/", body).group(0)).path


def test_a_newcomer_confirms_their_address_before_commenting(live_site, open_page):
    post = live_site.publish_post(author=WRITER, title="Say hello", content="Introduce yourself.")
    email = f"cora-{uuid.uuid4().hex[:8]}@example.com"
    page = open_page()
    page.goto("/sign-up/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name").fill("Cora Confirm")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password (again)").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name="Cora Confirm")).to_be_visible()
    expect(page.get_by_text("Confirm your email address.")).to_be_visible()

    page.goto(post)
    wait_until_live(page)
    page.get_by_label("Add a comment").fill("Hello, all.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Confirm your email address before you write")
    expect(page.locator(".comment", has_text="Hello, all.")).to_have_count(0)

    page.goto(_queued_confirmation_link(live_site, email))
    expect(page.get_by_text(email, exact=True)).to_be_visible()
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.locator(".messages")).to_contain_text("Your email address is confirmed")
    expect(page.get_by_text("Confirm your email address.")).to_have_count(0)

    page.goto(post)
    wait_until_live(page)
    page.get_by_label("Add a comment").fill("Hello, all.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator(".comment", has_text="Hello, all.")).to_have_count(1)
