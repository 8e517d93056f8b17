"""The Origin rule: foreign pages are refused, Origin-less clients come in on tokens only."""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.realtime.conftest import bearer, connect, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "origin", [b"https://evil.example", b"null", b"http://localhost.evil.example", b"garbage"]
)
async def test_a_foreign_origin_is_refused_at_the_handshake(origin, author_cookie):
    communicator = WebsocketCommunicator(
        application,
        "/event/realtime",
        headers=[(b"origin", origin), (b"cookie", f"sessionid={author_cookie}".encode())],
        subprotocols=["aws-appsync-event-ws"],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_page_of_the_site_signs_in_with_its_session_cookie(author_cookie):
    communicator = await connect(author_cookie, origin=b"http://localhost:8000")
    answer = await subscribe(communicator, "/subscriptions/posts")
    assert answer == {"type": "subscribe_success", "id": "sub-1"}
    await communicator.disconnect()


async def test_a_trusted_origin_may_use_the_cookie(author_cookie, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://blog.example.org"]
    communicator = await connect(author_cookie, origin=b"https://blog.example.org")
    assert (await subscribe(communicator, "/subscriptions/posts"))["type"] == "subscribe_success"
    await communicator.disconnect()


async def test_without_origin_the_cookie_counts_for_nothing(author_cookie):
    # What a cross-site attacker cannot do from a browser, a script could: present a stolen or
    # ambient cookie with no Origin. It is simply not read.
    communicator = await connect(author_cookie, origin=None)
    answer = await subscribe(communicator, "/subscriptions/posts")
    assert answer["type"] == "subscribe_error"
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    await communicator.disconnect()


async def test_without_origin_a_token_signs_in(author_token, author_cookie):
    communicator = await connect(author_cookie, origin=None)
    answer = await subscribe(
        communicator, "/subscriptions/posts", authorization=bearer(author_token)
    )
    assert answer == {"type": "subscribe_success", "id": "sub-1"}
    await communicator.disconnect()
