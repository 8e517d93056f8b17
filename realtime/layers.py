"""The Redis channel layers Inkwell runs on, with one change: a consumer that falls behind is
told and disconnected, never silently skipped.

channels-redis bounds each consumer's in-process queue (core layer) by dropping its oldest
message without a word, and leaves it unbounded (pub/sub layer). Here both use
``OverflowQueue``: when a consumer's queue is full, its waiting messages are replaced by one
``layer.overflow`` message, the drop is counted and logged, and the consumer closes the
socket (``RealtimeConsumer.layer_overflow``) so the client reconnects and reloads.
"""

import asyncio
import collections
import functools
import logging
from collections.abc import Callable
from typing import Any

from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, _wrap_close

logger = logging.getLogger(__name__)

OVERFLOW_MESSAGE_TYPE = "layer.overflow"


class OverflowStats:
    """Per-process totals, for logs and operators: how often, and how much, was dropped."""

    overflows = 0
    dropped = 0


class OverflowQueue(asyncio.Queue[Any]):
    """A bounded queue that, when full, trades its contents for one overflow notice."""

    def __init__(self, maxsize: int, notice: Callable[[int], Any], name: str = "") -> None:
        super().__init__(maxsize)
        self.notice = notice
        self.name = name

    def put_nowait(self, item: Any) -> None:
        if self.full():
            dropped = self.qsize() + 1
            while not self.empty():
                self.get_nowait()
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
        super().put_nowait(item)


def overflow_notice(dropped: int) -> dict[str, Any]:
    return {"type": OVERFLOW_MESSAGE_TYPE, "dropped": dropped}


class CoreChannelLayer(RedisChannelLayer):
    """channels-redis' list-based layer, with overflowing consumers told rather than skipped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.receive_buffer = _QueuesByName(
            lambda name: OverflowQueue(self.capacity, overflow_notice, name)
        )


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
    def __init__(self, *args: Any, capacity: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.capacity = capacity

    async def _subscribe_to_channel(self, channel: str) -> None:
        # The queue holds serialised messages, so the notice is serialised too.
        notice = functools.partial(_serialised_notice, self.channel_layer)
        self.channels[channel] = OverflowQueue(self.capacity, notice, channel)
        await self._get_shard(channel).subscribe(channel)


def _serialised_notice(layer: RedisPubSubChannelLayer, dropped: int) -> bytes:
    serialised: bytes = layer.serialize(overflow_notice(dropped))
    return serialised


class _QueuesByName(collections.defaultdict[str, OverflowQueue]):
    """A defaultdict whose factory is told the missing key (the consumer's channel name)."""

    def __init__(self, factory: Callable[[str], OverflowQueue]) -> None:
        super().__init__()
        self.factory = factory

    def __missing__(self, key: str) -> OverflowQueue:
        self[key] = queue = self.factory(key)
        return queue
