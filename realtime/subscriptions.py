"""Subscription procedures followed on a session channel, with tRPC's WebSocket messages:
``{"id", "method": "subscription", "params": {"path", "input"}}`` starts one, answered
``{"id", "result": {"type": "started"}}``, then ``{"id", "result": {"type": "data", "id": <event
id>, "data"}}`` for each event, and ``{"id", "result": {"type": "stopped"}}`` once
``{"id", "method": "subscription.stop"}`` ends it; what ends it otherwise is ``{"id", "error"}``.

Opening is checked as any call is (``api.dispatch.open_subscription``, in the publish's crossing
to the ORM); following is a task of the connection's, which lives until the stop, the error or
the socket's close, and then leaves the channel layer (``Feed.open``, on ``realtime.follow``).
Only the connection that asked gets its subscription's messages, chunked like any answer when
large: another tab of the browser did not ask for them. ``started`` is sent once live delivery
is joined, so nothing published after it is missed; ``lastEventId`` in the input resumes after
an event, as over SSE.
"""

import asyncio
import collections
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from api import trpc
from api.dispatch import OpenSubscription, error_for_exception

logger = logging.getLogger(__name__)

# Stops that came before their start (a client may stop at once, and publishes run
# concurrently): remembered, a few per connection, so the late start is not followed.
_EARLY_STOPS_KEPT = 32


@dataclass(frozen=True)
class Start:
    """A checked subscription start: its request id, what to follow, and the transformer."""

    request_id: int | str
    opened: OpenSubscription
    uses_superjson: bool


@dataclass(frozen=True)
class Sender:
    """Sends a message (an answer's JSON text) to the connection that asked."""

    send: Callable[[str], Awaitable[None]]


class FollowedSubscriptions:
    """The subscription procedures one connection follows, by request id."""

    def __init__(self, *, room: Callable[[], bool]) -> None:
        self._room = room
        self._tasks: dict[int | str, asyncio.Task[None]] = {}
        self._early_stops: collections.deque[int | str] = collections.deque(
            maxlen=_EARLY_STOPS_KEPT
        )

    def __len__(self) -> int:
        return len(self._tasks)

    async def start(self, start: Start, sender: Sender) -> None:
        """Follow ``start``'s subscription, unless its id is live, it was stopped already, or
        the connection has no room for one more subscription."""
        request_id = start.request_id
        if request_id in self._early_stops:
            self._early_stops.remove(request_id)
            await sender.send(_json(trpc.ws_subscription_state(request_id, "stopped")))
            return
        refusal = None
        if request_id in self._tasks:
            refusal = trpc.TrpcError(
                "BAD_REQUEST", f"A subscription with id {request_id!r} is live.", start.opened.path
            )
        elif not self._room():
            refusal = trpc.TrpcError(
                "TOO_MANY_REQUESTS",
                "This connection has as many subscriptions as it may: stop one first.",
                start.opened.path,
            )
        if refusal is not None:
            answer = trpc.ws_answer(request_id, refusal, uses_superjson=start.uses_superjson)
            await sender.send(_json(answer))
            return
        # A context of its own: the publish that started it ran in a thread of its own
        # (ThreadSensitiveContext), which ends with the publish while this task lives on.
        task = asyncio.create_task(
            _follow(start, sender), name=f"subscription-{request_id}", context=contextvars.Context()
        )
        self._tasks[request_id] = task
        task.add_done_callback(lambda _: self._forget(request_id, task))

    async def stop(self, request_id: int | str, sender: Sender) -> None:
        """End the subscription ``request_id``, answering ``stopped`` once it has left live
        delivery (at once for one that is not live)."""
        task = self._tasks.pop(request_id, None)
        if task is None:
            self._early_stops.append(request_id)
        else:
            task.cancel()
            await asyncio.wait([task])
        await sender.send(_json(trpc.ws_subscription_state(request_id, "stopped")))

    async def close(self) -> None:
        """End every subscription (the socket closed); nothing more is sent."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

    def _forget(self, request_id: int | str, task: "asyncio.Task[None]") -> None:
        if self._tasks.get(request_id) is task:
            del self._tasks[request_id]


async def _follow(start: Start, sender: Sender) -> None:
    opened, request_id = start.opened, start.request_id
    try:
        async with opened.feed.open() as deliveries:
            await sender.send(_json(trpc.ws_subscription_state(request_id, "started")))
            async for delivery in deliveries:
                value = trpc.Success(opened.data(delivery), opened.path)
                answer = trpc.ws_answer(
                    request_id,
                    value,
                    uses_superjson=start.uses_superjson,
                    event_id=delivery.event_id,
                )
                await sender.send(_json(answer))
        await sender.send(_json(trpc.ws_subscription_state(request_id, "stopped")))
    except asyncio.CancelledError:
        raise
    except Exception as error:  # what ended it, as the error table says
        failure = error_for_exception(error, opened.path)
        await sender.send(
            _json(trpc.ws_answer(request_id, failure, uses_superjson=start.uses_superjson))
        )


def _json(value: object) -> str:
    return trpc.dumps(value).decode()
