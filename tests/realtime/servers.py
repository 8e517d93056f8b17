"""A site for WebSocket tests against real Daphne processes (tests.live_server), and the
AppSync Events conversation over TCP with the `websockets` client."""

import json
import os
from pathlib import Path

import websockets
from websockets.asyncio.client import ClientConnection

from bench.appsync import ask, open_session_channel
from chunking import codec
from tests import live_server
from tests.realtime.conftest import header_subprotocol

# The conversation steps the benchmarks hold too come from there; the rest is the tests' own.
__all__ = [
    "PostgresSite",
    "Site",
    "ask",
    "open_session_channel",
    "open_socket",
    "postgres_site",
    "publish_chunks",
    "receive_answer",
]


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


class PostgresSite(Site):
    """The two-process site on a PostgreSQL database of its own, which the test also opens."""

    def __init__(self, state_dir: Path, *, redis_url: str, database_url: str) -> None:
        self.database_url = database_url
        live_server.Site.__init__(self, state_dir, REDIS_URL=redis_url, DATABASE_URL=database_url)


def postgres_site(tmp_path_factory, name: str) -> PostgresSite:
    """A ``PostgresSite`` on a fresh database ``<DATABASE_URL's>_<name>``, with REDIS_URL."""
    database_url = live_server.fresh_postgres_database(os.environ["DATABASE_URL"], suffix=name)
    return PostgresSite(
        tmp_path_factory.mktemp(f"{name}-site"),
        redis_url=os.environ["REDIS_URL"],
        database_url=database_url,
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
