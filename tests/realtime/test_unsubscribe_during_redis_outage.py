"""Consumers that close while Redis is away: their unsubscribe is tried twice, the failure is one
warning with a count, and when Redis returns none of their channels is subscribed again."""

import asyncio
import logging
import uuid

import pytest
from redis import asyncio as aioredis

from realtime.layers import PubSubChannelLayer

pytestmark = [pytest.mark.asyncio, pytest.mark.redis]

CONSUMERS = 20


async def test_channels_left_during_an_outage_are_not_subscribed_again_when_redis_returns(
    redis_server, caplog
):
    prefix = f"outage{uuid.uuid4().hex[:8]}."
    layer = PubSubChannelLayer(
        hosts=[{"address": redis_server.url, "socket_timeout": 2}], prefix=prefix
    )
    try:
        channels = [await layer.new_channel() for _ in range(CONSUMERS)]
        receives = [asyncio.create_task(layer.receive(channel)) for channel in channels]
        await asyncio.sleep(0.1)
        redis_server.stop()
        caplog.set_level(logging.WARNING, logger="realtime.layers")

        for receive in receives:
            receive.cancel()
        await asyncio.gather(*receives, return_exceptions=True)

        warnings = [
            record
            for record in caplog.records
            if record.name == "realtime.layers" and "Could not unsubscribe" in record.message
        ]
        assert warnings
        assert all(record.levelno == logging.WARNING for record in warnings)
        assert sum(record.args[0] for record in warnings) == CONSUMERS
        redis_server.start()
        # A new consumer reconnects the layer, and redis-py subscribes again what it remembers.
        live = await layer.new_channel()
        redis = aioredis.from_url(redis_server.url)
        try:
            assert await redis.pubsub_channels(f"{prefix}*") == [live.encode()]
        finally:
            await redis.aclose()
    finally:
        await layer.flush()
