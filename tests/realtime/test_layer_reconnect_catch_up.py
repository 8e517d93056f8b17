"""When the channel layer's connection to Redis breaks and comes back, a subscription catches up
from the log on what was published while it was away: redis-py subscribes again by itself, but
whatever Redis published in between (the relay sends it as soon as Redis answers, maybe before
that) reached no one."""

import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from realtime.broadcast import Change, announce
from realtime.follow import follow
from realtime.layers import RESUMED_MESSAGE_TYPE, PubSubChannelLayer
from tests.realtime.conftest import connect, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

POSTS = "/subscriptions/posts"
BACK_WITHIN_SECONDS = 10


@pytest.fixture
def private_layer(redis_server, settings):
    """The site's pub/sub layer on a Redis of its own, which the test stops and starts."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.layers.PubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis_server.url, "socket_timeout": 2}],
                "prefix": f"reconnect{uuid.uuid4().hex[:8]}.",
            },
        }
    }
    return redis_server


@database_sync_to_async
def _announce_while_redis_is_away(count: int) -> None:
    # The fast path fails (Redis is away) and the relay is off in tests: these events reach a
    # subscriber only if it reads them from the log.
    for number in range(count):
        with transaction.atomic():
            announce(Change(POSTS, "posts", "created", [f"away-{number}"]))


async def test_a_consumer_is_told_when_the_layer_reconnects_to_redis(redis_server):
    layer = PubSubChannelLayer(
        hosts=[{"address": redis_server.url, "socket_timeout": 2}],
        prefix=f"reconnect{uuid.uuid4().hex[:8]}.",
    )
    try:
        channel = await layer.new_channel()
        await layer.group_add("watchers", channel)
        redis_server.stop()
        await asyncio.sleep(0.5)
        redis_server.start()
        message = await asyncio.wait_for(layer.receive(channel), BACK_WITHIN_SECONDS)
        assert message["type"] == RESUMED_MESSAGE_TYPE
        # Subscribed again: the group's messages flow.
        await layer.group_send("watchers", {"type": "hello"})
        assert (await asyncio.wait_for(layer.receive(channel), 5))["type"] == "hello"
    finally:
        await layer.flush()


async def test_a_subscriber_gets_what_was_published_while_redis_was_away(
    private_layer, author_cookie
):
    listener = await connect(author_cookie)
    assert (await subscribe(listener, POSTS, "s"))["type"] == "subscribe_success"
    private_layer.stop()
    await _announce_while_redis_is_away(3)
    private_layer.start()
    offsets = []
    for _ in range(3):
        frame = await listener.receive_json_from(timeout=BACK_WITHIN_SECONDS)
        assert (frame["type"], frame["id"]) == ("data", "s")
        offsets.append(json.loads(frame["event"])["offset"])
    assert offsets == [1, 2, 3]
    assert await listener.receive_nothing()
    await listener.disconnect()


async def test_a_follower_gets_what_was_published_while_redis_was_away(private_layer):
    async with follow(POSTS) as events:
        private_layer.stop()
        await _announce_while_redis_is_away(2)
        private_layer.start()
        received = [await asyncio.wait_for(anext(events), BACK_WITHIN_SECONDS) for _ in range(2)]
    assert [event.position.offset for event in received] == [1, 2]
