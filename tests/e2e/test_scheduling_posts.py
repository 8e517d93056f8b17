"""An author schedules a post from the editor, sees it on the dashboard, and publish_scheduled
puts it on the home page when its time comes; a bad time is refused on its field."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import wait_until_live
from tests.e2e.site import WRITER

pytestmark = pytest.mark.e2e

EDITOR_URL = re.compile(r"/write/[0-9a-f-]{36}/$")


def test_a_scheduled_post_shows_on_the_dashboard_and_is_published_by_the_command(
    open_page, live_site
):
    page = open_page(WRITER)
    page.goto("/write/new/")
    wait_until_live(page)
    page.get_by_label("Title").fill("Scheduled from the editor")
    page.get_by_label("Content").fill("Out **later**.")
    when = datetime.now(UTC) + timedelta(hours=2)
    page.get_by_label("Publish at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()

    expect(page).to_have_url(EDITOR_URL)
    shown = f"{when.day} {when:%b %Y}, {when:%H:%M} UTC"
    expect(page.locator("form .editor-status")).to_have_text(f"Scheduled for {shown}")
    expect(page.locator("main .meta").first).to_contain_text("Scheduled for")
    expect(page.get_by_role("button", name="Unschedule")).to_be_visible()

    page.goto("/write/")
    row = page.locator(".dashboard-row", has_text="Scheduled from the editor")
    expect(row.locator(".scheduled")).to_contain_text(
        f"Scheduled for {when.day} {when:%b %Y %H:%M} UTC"
    )
    page.goto("/")
    expect(page.get_by_role("link", name="Scheduled from the editor")).to_have_count(0)

    # Its time comes; the scheduler's command publishes it.
    live_site.shell(
        "from datetime import timedelta; from django.utils import timezone\n"
        "from blog.models import Post\n"
        "Post.objects.filter(title='Scheduled from the editor')"
        ".update(publish_at=timezone.now() - timedelta(seconds=1))"
    )
    assert "Published “Scheduled from the editor”" in live_site.manage("publish_scheduled")
    page.goto("/")
    expect(page.get_by_role("link", name="Scheduled from the editor")).to_be_visible()
    page.goto("/write/")
    row = page.locator(".dashboard-row", has_text="Scheduled from the editor")
    expect(row.locator(".scheduled")).to_have_count(0)
    expect(row.get_by_role("button", name="Unpublish")).to_be_visible()


def test_a_time_in_the_past_is_refused_next_to_its_field_and_nothing_is_lost(open_page):
    page = open_page(WRITER)
    page.goto("/write/new/")
    wait_until_live(page)
    page.get_by_label("Title").fill("Too late")
    page.get_by_label("Content").fill("Words to keep.")
    page.get_by_role("button", name="Schedule").click()  # no time chosen
    field = page.locator(".field", has=page.get_by_label("Publish at"))
    expect(field.locator(".errors")).to_have_text("Choose when to publish.")

    page.get_by_label("Publish at").fill("2020-01-01T10:00")
    page.get_by_role("button", name="Schedule").click()
    expect(field.locator(".errors")).to_have_text("Choose a time in the future.")
    expect(page.get_by_label("Publish at")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Content")).to_have_value("Words to keep.")
    expect(page).to_have_url(re.compile(r"/write/new/$"))
