"""A thousand sockets closing at once on the pub/sub layer: every Redis subscription of theirs
goes, and nothing is logged as an error."""

import asyncio
import logging
import os
import uuid

import pytest
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from redis import asyncio as aioredis

from realtime.consumers import RealtimeConsumer
from realtime.layers import PubSubChannelLayer

pytestmark = [pytest.mark.asyncio, pytest.mark.redis]

SOCKETS = 1000
# Daphne cancels a consumer still busy application_close_timeout after its socket closed; a
# short one here makes that second cancellation land while the consumers clean up.
CLOSE_TIMEOUT = 0.05


class GroupMember(RealtimeConsumer):
    """A RealtimeConsumer in the groups its subscriptions would put it in: a shared one and one
    of its own, joined without a user or a database."""

    async def connect(self) -> None:
        await super().connect()
        for group in ("sub.posts", f"sub.post.{self.channel_name[-12:]}"):
            await self.channel_layer.group_add(group, self.channel_name)
            self.group_members[group] += 1


@pytest.fixture
def layer_settings(settings):
    """The channel layer under test, on this run's Redis under a prefix of its own."""
    prefix = f"mass{uuid.uuid4().hex[:8]}."

    # The site's Redis connection settings (a pool big enough for a thousand sockets).
    (host,) = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]

    def use(backend: type) -> str:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": f"{backend.__module__}.{backend.__qualname__}",
                "CONFIG": {"hosts": [host], "prefix": prefix},
            }
        }
        channel_layers.backends.clear()
        return prefix

    yield use
    channel_layers.backends.clear()


async def open_sockets(count: int) -> list[WebsocketCommunicator]:
    communicators = [
        WebsocketCommunicator(
            GroupMember.as_asgi(), "/event/realtime", subprotocols=["aws-appsync-event-ws"]
        )
        for _ in range(count)
    ]
    for communicator in communicators:
        connected, _ = await communicator.connect()
        assert connected
    return communicators


async def close_all_at_once(communicators: list[WebsocketCommunicator]) -> None:
    """Every client goes away in the same instant; consumers not done by CLOSE_TIMEOUT are
    cancelled, as Daphne does."""
    await asyncio.gather(
        *(communicator.disconnect(timeout=CLOSE_TIMEOUT) for communicator in communicators),
        return_exceptions=True,
    )


async def redis_subscriptions(prefix: str, *, settled: bool = False) -> list[bytes]:
    """Channels under ``prefix`` that a connection to Redis subscribes to; ``settled``: once
    the unsubscribes sent have had a moment to arrive."""
    redis = aioredis.from_url(os.environ["REDIS_URL"])
    try:
        for _ in range(50 if settled else 1):
            subscribed: list[bytes] = await redis.pubsub_channels(f"{prefix}*")
            if not subscribed:
                break
            await asyncio.sleep(0.1)
        return subscribed
    finally:
        await redis.aclose()


async def test_a_thousand_sockets_closing_at_once_leave_no_redis_subscription(
    layer_settings, caplog
):
    prefix = layer_settings(PubSubChannelLayer)
    communicators = await open_sockets(SOCKETS)
    assert len(await redis_subscriptions(prefix)) == 2 * SOCKETS + 1
    caplog.set_level(logging.WARNING)

    await close_all_at_once(communicators)

    assert await redis_subscriptions(prefix, settled=True) == []
    layer = get_channel_layer()._get_layer()
    assert layer.channels == {}
    assert layer.groups == {}
    assert all(not shard._subscribed_to for shard in layer._shards)
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == []
    await get_channel_layer().flush()
