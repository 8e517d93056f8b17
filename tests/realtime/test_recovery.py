"""A subscriber sees each logged event once, in offset order, whatever order and however many
times the layer brings it; ``since`` on subscribe recovers what was missed, or says plainly
that it cannot."""

import asyncio
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from realtime import broadcast, event_log
from realtime.broadcast import Change, announce
from realtime.delivery_order import gap_reads
from realtime.follow import follow
from realtime.groups import group_name, parse_channel_path
from realtime.models import ChannelEvent
from realtime.positions import Position
from tests.realtime.conftest import connect, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

POSTS = "/subscriptions/posts"


@database_sync_to_async
def _logged_without_sending(count: int, monkeypatch) -> list[event_log.LoggedEvent]:
    """``count`` committed announcements the fast path did not publish."""
    with monkeypatch.context() as patched:
        patched.setattr("realtime.broadcast.send_logged", lambda logged: False)
        for number in range(count):
            with transaction.atomic():
                announce(Change(POSTS, "posts", "created", [str(number)]))
    head = event_log.head(POSTS)
    return event_log.events_after(POSTS, Position(head.epoch, 0))


@database_sync_to_async
def _announce(count: int) -> None:
    for number in range(count):
        with transaction.atomic():
            announce(Change(POSTS, "posts", "created", [f"live-{number}"]))


async def _offsets(communicator, count: int, op_id: str = "s") -> list[int]:
    offsets = []
    for _ in range(count):
        frame = await communicator.receive_json_from()
        assert (frame["type"], frame["id"]) == ("data", op_id)
        offsets.append(json.loads(frame["event"])["offset"])
    return offsets


async def test_events_the_layer_brings_out_of_order_or_twice_arrive_once_in_order(
    author_cookie, monkeypatch
):
    listener = await connect(author_cookie)
    assert (await subscribe(listener, POSTS, "s"))["type"] == "subscribe_success"
    logged = await _logged_without_sending(4, monkeypatch)
    send = database_sync_to_async(broadcast.send_logged)
    # 3 first: 1 and 2 are read from the log; then repeats and 4.
    for index in (2, 0, 1, 2, 3, 3):
        assert await send(logged[index])
    assert await _offsets(listener, 4) == [1, 2, 3, 4]
    assert await listener.receive_nothing()
    await listener.disconnect()


async def test_since_recovers_the_missed_events_then_live_ones_without_gap_or_repeat(
    author_cookie, monkeypatch
):
    logged = await _logged_without_sending(5, monkeypatch)
    listener = await connect(author_cookie)
    since = {"epoch": logged[0].position.epoch, "offset": 2}
    answer = await subscribe(listener, POSTS, "s", since=since)
    assert answer == {
        "type": "subscribe_success",
        "id": "s",
        "recovered": True,
        "position": {"epoch": since["epoch"], "offset": 5},
    }
    assert await _offsets(listener, 3) == [3, 4, 5]
    # The relay's late copies of what was recovered are dropped; live events follow.
    await database_sync_to_async(broadcast.send_logged)(logged[4])
    await _announce(2)
    assert await _offsets(listener, 2) == [6, 7]
    assert await listener.receive_nothing()
    await listener.disconnect()


async def test_a_history_that_does_not_reach_back_is_answered_not_recovered(
    author_cookie, monkeypatch
):
    logged = await _logged_without_sending(3, monkeypatch)
    epoch = logged[0].position.epoch
    await database_sync_to_async(ChannelEvent.objects.update)(relayed=True)
    await database_sync_to_async(event_log.prune)(older_than=timedelta(days=1), keep_per_channel=1)
    listener = await connect(author_cookie)
    answer = await subscribe(listener, POSTS, "s", since={"epoch": epoch, "offset": 0})
    assert answer["type"] == "subscribe_success"
    assert answer["recovered"] is False
    assert answer["position"] == {"epoch": epoch, "offset": 3}
    assert "reload" in answer["message"]
    # Still live from the head.
    await _announce(1)
    assert await _offsets(listener, 1) == [4]
    await listener.disconnect()


async def test_a_foreign_epoch_is_not_recovered(author_cookie, monkeypatch):
    await _logged_without_sending(1, monkeypatch)
    listener = await connect(author_cookie)
    answer = await subscribe(listener, POSTS, "s", since={"epoch": "0badc0de", "offset": 1})
    assert (answer["type"], answer["recovered"]) == ("subscribe_success", False)
    await listener.disconnect()


@pytest.mark.parametrize(
    ("channel", "since", "message"),
    [
        (POSTS, {"epoch": "e", "offset": -1}, "since: offset is a whole number"),
        (POSTS, {"epoch": "e", "offset": 2**60}, "since: offset is at most"),
        (POSTS, "1", "since: A position is"),
        ("/subscriptions/*", {"epoch": "e", "offset": 1}, "since recovers one"),
    ],
)
async def test_a_bad_since_is_refused_and_leaves_no_subscription(
    author_cookie, channel, since, message
):
    listener = await connect(author_cookie)
    answer = await subscribe(listener, channel, "s", since=since)
    assert answer["type"] == "subscribe_error"
    assert answer["errors"][0]["errorType"] == "BadRequestException"
    assert answer["errors"][0]["message"].startswith(message)
    assert (await subscribe(listener, POSTS, "s"))["type"] == "subscribe_success"
    await listener.disconnect()


async def test_an_offset_beyond_the_head_is_refused_and_the_group_left(author_cookie, monkeypatch):
    logged = await _logged_without_sending(1, monkeypatch)
    listener = await connect(author_cookie)
    answer = await subscribe(
        listener, POSTS, "s", since={"epoch": logged[0].position.epoch, "offset": 9}
    )
    assert answer["type"] == "subscribe_error"
    assert "beyond" in answer["errors"][0]["message"]
    await _announce(1)
    assert await listener.receive_nothing()
    await listener.disconnect()


async def test_follow_resumes_after_since_and_leaves_no_membership(monkeypatch):
    logged = await _logged_without_sending(3, monkeypatch)
    since = logged[0].position
    layer = get_channel_layer()
    group = group_name(parse_channel_path(POSTS))
    async with follow(POSTS, since=since) as events:
        assert _members(layer, group)
        await _announce(1)
        received = [await anext(events) for _ in range(3)]
    assert [event.position.offset for event in received] == [2, 3, 4]
    assert not _members(layer, group)


def _members(layer, group: str) -> set:
    """The channels of this event loop in ``group``, whatever the layer (call it from the
    loop)."""
    if isinstance(layer, InMemoryChannelLayer):
        return set(layer.groups.get(group, {}))
    loop_layer = layer._layers.get(asyncio.get_running_loop())  # the Redis pub/sub layer
    if loop_layer is None:
        return set()
    return set(loop_layer.groups.get(loop_layer._get_group_channel_name(group), set()))


async def test_a_gap_that_cannot_be_read_closes_the_socket_for_a_recovery_not_a_silent_gap(
    author_cookie, monkeypatch
):
    listener = await connect(author_cookie)
    assert (await subscribe(listener, POSTS, "s"))["type"] == "subscribe_success"
    logged = await _logged_without_sending(2, monkeypatch)

    async def database_away(*args):
        raise OSError("the database is away")

    monkeypatch.setattr(gap_reads, "_read", database_away)
    assert await database_sync_to_async(broadcast.send_logged)(logged[1])
    error = await listener.receive_json_from()
    assert error["type"] == "error"
    assert "subscribe with since" in error["errors"][0]["message"]
    assert (await listener.receive_output())["type"] == "websocket.close"


async def test_every_subscription_is_told_where_it_starts(author_cookie, monkeypatch):
    listener = await connect(author_cookie)
    answer = await subscribe(listener, POSTS, "before")
    assert answer["position"] == {"epoch": "", "offset": 0}  # no event yet
    logged = await _logged_without_sending(2, monkeypatch)
    answer = await subscribe(listener, POSTS, "after")
    assert answer["position"] == {"epoch": logged[0].position.epoch, "offset": 2}
    assert "position" not in await subscribe(listener, "/subscriptions/*", "wildcard")
    await listener.disconnect()


async def test_a_client_that_started_before_the_first_event_recovers_all_of_them(
    author_cookie, monkeypatch
):
    await _logged_without_sending(3, monkeypatch)
    listener = await connect(author_cookie)
    answer = await subscribe(listener, POSTS, "s", since={"epoch": "", "offset": 0})
    assert answer["recovered"] is True
    assert await _offsets(listener, 3) == [1, 2, 3]
    await listener.disconnect()


async def test_before_the_first_event_on_a_channel_still_empty_recovers_nothing(author_cookie):
    listener = await connect(author_cookie)
    answer = await subscribe(listener, POSTS, "s", since={"epoch": "", "offset": 0})
    assert (answer["recovered"], answer["position"]) == (True, {"epoch": "", "offset": 0})
    await _announce(1)
    assert await _offsets(listener, 1) == [1]
    await listener.disconnect()
