"""An EventSource's side of ``GET /api/trpc/<subscription>``, through the site's whole ASGI
application (the anonymous-reads door, Django's handler) as Daphne hands requests over: the
answer's head at once, then the stream's events as they are sent, and a hang-up."""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from asgiref.testing import ApplicationCommunicator
from channels.layers import InMemoryChannelLayer, get_channel_layer

from config.asgi import application

EVENT_END = b"\n\n\n"


@dataclass
class Event:
    """One event as sent: its bytes and its fields."""

    raw: bytes
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.fields.get("event", "message")

    @property
    def data(self) -> Any:
        return json.loads(self.fields["data"])

    @property
    def id(self) -> str | None:
        return self.fields.get("id")


def parse_event(raw: bytes) -> Event:
    fields = {}
    for line in raw.decode().split("\n"):
        if line:
            name, _, value = line.partition(": ")
            fields[name] = value
    return Event(raw, fields)


class SseStream:
    """One open request: ``status``, ``headers`` (lower-case names) and ``body`` (a JSON
    refusal's, or the stream's bytes read so far)."""

    def __init__(self, communicator: ApplicationCommunicator) -> None:
        self.communicator = communicator
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""
        self.ended = False
        self._unread = b""

    async def start(self) -> "SseStream":
        start = await self.communicator.receive_output(timeout=10)
        assert start["type"] == "http.response.start", start
        self.status = start["status"]
        self.headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
        if self.headers.get("content-type") != "text/event-stream":
            while not self.ended:
                await self._read_part(timeout=10)
        return self

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    async def event(self, timeout: float = 5) -> Event:
        """The next event."""
        while EVENT_END not in self._unread:
            assert not self.ended, f"the stream ended; unread: {self._unread!r}"
            await self._read_part(timeout=timeout)
        raw, _, self._unread = self._unread.partition(EVENT_END)
        return parse_event(raw + EVENT_END)

    async def data_event(self, timeout: float = 5) -> Event:
        """The next event that is not a ping."""
        while (event := await self.event(timeout)).type == "ping":
            pass
        return event

    async def end(self, timeout: float = 5) -> bytes:
        """What is left of the stream once the server has ended it."""
        while not self.ended:
            await self._read_part(timeout=timeout)
        return self._unread

    async def nothing_more(self, seconds: float = 0.3) -> bool:
        """Whether no event (ping aside) came within ``seconds``. (Waiting for output with a
        timeout would cancel the application: the communicator's way of ending a test.)"""
        await asyncio.sleep(seconds)
        while not self.communicator.output_queue.empty():
            self._take(self.communicator.output_queue.get_nowait())
        events = [parse_event(raw) for raw in self._unread.split(EVENT_END)[:-1]]
        unexpected = [event.raw for event in events if event.type != "ping"]
        assert unexpected == [], f"unexpected events {unexpected!r}"
        return True

    async def hang_up(self) -> None:
        """Go away, as a closed tab does; returns once the server has let go of the stream,
        which it must do by itself, promptly."""
        await self.communicator.send_input({"type": "http.disconnect"})
        finished = self.communicator.future
        await asyncio.wait({finished}, timeout=2)
        assert finished.done(), "the server went on streaming to a client that had gone"
        await self.communicator.wait()

    async def _read_part(self, *, timeout: float) -> None:
        self._take(await self.communicator.receive_output(timeout=timeout))

    def _take(self, part: dict[str, Any]) -> None:
        assert part["type"] == "http.response.body", part
        self.body += part.get("body", b"")
        self._unread += part.get("body", b"")
        self.ended = not part.get("more_body", False)


async def open_stream(
    path: str,
    input: Any = None,
    *,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    client: str = "127.0.0.1",
) -> SseStream:
    """``GET /api/trpc/<path>`` as EventSource sends it (``Accept: text/event-stream``), the
    answer's head read."""
    params = dict(query or {})
    if input is not None:
        params["input"] = json.dumps(input)
    sent = {"accept": "text/event-stream", **{k.lower(): v for k, v in (headers or {}).items()}}
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/api/trpc/{path}",
        "query_string": urlencode(params).encode(),
        "headers": [(b"host", b"testserver")]
        + [(name.encode(), value.encode()) for name, value in sent.items()],
        "client": (client, 50000),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    return await SseStream(communicator).start()


def layer_groups() -> dict[str, Any]:
    """The channel-layer groups of this process with members, whichever layer runs."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        return {name: members for name, members in layer.groups.items() if members}
    return dict(layer._get_layer().groups)
