"""A report goes through the queue live: a reader reports a comment from the post's page; the
editor's open queue shows it without reloading; the editor hides it; the reader's page no
longer shows the comment."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import wait_until_live
from tests.e2e.moderation_scene import comment_on, ensure_moderator
from tests.e2e.site import OTHER_WRITER, WRITER

pytestmark = pytest.mark.e2e


def test_a_report_reaches_the_open_queue_live_and_hiding_it_clears_the_readers_page(
    live_site, open_page
):
    moderator = ensure_moderator(live_site)
    path = live_site.publish_post(author=WRITER, title="Watches and clocks", content="On time.")
    comment_id = comment_on(
        live_site, post_path=path, author=OTHER_WRITER, content="Buy cheap watches at spam.example"
    )

    queue = open_page(moderator)
    queue.goto("/admin/moderation/report/")
    queue.locator("body[data-live='ready']").wait_for(state="attached")
    queue.evaluate("window.notReloaded = true")
    expect(queue.locator("#moderation-queue")).not_to_contain_text("Buy cheap watches")

    reader = open_page(WRITER)
    reader.goto(path)
    wait_until_live(reader)
    comment = reader.locator(f"#comment-{comment_id}")
    expect(comment.locator(":scope > .comment-body")).to_contain_text("Buy cheap watches")
    comment.locator(":scope > .comment-actions").get_by_role("link", name="Report").click()
    comment.get_by_label("Spam or advertising").check()
    comment.get_by_label("Anything the moderators should know (optional)").fill("An advert")
    comment.get_by_role("button", name="Send report").click()
    expect(comment.get_by_role("status")).to_have_text("Thank you: the moderators will look at it.")

    item = queue.locator(f".queue-item[data-comment-id='{comment_id}']")
    expect(item).to_contain_text("Buy cheap watches at spam.example")
    expect(item).to_contain_text("1 open report")
    expect(item).to_contain_text("An advert")
    assert queue.evaluate("window.notReloaded") is True

    item.get_by_role("button", name="Hide comment").click()
    expect(queue.locator(".messagelist")).to_contain_text("1 report(s) resolved: hide.")
    expect(queue.locator(f".queue-item[data-comment-id='{comment_id}']")).to_have_count(0)

    expect(reader.locator("#comments")).not_to_contain_text("Buy cheap watches")
