"""Helpers to walk a realtime conversation through the full ASGI stack (origin check,
cookies, session) with Channels' WebsocketCommunicator."""

import base64
import json
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from tests.chaos.site import PrivateRedis

ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own: stopping it is an outage no other test sees."""
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    yield
    async_to_sync(get_channel_layer().flush)()


def session_cookie(user) -> str:
    """The session cookie of ``user`` signed in through the site (sync: call from fixtures)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def author_cookie(author):
    return session_cookie(author)


@pytest.fixture
def stranger_cookie(stranger):
    return session_cookie(stranger)


def header_subprotocol(headers: dict) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(headers).encode()).decode().rstrip("=")
    return "header-" + encoded


async def connect(
    cookie: str | None = None,
    *,
    subprotocols: list[str] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
    init: bool = True,
    origin: bytes | None = ORIGIN[1],
) -> WebsocketCommunicator:
    """An open connection (acknowledged unless ``init`` is false), from a page of the site
    unless ``origin`` says otherwise (None: no Origin header, as non-browser clients). A page
    connects to its own host, so the Host header is the origin's unless ``headers`` name one."""
    sent_headers = [*([(b"origin", origin)] if origin else []), *(headers or [])]
    if origin and not any(name == b"host" for name, _ in sent_headers):
        sent_headers.append((b"host", origin.partition(b"://")[2]))
    if cookie:
        sent_headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(
        application,
        "/event/realtime",
        headers=sent_headers,
        subprotocols=subprotocols or ["aws-appsync-event-ws"],
    )
    connected, _ = await communicator.connect()
    assert connected
    if init:
        await communicator.send_json_to({"type": "connection_init"})
        assert (await communicator.receive_json_from())["type"] == "connection_ack"
        assert await communicator.receive_json_from() == {"type": "ka"}
    return communicator


async def init_with_token(
    token: str, *, origin: bytes | None = ORIGIN[1]
) -> tuple[WebsocketCommunicator, dict]:
    """A connection carrying ``token`` in its header subprotocol, and its answer to
    connection_init."""
    communicator = await connect(
        subprotocols=["aws-appsync-event-ws", header_subprotocol({"Authorization": token})],
        init=False,
        origin=origin,
    )
    await communicator.send_json_to({"type": "connection_init"})
    return communicator, await communicator.receive_json_from()


async def subscribe(communicator, channel: str, op_id: str = "sub-1", **extra) -> dict:
    await communicator.send_json_to({"type": "subscribe", "id": op_id, "channel": channel, **extra})
    return await communicator.receive_json_from()


async def publish(communicator, channel: str, *payloads, op_id: str = "pub-1", **extra) -> dict:
    events = [p if isinstance(p, str) else json.dumps(p) for p in payloads]
    await communicator.send_json_to(
        {"type": "publish", "id": op_id, "channel": channel, "events": events, **extra}
    )
    return await communicator.receive_json_from()


async def open_session(communicator, client_uuid: uuid.UUID | None = None) -> str:
    """Run the session request on ``communicator``; the session id it was given."""
    channel = f"/trpc/session-request-{uuid.uuid4().hex[:12]}"
    assert (await subscribe(communicator, channel, "session-request"))["type"] == (
        "subscribe_success"
    )
    request = {"type": "session.request", "clientUuid": str(client_uuid or uuid.uuid4())}
    assert (await publish(communicator, channel, request, op_id="ask"))["successful"]
    answer = await communicator.receive_json_from()
    assert answer["id"] == "session-request"
    await communicator.send_json_to({"type": "unsubscribe", "id": "session-request"})
    assert (await communicator.receive_json_from())["type"] == "unsubscribe_success"
    return json.loads(answer["event"])["sessionId"]


@pytest.fixture
def reader_cookie(reader):
    return session_cookie(reader)


def token_for(user, kind: str = "access", ttl: int | None = None) -> str:
    """A real RS256 JWT from the local provider (sync: call from fixtures)."""
    from accounts.providers.local import issue_token

    return issue_token(user=user, kind=kind, ttl=ttl)


@pytest.fixture
def author_token(author):
    return token_for(author)


@pytest.fixture
def stranger_token(stranger):
    return token_for(stranger)


def bearer(token: str) -> dict[str, str]:
    """An operation's ``authorization`` object as AWS's clients send it."""
    return {"Authorization": f"Bearer {token}", "host": "localhost"}


async def call(communicator, channel: str, request: dict, op_id: str = "call", **extra) -> dict:
    """Publish one procedure call on a session channel; its answer (the next data frame)."""
    acknowledged = await publish(communicator, channel, request, op_id=op_id, **extra)
    assert acknowledged["type"] == "publish_success", acknowledged
    assert acknowledged["successful"], acknowledged
    frame = await communicator.receive_json_from()
    assert frame["type"] == "data", frame
    return json.loads(frame["event"])
