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
    assert (answer["type"], answer["id"]) == ("subscribe_success", "sub-1")
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
    assert (answer["type"], answer["id"]) == ("subscribe_success", "sub-1")
    await communicator.disconnect()


async def _cookie_signs_in(communicator) -> bool:
    """Whether the connection's cookie made it a signed-in one (posts need a user)."""
    answer = await subscribe(communicator, "/subscriptions/posts")
    await communicator.disconnect()
    if answer["type"] == "subscribe_success":
        return True
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    return False


async def _open(cookie, origin, host, *, scheme="ws", headers=()):
    communicator = WebsocketCommunicator(
        application,
        "/event/realtime",
        headers=[
            (b"origin", origin),
            *([(b"host", host)] if host else []),
            *headers,
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
        subprotocols=["aws-appsync-event-ws"],
    )
    # The ASGI server says how the socket arrived (Daphne leaves it out: plain ws).
    communicator.scope["scheme"] = scheme
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "connection_init"})
    assert (await communicator.receive_json_from())["type"] == "connection_ack"
    assert await communicator.receive_json_from() == {"type": "ka"}
    return communicator


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        # The reviewer's reproductions: another port, and https against a plain-ws request.
        (b"http://127.0.0.1:1", b"127.0.0.1:8000"),
        (b"https://localhost:4444", b"localhost:4444"),
        (b"http://localhost:8001", b"localhost:8000"),
        # No Host: nothing says which origin the request is its own.
        (b"http://localhost", None),
    ],
)
async def test_a_site_host_on_another_scheme_or_port_gets_no_cookie_sign_in(
    origin, host, author_cookie
):
    communicator = await _open(author_cookie, origin, host)
    assert not await _cookie_signs_in(communicator)


async def test_a_site_host_on_another_port_still_signs_in_with_a_token(author_cookie, author_token):
    communicator = await _open(author_cookie, b"http://127.0.0.1:1", b"127.0.0.1:8000")
    answer = await subscribe(
        communicator, "/subscriptions/posts", authorization=bearer(author_token)
    )
    assert (answer["type"], answer["id"]) == ("subscribe_success", "sub-1")
    await communicator.disconnect()


async def test_a_secure_socket_takes_the_cookie_from_its_https_page_only(author_cookie):
    secure = await _open(author_cookie, b"https://localhost", b"localhost", scheme="wss")
    assert await _cookie_signs_in(secure)
    downgraded = await _open(author_cookie, b"http://localhost", b"localhost", scheme="wss")
    assert not await _cookie_signs_in(downgraded)


async def test_the_forwarded_scheme_counts_only_behind_a_configured_proxy(author_cookie, settings):
    forwarded = [(b"x-forwarded-proto", b"https")]
    settings.SECURE_PROXY_SSL_HEADER = None
    spoofed = await _open(author_cookie, b"https://localhost", b"localhost", headers=forwarded)
    assert not await _cookie_signs_in(spoofed)
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = await _open(author_cookie, b"https://localhost", b"localhost", headers=forwarded)
    assert await _cookie_signs_in(proxied)
    plain = await _open(
        author_cookie, b"https://localhost", b"localhost", headers=[(b"x-forwarded-proto", b"http")]
    )
    assert not await _cookie_signs_in(plain)


async def test_a_host_header_outside_allowed_hosts_is_never_the_sites_origin(author_cookie):
    communicator = await _open(author_cookie, b"http://localhost", b"evil.example")
    assert not await _cookie_signs_in(communicator)


async def test_a_trusted_origin_matches_exactly_or_by_its_wildcard(author_cookie, settings):
    settings.ALLOWED_HOSTS = ["localhost", ".example.org"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://blog.example.org", "https://*.inkwell.example"]
    other_port = await _open(author_cookie, b"https://blog.example.org:8443", b"localhost")
    assert not await _cookie_signs_in(other_port)
    other_scheme = await _open(author_cookie, b"http://blog.example.org", b"localhost")
    assert not await _cookie_signs_in(other_scheme)
    subdomain = await _open(author_cookie, b"https://app.inkwell.example", b"localhost")
    assert await _cookie_signs_in(subdomain)
