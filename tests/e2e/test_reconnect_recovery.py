"""A post page open through a server restart catches up on what it missed, in place: comments
written while the server was down appear once it is back, without a reload, and a comment sent
across the restart is written once. The header keeps its size whatever the live status says."""

import json

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import PHONE, Traffic, wait_until_live
from tests.e2e.site import OTHER_WRITER, WRITER, LiveSite

pytestmark = pytest.mark.e2e

# The retries are at most 10 s apart, and the server takes a few seconds to start.
BACK_WITHIN_MS = 20_000


def _comment_while_down(live_site: LiveSite, path: str, content: str) -> None:
    """A comment by WRITER, written through the service as any process would (the site's own
    server is down): committed with its event in the log."""
    slug = path.strip("/").split("/")[-1]
    live_site.shell(
        "from accounts.models import User; from blog.models import Post\n"
        "from blog.services import create_comment\n"
        f"create_comment(author=User.objects.get(email={WRITER!r}),"
        f" post=Post.objects.get(slug={slug!r}), content={content!r})"
    )


def _comments_in_database(live_site: LiveSite, content: str) -> int:
    return int(
        live_site.shell(
            "from blog.models import Comment\n"
            f"print(Comment.objects.filter(content={content!r}).count())"
        )
    )


def _bodies(page: Page):
    return page.locator("#comments .threads li > .comment-body")


def _reader(open_page, path: str) -> tuple[Page, Traffic, list[str]]:
    """OTHER_WRITER's page on ``path``, live, with what it sends and the queries it fetches."""
    page = open_page(OTHER_WRITER)
    traffic = Traffic(page)
    queries: list[str] = []
    page.on("request", lambda request: "/api/trpc/" in request.url and queries.append(request.url))
    page.goto(path)
    wait_until_live(page)
    # Survives only as long as the page does: proves nothing reloaded it.
    page.evaluate("window.notReloaded = true")
    return page, traffic, queries


def _restart_writing(live_site: LiveSite, pages: list[Page], write) -> None:
    """Kill the server, ``write()`` while it is down, start it again: the pages are live again."""
    live_site.server.kill()
    for page in pages:
        expect(page.locator("#live-status")).to_have_text("Reconnecting…")
    write()
    live_site.server.start()
    for page in pages:
        expect(page.locator("#live-status")).to_have_text("Live", timeout=BACK_WITHIN_MS)


def test_comments_written_during_a_restart_appear_from_the_events_missed(live_site, open_page):
    path = live_site.publish_post(author=WRITER, title="Nothing missed")
    reader, traffic, queries = _reader(open_page, path)
    writer = open_page(WRITER)
    writer.goto(path)
    wait_until_live(writer)
    # A first comment, live: the reader's page now knows where it is in the post's comments.
    send = writer.get_by_role("button", name="Comment", exact=True)
    writer.get_by_label("Add a comment").fill("Before the restart")
    send.click()
    expect(_bodies(reader)).to_have_text(["Before the restart"])
    expect(send).to_be_enabled()  # answered

    def write() -> None:
        _comment_while_down(live_site, path, "While the server was down")
        # Sent from the writer's page across the restart: it goes once the server is back.
        writer.get_by_label("Add a comment").fill("Sent across the restart")
        send.click()

    _restart_writing(live_site, [reader, writer], write)

    # In offset order on the reader's page; the writer's shows its own as soon as it is answered.
    expected = ["Before the restart", "While the server was down", "Sent across the restart"]
    expect(_bodies(reader)).to_have_text(expected, timeout=BACK_WITHIN_MS)
    expect(_bodies(writer)).to_have_count(3)
    assert sorted(_bodies(writer).all_text_contents()) == sorted(expected)
    for page in (reader, writer):
        expect(page.locator("#comments-heading")).to_have_text("3 comments")
    assert reader.evaluate("window.notReloaded") is True
    assert _comments_in_database(live_site, "Sent across the restart") == 1
    # Caught up from its last offset, not by fetching the comments again.
    resumed = [
        frame
        for frame in map(json.loads, traffic.frames_sent)
        if frame.get("type") == "subscribe" and "since" in frame
    ]
    assert resumed and all(
        frame["channel"].startswith("/subscriptions/comments/") for frame in resumed
    )
    # The first subscribe asks from where the page was rendered (no comment yet); the one
    # after the restart from the last comment it showed.
    assert resumed[0]["since"] == {"epoch": "", "offset": 0}
    assert resumed[-1]["since"]["offset"] == 1
    answers = [json.loads(text) for text in traffic.frames_received]
    assert any(answer.get("recovered") is True for answer in answers)
    assert not [url for url in queries if "comment.list" in url]


def test_a_page_that_had_seen_no_event_recovers_from_where_it_was_rendered(live_site, open_page):
    path = live_site.publish_post(author=WRITER, title="Quiet until the restart")
    reader, _, queries = _reader(open_page, path)

    _restart_writing(
        live_site, [reader], lambda: _comment_while_down(live_site, path, "The very first comment")
    )

    expect(_bodies(reader)).to_have_text(["The very first comment"])
    expect(reader.locator("#comments-heading")).to_have_text("1 comment")
    expect(reader.locator(".no-comments")).to_have_count(0)
    assert reader.evaluate("window.notReloaded") is True
    assert not [url for url in queries if "comment.list" in url], "recovered, not fetched"


def _header_box(page: Page) -> list:
    """Where the header is, and each thing in it but the live indicator: none may move."""
    return page.evaluate(
        """() => [document.querySelector("header.site-header"),
                  ...document.querySelectorAll(".site-header nav > :not(#live-status)")]
                 .map((element) => element.getBoundingClientRect().toJSON())"""
    )


def test_the_header_keeps_its_size_whether_live_or_reconnecting(live_site, open_page):
    path = live_site.publish_post(author=WRITER, title="A steady header")
    pages = []
    for viewport in (None, PHONE):
        page = open_page(OTHER_WRITER, viewport=viewport)
        page.goto(path)
        wait_until_live(page)
        pages.append(page)
    # Before any connection (here: never, without JavaScript) the indicator is hidden.
    first_paint = []
    for viewport in (None, PHONE):
        page = open_page(OTHER_WRITER, javascript=False, viewport=viewport)
        page.goto(path)
        first_paint.append(_header_box(page))
    live = [_header_box(page) for page in pages]

    live_site.server.kill()
    try:
        for page in pages:
            expect(page.locator("#live-status")).to_have_text("Reconnecting…")
        reconnecting = [_header_box(page) for page in pages]
    finally:
        live_site.server.start()
    for page in pages:
        expect(page.locator("#live-status")).to_have_text("Live", timeout=BACK_WITHIN_MS)

    assert reconnecting == live
    assert first_paint == live
    assert [_header_box(page) for page in pages] == live


def test_a_comment_whose_answer_was_lost_is_sent_again_with_its_key_and_written_once(
    live_site, open_page
):
    path = live_site.publish_post(author=WRITER, title="Said once")
    page = open_page(OTHER_WRITER)
    # No live connection at all: the form goes over HTTP.
    page.route_web_socket("**/event/realtime", lambda socket: socket.close())
    sent: list[dict] = []

    def lose_the_first_answer(route) -> None:
        response = route.fetch()  # the server runs it
        sent.append(
            {**route.request.headers, "replayed": response.headers.get("idempotent-replayed")}
        )
        if len(sent) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/api/trpc/comment.create", lose_the_first_answer)
    page.goto(path)
    page.get_by_label("Add a comment").fill("Only once, please")
    page.get_by_role("button", name="Comment", exact=True).click()

    expect(_bodies(page)).to_have_text(["Only once, please"])
    assert len(sent) == 2
    assert sent[0]["idempotency-key"] == sent[1]["idempotency-key"]
    assert sent[1]["replayed"] == "true"
    assert _comments_in_database(live_site, "Only once, please") == 1
