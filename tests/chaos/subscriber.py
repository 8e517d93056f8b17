"""A subscriber to one broadcast channel that behaves as a real client: it keeps the position of
the last event it was sent and, whenever its socket closes, connects again (retrying quickly,
with jitter) and subscribes with ``since`` set to that position."""

import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import websockets

from tests.realtime.servers import open_socket

FIRST_RETRY_SECONDS = 0.25
MAX_RETRY_SECONDS = 2.0


class Refused(Exception):
    """The subscribe was refused (Redis away: "subscribe again shortly"): close, try again."""


@dataclass(frozen=True)
class Received:
    epoch: str
    offset: int
    ids: tuple[str, ...]


@dataclass
class Subscriber:
    """``channel``'s events as one client receives them across reconnects, from the server
    ``url()`` names at each attempt."""

    url: Callable[[], str]
    token: str
    channel: str
    received: list[Received] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)  # every subscribe answer, in order
    errors: list[dict] = field(default_factory=list)  # error frames the server sent
    reconnects: int = 0
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def not_recovered(self) -> list[dict]:
        return [answer for answer in self.answers if answer.get("recovered") is False]

    def since(self) -> dict | None:
        if not self.received:
            return None
        last = self.received[-1]
        return {"epoch": last.epoch, "offset": last.offset}

    async def run(self, until: Callable[[], bool]) -> None:
        """Receive, reconnecting as often as it takes, until ``until()`` holds."""
        delay = FIRST_RETRY_SECONDS
        while not until():
            try:
                async with await open_socket(self.url(), token=self.token, origin=False) as socket:
                    await self._subscribe(socket)
                    delay = FIRST_RETRY_SECONDS
                    while not until():
                        try:
                            async with asyncio.timeout(0.5):
                                raw = await socket.recv()
                        except TimeoutError:
                            continue  # looking at ``until`` again
                        self._take(json.loads(raw))
            except (OSError, websockets.ConnectionClosed, websockets.InvalidHandshake, Refused):
                pass
            if until():
                return
            self.reconnects += 1
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # jittered, as a browser retries
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def _subscribe(self, socket) -> None:
        frame = {"type": "subscribe", "id": "s", "channel": self.channel}
        since = self.since()
        if since is not None:
            frame["since"] = since
        await socket.send(json.dumps(frame))
        while True:
            answer = json.loads(await socket.recv())
            if answer["type"] != "ka":
                break
        self.answers.append(answer)
        if answer["type"] != "subscribe_success":
            raise Refused(answer)
        self.subscribed.set()

    def _take(self, frame: dict) -> None:
        if frame["type"] == "data":
            event = json.loads(frame["event"])
            self.received.append(Received(event["epoch"], event["offset"], tuple(event["ids"])))
        elif frame["type"] != "ka":
            self.errors.append(frame)

    def offsets(self) -> list[int]:
        return [event.offset for event in self.received]

    def ids(self) -> list[str]:
        return [identifier for event in self.received for identifier in event.ids]
