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

ORIGIN = (b"origin", b"http://localhost")


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
) -> WebsocketCommunicator:
    """An open connection (acknowledged unless ``init`` is false)."""
    sent_headers = [ORIGIN, *(headers or [])]
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
