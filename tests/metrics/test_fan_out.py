"""Broadcasts are timed from commit to the channel layer, failed sends counted; consumers that
fall behind and the messages dropped from their queues are counted."""

import pytest
from channels.layers import channel_layers
from django.db import transaction

from realtime.broadcast import Change, announce
from realtime.layers import OverflowQueue, overflow_notice

SENT = "inkwell_broadcast_send_seconds_count"
FAILED = "inkwell_broadcast_failures_total"


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_timed_once_sent(scrape):
    before = scrape()

    with transaction.atomic():
        announce(Change("/subscriptions/posts", "posts", "created", ["1"]))
        assert scrape().value(SENT) == before.value(SENT)  # nothing before the commit

    assert scrape().value(SENT) == before.value(SENT) + 1


@pytest.mark.django_db(transaction=True)
def test_a_send_the_channel_layer_refuses_is_counted(scrape, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens there
        }
    }
    channel_layers.backends.clear()
    before = scrape()
    try:
        with transaction.atomic():
            announce(Change("/subscriptions/posts", "posts", "created", ["1"]))
    finally:
        channel_layers.backends.clear()

    after = scrape()
    assert after.value(FAILED) > before.value(FAILED)
    assert after.value(SENT) == before.value(SENT) + 1


@pytest.mark.django_db
def test_an_overflowing_consumer_queue_is_counted_with_what_it_dropped(scrape):
    queue = OverflowQueue(2, overflow_notice, "a-consumer")
    before = scrape()

    for number in range(3):
        queue.put_nowait({"n": number})

    after = scrape()
    assert (
        after.value("inkwell_layer_overflows_total")
        == before.value("inkwell_layer_overflows_total") + 1
    )
    assert (
        after.value("inkwell_layer_dropped_messages_total")
        == before.value("inkwell_layer_dropped_messages_total") + 3
    )
