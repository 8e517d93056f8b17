"""The Redis channel layers Inkwell runs on, with one change: a consumer that falls behind is
told and disconnected, never silently skipped.

channels-redis bounds each consumer's in-process queue (core layer) by dropping its oldest
message without a word, and leaves it unbounded (pub/sub layer). Here both use
``OverflowQueue``: when a consumer's queue is full, its waiting messages are replaced by one
``layer.overflow`` message, the drop is counted and logged, and the consumer closes the
socket (``RealtimeConsumer.layer_overflow``) so the client reconnects and reloads.

When the pub/sub layer's connection to Redis breaks, redis-py connects again and subscribes
again by itself, but what Redis published in between reached no one, and nothing says so. Here
each reconnection puts a ``layer.resumed`` message in every consumer's queue: subscriptions read
what they missed from the event log (``realtime.delivery_order``).

The pub/sub layer also leaves its Redis channels in a task of its own (``_PubSubLoopLayer``):
channels-redis unsubscribes inside the consumer's cancelled receive, where a second
cancellation (Daphne's, when a thousand sockets close at once) cut it short, logged an error
and left the subscription behind.
"""

import asyncio
import collections
import contextlib
import itertools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
    _wrap_close,
)
from channels_redis.utils import decode_hosts

logger = logging.getLogger(__name__)

OVERFLOW_MESSAGE_TYPE = "layer.overflow"
RESUMED_MESSAGE_TYPE = "layer.resumed"
# Numbers each reconnection in this process: reads of the log made for one are shared by the
# consumers it reached, never by those of another.
_resumptions = itertools.count(1)


class OverflowStats:
    """Per-process totals, for logs and operators: how often, and how much, was dropped."""

    overflows = 0
    dropped = 0


class OverflowQueue:
    """A bounded queue that, when full, trades its contents for one overflow notice.

    The layers' interface of ``asyncio.Queue`` (``get``, ``put_nowait``, ``get_nowait``,
    ``empty``, ``full``, ``qsize``) on two plain lists: every idle connection holds one, and
    an ``asyncio.Queue`` (four deques) costs it about 3 KiB.
    """

    __slots__ = ("_getters", "_items", "maxsize", "name", "notice")

    def __init__(self, maxsize: int, notice: Callable[[int], Any], name: str = "") -> None:
        self.maxsize = maxsize
        self.notice = notice
        self.name = name
        self._items: list[Any] = []
        self._getters: list[asyncio.Future[None]] = []

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._items)

    def put_nowait(self, item: Any) -> None:
        if self.full():
            dropped = len(self._items) + 1
            self._items.clear()
            OverflowStats.overflows += 1
            OverflowStats.dropped += dropped
            logger.warning(
                "Consumer %s fell behind: dropped %d queued messages and disconnects it "
                "(process totals: %d overflows, %d messages).",
                self.name or "?",
                dropped,
                OverflowStats.overflows,
                OverflowStats.dropped,
            )
            item = self.notice(dropped)
        self._items.append(item)
        self._wake_next_getter()

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.pop(0)

    async def get(self) -> Any:
        while not self._items:
            getter = asyncio.get_running_loop().create_future()
            self._getters.append(getter)
            try:
                await getter
            except BaseException:
                getter.cancel()
                with contextlib.suppress(ValueError):
                    self._getters.remove(getter)
                # Woken, then cancelled: the item it was woken for goes to the next getter.
                if self._items:
                    self._wake_next_getter()
                raise
        return self._items.pop(0)

    def _wake_next_getter(self) -> None:
        while self._getters:
            getter = self._getters.pop(0)
            if not getter.done():
                getter.set_result(None)
                return


def overflow_notice(dropped: int) -> dict[str, Any]:
    return {"type": OVERFLOW_MESSAGE_TYPE, "dropped": dropped}


class CoreChannelLayer(RedisChannelLayer):
    """channels-redis' list-based layer, with overflowing consumers told rather than skipped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.receive_buffer = _QueuesByName(
            lambda name: OverflowQueue(self.capacity, overflow_notice, name)
        )

    async def receive(self, channel: str) -> Any:
        try:
            return await super().receive(channel)
        except asyncio.CancelledError:
            # channels-redis drops a cancelled receive's queue unless that receive held the
            # receive lock (it was reading Redis for everyone): then each closing consumer
            # leaked one empty queue for the life of the process.
            queue = self.receive_buffer.get(channel)
            if queue is not None and queue.empty():
                del self.receive_buffer[channel]
            raise


class PubSubChannelLayer(RedisPubSubChannelLayer):
    """channels-redis' pub/sub layer, with each consumer's queue bounded by ``capacity``."""

    def __init__(self, *args: Any, capacity: int = 1000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.capacity = capacity

    def _get_layer(self) -> "_PubSubLoopLayer":
        loop = asyncio.get_running_loop()
        if loop not in self._layers:
            self._layers[loop] = _PubSubLoopLayer(
                *self._args, **self._kwargs, channel_layer=self, capacity=self.capacity
            )
            _wrap_close(self, loop)
        layer: _PubSubLoopLayer = self._layers[loop]
        return layer


class _PubSubLoopLayer(RedisPubSubLoopLayer):
    """One event loop's pub/sub layer: bounded queues, and channels left in a clean-up task.

    A consumer's channel is done with when its receive is cancelled (Channels has no
    ``delete_channel``). Forgetting it, and the groups it leaves empty, happens at once; the
    UNSUBSCRIBE goes out from ``_cleanup``, which no consumer's cancellation reaches.
    """

    def __init__(self, hosts: Any = None, *args: Any, capacity: int, **kwargs: Any) -> None:
        super().__init__(hosts, *args, **kwargs)
        self.capacity = capacity
        self._shards = [_Shard(host, self) for host in decode_hosts(hosts)]
        # Group channels per consumer channel: what a closing consumer leaves, without a scan.
        self._memberships: collections.defaultdict[str, set[str]] = collections.defaultdict(set)
        self._leaving: set[str] = set()
        self._cleanup: asyncio.Task[None] | None = None

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = OverflowQueue(self.capacity, overflow_notice, channel)
        await self._get_shard(channel).subscribe(channel)

    async def receive(self, channel: str) -> Any:
        if channel not in self.channels:
            await self._subscribe_to_channel(channel)
        queue = self.channels[channel]
        try:
            message = await queue.get()
        except (TimeoutError, asyncio.CancelledError, GeneratorExit) as exit_:
            self._forget(channel)
            if not isinstance(exit_, GeneratorExit):
                # Wait for the goodbye as channels-redis does; cancelled again, stop waiting:
                # the clean-up carries on without this task.
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(self._clean_up())
            raise
        return message

    async def group_add(self, group: str, channel: str) -> None:
        if channel in self.channels:
            self._memberships[channel].add(self._get_group_channel_name(group))
        await super().group_add(group, channel)

    async def group_discard(self, group: str, channel: str) -> None:
        group_channel = self._get_group_channel_name(group)
        members = self.groups.get(group_channel, set())
        if channel not in members:
            return
        self._memberships[channel].discard(group_channel)
        members.remove(channel)
        if not members:
            del self.groups[group_channel]
            self._leaving.add(group_channel)
            await asyncio.shield(self._clean_up())

    async def flush(self) -> None:
        if self._cleanup is not None:
            # Flushing closes the connections, and Redis drops their subscriptions with them.
            self._cleanup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._cleanup
        self._cleanup = None
        self._leaving = set()
        self._memberships.clear()
        await super().flush()

    def _forget(self, channel: str) -> None:
        """Forget ``channel`` and its memberships now, and mark what to unsubscribe."""
        if self.channels.pop(channel, None) is None:
            return
        self._leaving.add(channel)
        # Memberships its consumer did not discard (cancelled first) die with it.
        for group_channel in self._memberships.pop(channel, set()):
            members = self.groups.get(group_channel, set())
            members.discard(channel)
            if not members and group_channel in self.groups:
                del self.groups[group_channel]
                self._leaving.add(group_channel)

    def _clean_up(self) -> "asyncio.Future[None]":
        """The running clean-up, started if channels wait to be left; done when none do."""
        if self._cleanup is None or self._cleanup.done():
            if not self._leaving:
                done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                done.set_result(None)
                return done
            self._cleanup = asyncio.get_running_loop().create_task(self._unsubscribe_leaving())
        return self._cleanup

    async def _unsubscribe_leaving(self) -> None:
        # Channels left while a batch is on its way make the next batch: under a mass
        # disconnect, a few UNSUBSCRIBE commands rather than one each.
        while self._leaving:
            leaving, self._leaving = self._leaving, set()
            by_shard: dict[_Shard, list[str]] = collections.defaultdict(list)
            for name in leaving:
                by_shard[self._get_shard(name)].append(name)
            for shard, names in by_shard.items():
                await self._unsubscribe(shard, names)

    async def _unsubscribe(self, shard: "_Shard", names: list[str]) -> None:
        """Unsubscribe ``names``, trying twice; when both fail, make sure no reconnect
        subscribes them again, and say how many."""
        for attempt in (1, 2):
            try:
                await shard.unsubscribe_unwanted(names, is_wanted=self._is_wanted)
                return
            except Exception:
                if attempt == 2:
                    shard.forget(names)
                    CleanupStats.failed += len(names)
                    logger.warning(
                        "Could not unsubscribe %d Redis channels of closed consumers; "
                        "forgotten, so no reconnection subscribes them again "
                        "(process total: %d).",
                        len(names),
                        CleanupStats.failed,
                        exc_info=True,
                    )

    def _is_wanted(self, name: str) -> bool:
        """Whether a channel or group channel has (again) someone in this process to serve."""
        return name in self.channels or name in self.groups

    def resumed(self) -> None:
        """Tell every consumer of this loop that the layer's subscriptions were broken and are
        back: what Redis published in between never reached them."""
        notice = {"type": RESUMED_MESSAGE_TYPE, "resumption": next(_resumptions)}
        logger.warning(
            "The channel layer is connected to Redis again; %d consumers catch up from the log",
            len(self.channels),
        )
        for queue in list(self.channels.values()):
            queue.put_nowait(notice)


class CleanupStats:
    """Per-process total of channels whose UNSUBSCRIBE failed twice."""

    failed = 0


class _Shard(RedisSingleShardConnection):  # type: ignore[misc]
    """One Redis connection's subscriptions, left many at a time and only when unwanted, and
    its reconnections told to the layer's consumers (``_PubSubLoopLayer.resumed``).

    A message is deserialised once, as it arrives, and the same dict is queued for every
    consumer of its group in this process (channels-redis deserialises it once per consumer).
    Consumers read deliveries and never change them.
    """

    async def subscribe(self, channel: str) -> None:
        await super().subscribe(channel)
        if self._pubsub is not None and self._pubsub.connection is not None:
            # After redis-py's own callback, which subscribes again (registered on the first
            # connection; registering twice is a no-op).
            self._pubsub.connection.register_connect_callback(self._reconnected)

    def _reconnected(self, connection: Any) -> None:
        self.channel_layer.resumed()

    def _receive_message(self, message: Any) -> None:
        if message is None:
            return
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        layer = self.channel_layer
        queue = layer.channels.get(name)
        members = layer.groups.get(name, ()) if queue is None else ()
        if queue is None and not members:
            return
        decoded = layer.channel_layer.deserialize(message["data"])
        if queue is not None:
            queue.put_nowait(decoded)
            return
        for channel in members:
            member_queue = layer.channels.get(channel)
            if member_queue is not None:
                member_queue.put_nowait(decoded)

    async def unsubscribe_unwanted(
        self, names: Iterable[str], *, is_wanted: Callable[[str], bool]
    ) -> None:
        async with self._lock:
            # Checked under the lock that subscribe() takes: a group joined again meanwhile
            # stays subscribed.
            leaving = [
                name for name in names if name in self._subscribed_to and not is_wanted(name)
            ]
            if not leaving:
                return
            self._ensure_redis()
            self._ensure_receiver()
            await self._pubsub.unsubscribe(*leaving)
            self._subscribed_to.difference_update(leaving)
            # A reconnection inside redis-py's own retry forgets pending unsubscribes (and
            # subscribes them again first): marked again, Redis' reply still removes them
            # from what the next reconnection would subscribe.
            for key in self._pubsub._normalize_keys(dict.fromkeys(leaving)):
                if key in self._pubsub.channels:
                    self._pubsub.pending_unsubscribe_channels.add(key)

    def forget(self, names: Iterable[str]) -> None:
        """Drop ``names`` from what a reconnection subscribes again. After a failed write
        redis-py has closed the connection, so Redis holds none of them any more."""
        names = list(names)
        self._subscribed_to.difference_update(names)
        if self._pubsub is not None:
            for key in self._pubsub._normalize_keys(dict.fromkeys(names)):
                self._pubsub.channels.pop(key, None)
                self._pubsub.pending_unsubscribe_channels.discard(key)


class _QueuesByName(collections.defaultdict[str, OverflowQueue]):
    """A defaultdict whose factory is told the missing key (the consumer's channel name)."""

    def __init__(self, factory: Callable[[str], OverflowQueue]) -> None:
        super().__init__()
        self.factory = factory

    def __missing__(self, key: str) -> OverflowQueue:
        self[key] = queue = self.factory(key)
        return queue
