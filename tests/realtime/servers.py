"""A site for WebSocket tests against real Daphne processes (tests.live_server), and the
AppSync Events conversation over TCP with the `websockets` client."""

import json
import uuid
from pathlib import Path

import websockets
from websockets.asyncio.client import ClientConnection

from chunking import codec
from tests import live_server
from tests.realtime.conftest import header_subprotocol


class Site(live_server.Site):
    """A migrated site whose processes share ``state_dir``; ``redis_url`` links their layers."""

    def __init__(self, state_dir: Path, redis_url: str = "") -> None:
        super().__init__(state_dir, REDIS_URL=redis_url)

    def token(self, email: str, kind: str = "access") -> str:
        """A JWT of the site's local provider for ``email`` (the account is created if new)."""
        return self.shell(
            "from accounts.providers.local import issue_token\n"
            f"{_user(email)}\n"
            f"print(issue_token(user=user, kind={kind!r}))"
        )

    def signed_in_cookie(self, email: str) -> str:
        """A user (created if new) signed in; the value of their session cookie."""
        return self.shell(
            "from django.test import Client\n"
            f"{_user(email)}\n"
            "client = Client(); client.force_login(user)\n"
            "print(client.cookies['sessionid'].value)"
        )


def _user(email: str) -> str:
    """Shell code binding ``user`` to the account of ``email``, created if new."""
    return (
        "from accounts.models import User\n"
        f"user = User.objects.filter(email={email!r}).first() or "
        f"User.objects.create_user({email!r}, 'pw-not-used')"
    )


async def open_socket(
    url: str, cookie: str | None = None, *, token: str | None = None, origin: bool = True
) -> ClientConnection:
    """An acknowledged AppSync connection, signed in with ``cookie`` or ``token`` when given;
    from a page of the site unless ``origin`` is false (AWS's clients send no Origin)."""
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    auth = {"host": url.removeprefix("ws://")} | ({"Authorization": token} if token else {})
    socket = await websockets.connect(
        f"{url}/event/realtime",
        subprotocols=["aws-appsync-event-ws", header_subprotocol(auth)],
        origin=url.replace("ws://", "http://") if origin else None,
        additional_headers=headers,
        max_size=2**20,
    )
    await socket.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    assert json.loads(await socket.recv()) == {"type": "ka"}
    return socket


async def open_session_channel(socket: ClientConnection, op_id: str = "calls") -> str:
    """Ask for a session and subscribe to its channel as ``op_id``; the channel."""
    request_channel = f"/trpc/session-request-{uuid.uuid4().hex[:10]}"
    await ask(socket, {"type": "subscribe", "id": "req", "channel": request_channel})
    event = json.dumps({"type": "session.request", "clientUuid": str(uuid.uuid4())})
    await ask(
        socket, {"type": "publish", "id": "ask", "channel": request_channel, "events": [event]}
    )
    session_id = json.loads(json.loads(await socket.recv())["event"])["sessionId"]
    await ask(socket, {"type": "unsubscribe", "id": "req"})
    channel = f"/trpc/{session_id}"
    subscribed = await ask(socket, {"type": "subscribe", "id": op_id, "channel": channel})
    assert subscribed == {"type": "subscribe_success", "id": op_id}, subscribed
    return channel


async def publish_chunks(socket: ClientConnection, channel: str, message: dict) -> int:
    """Publish ``message`` in chunk events, one per frame, each acknowledged; how many."""
    chunks = codec.split(json.dumps(message, ensure_ascii=False))
    for chunk in chunks:
        frame = json.dumps(
            {
                "type": "publish",
                "id": f"chunk-{chunk.chunk_index}",
                "channel": channel,
                "events": [json.dumps(chunk.to_event())],
            }
        )
        assert len(frame.encode()) < 240 * 1024
        await socket.send(frame)
        acknowledged = json.loads(await socket.recv())
        assert acknowledged["type"] == "publish_success", acknowledged
        assert acknowledged["successful"], acknowledged
    return len(chunks)


async def receive_answer(socket: ClientConnection) -> tuple[dict, int, int]:
    """The next answer on the socket, reassembled if it comes in chunks;
    (it, how many data frames, the largest frame's size in bytes)."""
    parts: dict[int, codec.Chunk] = {}
    frames, largest = 0, 0
    while True:
        raw = await socket.recv()
        frame = json.loads(raw)
        if frame["type"] != "data":
            continue
        frames += 1
        largest = max(largest, len(raw.encode() if isinstance(raw, str) else raw))
        event = json.loads(frame["event"])
        if not codec.is_chunk(event):
            return event, frames, largest
        chunk = codec.parse_chunk(event)
        parts[chunk.chunk_index] = chunk
        if len(parts) == chunk.total_chunks:
            return json.loads(codec.join(parts.values())), frames, largest


async def ask(socket: ClientConnection, frame: dict) -> dict:
    """Send one frame; the next frame received."""
    await socket.send(json.dumps(frame))
    return json.loads(await socket.recv())
