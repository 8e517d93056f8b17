"""Following one broadcast channel from a task that is not a Channels consumer: the SSE
transport and the session channel's subscriptions.

``follow`` joins the channel layer first and only then reads where to start (the channel's head,
or the backlog after the client's ``since``), so no event can fall between the two; what is in
both is dropped by position (``realtime.delivery_order``). Leaving the block, however it is
left, discards the layer membership and the channel of its own.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from channels.layers import get_channel_layer

from realtime import relay
from realtime.broadcast import BROADCAST_MESSAGE_TYPE, logged_event_of
from realtime.delivery_order import DeliveryOrder
from realtime.event_log import aevents_after, ahead
from realtime.groups import group_name, parse_channel_path
from realtime.layers import OVERFLOW_MESSAGE_TYPE, RESUMED_MESSAGE_TYPE
from realtime.positions import LoggedEvent, Position

logger = logging.getLogger(__name__)


class LiveUnavailable(Exception):
    """The channel layer could not be joined (Redis is away): try again shortly."""


@contextlib.asynccontextmanager
async def follow(
    channel: str, *, since: Position | None = None
) -> AsyncIterator[AsyncIterator[LoggedEvent]]:
    """The events of ``channel`` (a concrete declared channel) after ``since`` (default: from
    now), each once and in order, as an async iterator.

    Raises NotRecovered (``since`` is too old, or of another epoch) or InvalidPosition (beyond
    the head) on entering, and LiveUnavailable when the layer cannot be joined.
    """
    path = parse_channel_path(channel)
    if path.is_wildcard:
        raise ValueError("follow() takes a concrete channel, not a wildcard.")
    relay.ensure_running()
    layer = get_channel_layer()
    group = group_name(path)
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    name = await layer.new_channel()
    pump = asyncio.create_task(_pump(layer, name, inbox))
    await asyncio.sleep(0)  # the pump's receive registers the channel before it joins a group
    try:
        try:
            await layer.group_add(group, name)
        except Exception as error:
            raise LiveUnavailable("Live delivery is unavailable for a moment.") from error
        order = DeliveryOrder()
        backlog: list[LoggedEvent] = []
        if since is None:
            order.start(channel, await ahead(channel))
        else:
            backlog = await aevents_after(channel, since)
            order.start(channel, backlog[-1].position if backlog else since)
        yield _events(backlog, inbox, order, group, pump)
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump
        try:
            await layer.group_discard(group, name)
        except Exception:
            logger.warning("Leaving %s failed", group, exc_info=True)


async def _pump(layer: Any, name: str, inbox: "asyncio.Queue[dict[str, Any]]") -> None:
    while True:
        inbox.put_nowait(await layer.receive(name))


async def _events(
    backlog: list[LoggedEvent],
    inbox: "asyncio.Queue[dict[str, Any]]",
    order: DeliveryOrder,
    group: str,
    pump: "asyncio.Task[None]",
) -> AsyncIterator[LoggedEvent]:
    for logged in backlog:
        yield logged
    while True:
        getting = asyncio.ensure_future(inbox.get())
        try:
            await asyncio.wait([getting, pump], return_when=asyncio.FIRST_COMPLETED)
        finally:
            # Cancelled while waiting (the follower left): the wait for the inbox goes too.
            if not getting.done():
                getting.cancel()
        if not getting.done() or getting.cancelled():
            # The pump ended: the layer failed under it. Say so; the caller ends the stream.
            raise LiveUnavailable("Live delivery was interrupted.") from pump.exception()
        message = getting.result()
        if message.get("type") == OVERFLOW_MESSAGE_TYPE:
            # Too far behind: the follower resumes from the log, from its last event.
            raise LiveUnavailable("This stream fell behind; resume from its last event.")
        if message.get("type") == RESUMED_MESSAGE_TYPE:
            # The layer lost what was published while its connection was broken: from the log.
            for event in await order.catch_up(message["resumption"]):
                yield event
            continue
        if message.get("type") != BROADCAST_MESSAGE_TYPE or message.get("group") != group:
            continue
        received = logged_event_of(message)
        if received is None:
            continue
        try:
            events = await order.admit(received)
        except Exception as error:
            # The events before this one could not be read: end here, and the client resumes.
            raise LiveUnavailable("Events were missed and could not be read now.") from error
        for event in events:
            yield event
