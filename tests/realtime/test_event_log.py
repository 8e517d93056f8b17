"""The event log: offsets that only grow and never skip, recovery within bounds, an explicit
"not recovered" beyond them, and the relay publishing what the fast path could not."""

import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction

from blog import services
from realtime import event_log, relay
from realtime.broadcast import Change, announce
from realtime.event_log import InvalidPosition, NotRecovered, Position
from realtime.models import ChannelEvent
from realtime.positions import BEFORE_HISTORY
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)

POSTS = "/subscriptions/posts"


def _announce(n: int, channel: str = POSTS) -> None:
    for number in range(n):
        with transaction.atomic():
            announce(Change(channel, "posts", "created", [str(number)]))


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "e:1",
        {"epoch": "e"},
        {"epoch": "", "offset": 1},
        {"epoch": "x" * 17, "offset": 1},
        {"epoch": "e", "offset": -1},
        {"epoch": "e", "offset": 2**53},
        {"epoch": "e", "offset": 1.5},
        {"epoch": "e", "offset": True},
        {"epoch": 7, "offset": 1},
    ],
)
def test_a_malformed_position_is_refused(raw):
    with pytest.raises(InvalidPosition):
        Position.parse(raw)


def test_before_history_is_the_one_position_without_an_epoch():
    assert Position.parse({"epoch": "", "offset": 0}) == BEFORE_HISTORY
    assert Position.from_event_id(":0") == BEFORE_HISTORY


def test_event_ids_round_trip_and_bad_ones_are_refused():
    assert Position.from_event_id(Position("ab12", 42).event_id()) == Position("ab12", 42)
    for text in ("", "ab12", "ab12:", "ab12:-1", ":5", "ab12:x"):
        with pytest.raises(InvalidPosition):
            Position.from_event_id(text)


def test_offsets_count_up_per_channel_in_one_epoch():
    _announce(3)
    _announce(2, "/subscriptions/comments/1")
    head = event_log.head(POSTS)
    assert head is not None and head.offset == 3
    assert event_log.head("/subscriptions/comments/1").offset == 2
    assert event_log.head("/subscriptions/comments/2") is None
    assert [e.position for e in event_log.events_after(POSTS, Position(head.epoch, 0))] == [
        Position(head.epoch, n) for n in (1, 2, 3)
    ]
    assert event_log.events_after(POSTS, head) == []


def test_recovery_beyond_the_head_or_from_another_epoch_is_refused():
    _announce(2)
    head = event_log.head(POSTS)
    with pytest.raises(InvalidPosition):
        event_log.events_after(POSTS, Position(head.epoch, 3))
    with pytest.raises(NotRecovered) as refused:
        event_log.events_after(POSTS, Position("f0f0f0f0", 1))
    assert refused.value.head == head
    with pytest.raises(NotRecovered):
        event_log.events_after("/subscriptions/comments/9", Position(head.epoch, 0))


def test_pruned_history_cannot_be_recovered_but_offsets_go_on(settings):
    _announce(5)
    ChannelEvent.objects.update(relayed=True)
    assert (
        event_log.prune(older_than=__import__("datetime").timedelta(days=1), keep_per_channel=2)
        == 3
    )
    head = event_log.head(POSTS)
    assert [e.position.offset for e in event_log.events_after(POSTS, Position(head.epoch, 3))] == [
        4,
        5,
    ]
    with pytest.raises(NotRecovered):
        event_log.events_after(POSTS, Position(head.epoch, 2))
    _announce(1)
    assert event_log.head(POSTS) == Position(head.epoch, 6)


def test_prune_by_age_keeps_what_the_relay_has_not_published(monkeypatch):
    monkeypatch.setattr("realtime.broadcast.send_logged", lambda logged: False)
    _announce(3)
    ChannelEvent.objects.filter(offset__lte=2).update(relayed=True)
    assert event_log.prune(older_than=timedelta(0)) == 2
    assert list(ChannelEvent.objects.values_list("offset", flat=True)) == [3]


def test_the_prune_command_reports_what_it_deleted(settings):
    settings.REALTIME_EVENT_LOG_MAX_PER_CHANNEL = 1
    _announce(3)
    ChannelEvent.objects.update(relayed=True)
    out = StringIO()
    call_command("prune_events", stdout=out)
    assert out.getvalue().startswith("Deleted 2 event(s)")
    assert ChannelEvent.objects.count() == 1


@pytest.mark.postgres
def test_concurrent_announcements_take_contiguous_offsets_in_commit_order():
    """Twenty writers on one channel: offsets 1..20, each once, and in the order of commits."""
    committed: list[int] = []
    lock = threading.Lock()

    def write() -> None:
        try:
            with transaction.atomic():
                announce(Change(POSTS, "posts", "created", ["x"]))
                row = ChannelEvent.objects.order_by("-offset").first()
                offset = row.offset
                with lock:
                    committed.append(offset)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=write) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ChannelEvent.objects.values_list("offset", flat=True)) == list(range(1, 21))
    assert committed == list(range(1, 21))


def test_the_relay_publishes_what_the_fast_path_could_not_and_only_that(
    settings, monkeypatch, author
):
    settings.REALTIME_RELAY_GRACE_MS = 0
    published = []
    monkeypatch.setattr("realtime.broadcast.send_logged", lambda logged: False)
    services.create_post(author=author, title="Missed", content="x", published=True)
    assert ChannelEvent.objects.get().relayed is False

    monkeypatch.setattr(
        "realtime.relay.send_logged", lambda logged: published.append(logged) or True
    )
    assert relay.sweep_once() == 1
    assert [logged.position.offset for logged in published] == [1]
    assert ChannelEvent.objects.get().relayed is True
    assert relay.sweep_once() == 0


def test_the_fast_path_has_its_event_marked_relayed_off_the_writers_path(author):
    services.create_post(author=author, title="Marked", content="x", published=True)
    deadline = time.monotonic() + 5
    while not ChannelEvent.objects.get().relayed:
        assert time.monotonic() < deadline, "never marked"
        time.sleep(0.01)  # waiting for the marking thread, not timing it


def test_a_mark_leaves_its_connection_durable(monkeypatch):
    monkeypatch.setattr("realtime.broadcast.send_logged", lambda logged: False)
    _announce(1)
    event_log.mark_relayed([ChannelEvent.objects.get().id])
    assert ChannelEvent.objects.get().relayed is True
    if connection.vendor == "postgresql":
        # The mark's commit skipped the disk wait; later writes on this connection do not.
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)


def test_a_relay_that_cannot_publish_keeps_the_rest_for_the_next_sweep(settings, monkeypatch):
    settings.REALTIME_RELAY_GRACE_MS = 0
    monkeypatch.setattr("realtime.broadcast.send_logged", lambda logged: False)
    _announce(3)
    outcomes = iter([True, False])
    monkeypatch.setattr("realtime.relay.send_logged", lambda logged: next(outcomes))
    assert relay.sweep_once() == 1
    assert list(ChannelEvent.objects.filter(relayed=False).values_list("offset", flat=True)) == [
        2,
        3,
    ]


def test_events_younger_than_the_grace_are_left_to_the_fast_path(settings, monkeypatch):
    settings.REALTIME_RELAY_GRACE_MS = 60_000
    monkeypatch.setattr("realtime.broadcast.send_logged", lambda logged: False)
    _announce(1)
    assert relay.sweep_once() == 0


def test_a_post_and_its_event_commit_together(author):
    post = PostFactory(author=author, published=False)
    services.update_post(post=post, published=True)
    [row] = ChannelEvent.objects.all()
    assert (row.channel, row.offset) == (POSTS, 1)
    assert str(post.id) in row.payload
