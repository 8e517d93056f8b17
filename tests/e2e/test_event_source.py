"""Chromium's own EventSource on a page of the site subscribes to ``post.onCreate`` over SSE
(signed in by the site's session cookie): a post another writer publishes arrives with its id,
and after the server restarts the browser resumes with Last-Event-ID: the posts published
while it was away arrive, once each."""

import http.client
import json
import time

import pytest

from tests.e2e.site import OTHER_WRITER, WRITER

pytestmark = pytest.mark.e2e

LISTEN = """() => {
    window.received = [];
    window.opened = 0;
    const source = new EventSource("/api/trpc/post.onCreate");
    source.addEventListener("connected", () => { window.opened += 1; });
    source.onmessage = (event) => {
        window.received.push({ id: event.lastEventId, post: JSON.parse(event.data) });
    };
}"""


def publish(live_site, token: str, title: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", live_site.server.port, timeout=10)
    connection.request(
        "POST",
        "/api/trpc/post.create",
        json.dumps({"title": title, "content": "Words.", "published": True}),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    return json.loads(connection.getresponse().read())["result"]["data"]["id"]


def wait_for(page, expression: str, timeout: float = 15) -> object:
    """The value of ``expression`` in the page once truthy (polled from here: the site's CSP
    refuses the string evaluation Playwright's wait_for_function needs)."""
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(expression)):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(50)
    return value


def test_chromiums_event_source_gets_new_posts_and_resumes_after_a_drop(open_page, live_site):
    (token,) = live_site.tokens(WRITER)
    page = open_page(OTHER_WRITER)
    page.goto("/")
    page.evaluate(LISTEN)
    wait_for(page, "window.opened === 1")

    first = publish(live_site, token, "Seen by EventSource")
    (received,) = wait_for(page, "window.received.length === 1 && window.received")
    assert received["post"]["id"] == first
    assert received["id"].partition(":")[2].isdigit()

    live_site.server.kill()  # the stream drops; EventSource retries every few seconds
    missed = [
        live_site.publish_post(author=WRITER, title=f"Published while away {n}") for n in (1, 2)
    ]
    live_site.server.start()
    wait_for(page, "window.opened === 2", timeout=30)
    wait_for(page, "window.received.length >= 3")
    page.wait_for_timeout(300)  # anything repeated would have come by now
    after = page.evaluate("window.received")
    assert [item["post"]["url"] for item in after[1:]] == missed
    assert len({item["id"] for item in after}) == 3
