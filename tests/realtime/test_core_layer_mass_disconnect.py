"""Receives cancelled together on the core layer (consumers closing at once) leave no per-channel
queue behind in the process."""

import asyncio
import os
import uuid

import pytest

from realtime.layers import CoreChannelLayer

pytestmark = [pytest.mark.asyncio, pytest.mark.redis]

CONSUMERS = 200


async def test_cancelled_receives_leave_no_queue_behind():
    layer = CoreChannelLayer(
        hosts=[{"address": os.environ["REDIS_URL"], "socket_timeout": 15}],
        prefix=f"core{uuid.uuid4().hex[:8]}:",
    )
    try:
        channels = [await layer.new_channel() for _ in range(CONSUMERS)]
        receives = [asyncio.create_task(layer.receive(channel)) for channel in channels]
        await asyncio.sleep(0.2)

        for receive in receives:
            receive.cancel()
        await asyncio.wait_for(asyncio.gather(*receives, return_exceptions=True), 10)

        assert dict(layer.receive_buffer) == {}
        assert layer.receive_count == 0
    finally:
        await layer.flush()
