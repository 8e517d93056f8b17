"""Each event once, in offset order, to each subscription, whatever order the layer brings them.

Delivery to the channel layer is at-least-once and unordered: the fast path of two commits on
one channel may reach Redis in either order, and the relay re-publishes what the fast path may
have missed. A subscription keeps the last position it delivered per channel; an event at or
before it is a repeat and is dropped, the next one goes out, and one further ahead means the
events in between exist (offsets on a channel are contiguous, ``realtime.models``) and are read
from the log first. When the layer lost messages on the way (its connection to Redis broke and
came back, ``realtime.layers``), each channel is caught up from the log up to its head
(``catch_up``). Many subscriptions of one process find the same gap at the same moment: one
read serves them all (``_SharedReads``).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Final

from realtime.event_log import aevents_between, aevents_since
from realtime.positions import BEFORE_HISTORY, LoggedEvent, Position

logger = logging.getLogger(__name__)

# A channel whose start is before its first event (no head existed when the subscription
# began): its first history's offsets start at 1, whatever its epoch.
EMPTY: Final = BEFORE_HISTORY


class DeliveryOrder:
    """The positions one subscription has delivered, per channel."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: dict[str, Position] = {}

    def start(self, channel: str, position: Position | None) -> None:
        """Deliver only what comes after ``position`` on ``channel`` (None: the channel had no
        event yet)."""
        self._last[channel] = position or EMPTY

    async def admit(self, logged: LoggedEvent) -> list[LoggedEvent]:
        """The events to deliver now for ``logged``, in order: none for a repeat, the missing
        ones from the log and then it for one ahead of the next expected."""
        position = logged.position
        last = self._last.get(logged.channel)
        if last is None:
            # A channel met through a wildcard: its first event starts it.
            self._last[logged.channel] = position
            return [logged]
        if last == EMPTY or last.epoch != position.epoch:
            if last != EMPTY:
                logger.info("%s has a new history (epoch %s)", logged.channel, position.epoch)
            last = Position(position.epoch, 0)
        if position.offset <= last.offset:
            return []
        missing: list[LoggedEvent] = []
        if position.offset > last.offset + 1:
            missing = await gap_reads.read(
                logged.channel, position.epoch, last.offset, position.offset
            )
            if len(missing) != position.offset - last.offset - 1:
                logger.warning(
                    "%s: events %s to %s are no longer in the log",
                    logged.channel,
                    last.offset + 1,
                    position.offset - 1,
                )
        self._last[logged.channel] = position
        return [*missing, logged]

    async def catch_up(self, resumption: int) -> list[LoggedEvent]:
        """The events to deliver now on every channel followed here, read from the log up to
        its head: the layer lost what was published during its broken connection
        (``resumption`` names the reconnection)."""
        missed: list[LoggedEvent] = []
        for channel, last in list(self._last.items()):
            for logged in await catch_up_reads.read(resumption, channel, last):
                missed += await self.admit(logged)
        return missed


class _SharedReads:
    """Reads of the log shared by the subscriptions of this process that make the same one
    (the same arguments) at about the same time."""

    _KEEP_SECONDS = 2.0
    _MAX_KEPT = 64

    def __init__(self, read: Callable[..., Awaitable[list[LoggedEvent]]]) -> None:
        self._read = read
        self._reads: dict[
            tuple[Hashable, ...], tuple[float, asyncio.Future[list[LoggedEvent]]]
        ] = {}

    async def read(self, *arguments: Hashable) -> list[LoggedEvent]:
        # Futures belong to their event loop (tests run several, one after another).
        key = (id(asyncio.get_running_loop()), *arguments)
        now = time.monotonic()
        kept = self._reads.get(key)
        if kept is None or now - kept[0] > self._KEEP_SECONDS or kept[1].cancelled():
            if len(self._reads) >= self._MAX_KEPT:
                self._reads = {
                    k: v for k, v in self._reads.items() if now - v[0] <= self._KEEP_SECONDS
                }
            future = asyncio.ensure_future(self._read(*arguments))
            kept = self._reads[key] = (now, future)
        try:
            return await asyncio.shield(kept[1])
        except Exception:
            # A failed read is not kept: the next subscription that needs it reads again.
            self._reads.pop(key, None)
            raise


gap_reads = _SharedReads(aevents_between)


async def _events_since(resumption: int, channel: str, last: Position) -> list[LoggedEvent]:
    # The reconnection is only part of the key: a read started before it must not serve it.
    return await aevents_since(channel, last)


catch_up_reads = _SharedReads(_events_since)
