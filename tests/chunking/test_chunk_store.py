"""The chunk store: idempotent, any order, one hand-out per message, limits with reasons."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chunking import codec, store
from chunking.models import ChunkedCall, IncomingMessage, MessageChunk
from lib.errors import InvalidInput, PayloadTooLarge
from tests.factories import ClientSessionFactory


@pytest.fixture
def session(author):
    return ClientSessionFactory(user=author)


def _events(message: str, message_id: str = "m-1", chunk_bytes: int = 7) -> list[dict]:
    chunks = codec.split(message, message_id=message_id, chunk_bytes=chunk_bytes)
    return [chunk.to_event() for chunk in chunks]


@pytest.mark.django_db
def test_chunks_in_any_order_with_duplicates_give_the_message_once_and_leave_nothing(session):
    message = json.dumps({"id": 1, "method": "mutation", "params": {"input": "ü" * 20}})
    events = _events(message)
    order = [*reversed(events[1:]), events[1], events[0]]
    results = [store.add_chunk(session=session, payload=event) for event in order]
    assert results[:-1] == [None] * (len(order) - 1)
    assert results[-1] == message.encode()
    assert not MessageChunk.objects.exists()
    # The message is recorded: a chunk of it sent again is not stored as a new message.
    assert store.add_chunk(session=session, payload=events[0]) is None


@pytest.mark.django_db
def test_chunks_are_scoped_to_their_session(session, stranger):
    other = ClientSessionFactory(user=stranger)
    first, second = _events("0123456789abcd", chunk_bytes=7)
    assert store.add_chunk(session=session, payload=first) is None
    # The stranger sends the missing chunk of the same message id: it completes nothing of ours.
    assert store.add_chunk(session=other, payload=second) is None
    assert MessageChunk.objects.filter(session=session).count() == 1
    assert store.add_chunk(session=session, payload=second) == b"0123456789abcd"


@pytest.mark.django_db
def test_a_mismatched_total_is_refused_and_the_stored_chunks_stay(session):
    first, second = _events("0123456789abcd", chunk_bytes=7)
    store.add_chunk(session=session, payload=first)
    with pytest.raises(InvalidInput, match="announced with 2 chunks, not 3"):
        store.add_chunk(session=session, payload=second | {"totalChunks": 3})
    assert MessageChunk.objects.filter(session=session).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"data": "%%%"}, InvalidInput, "not valid base64"),
        ({"chunkIndex": 9}, InvalidInput, "chunkIndex must be between 0 and 1"),
        ({"totalChunks": codec.MAX_CHUNKS + 1}, PayloadTooLarge, "at most"),
    ],
)
def test_malformed_chunks_are_refused_before_anything_is_stored(session, change, error, message):
    first, _ = _events("0123456789abcd", chunk_bytes=7)
    with pytest.raises(error, match=message):
        store.add_chunk(session=session, payload=first | change)
    assert not MessageChunk.objects.exists()


@pytest.mark.django_db
def test_too_many_incomplete_messages_per_session_is_a_limit(session):
    for number in range(store.MAX_INCOMPLETE_MESSAGES):
        store.add_chunk(session=session, payload=_events("0123456789abcd", f"m{number}")[0])
    with pytest.raises(PayloadTooLarge, match="waiting for chunks"):
        store.add_chunk(session=session, payload=_events("0123456789abcd", "one-more")[0])
    # A chunk of a message already started is still welcome.
    assert store.add_chunk(session=session, payload=_events("0123456789abcd", "m0")[1]) == (
        b"0123456789abcd"
    )


@pytest.mark.django_db
def test_a_message_over_8_mib_is_refused_when_joined(session):
    total = codec.MAX_CHUNKS
    data = "A" * codec.MAX_CHUNK_DATA_CHARS
    event = {"type": "chunk", "messageId": "huge", "totalChunks": total, "data": data}
    for index in range(total - 1):
        store.add_chunk(session=session, payload=event | {"chunkIndex": index})
    with pytest.raises(PayloadTooLarge, match="MiB"):
        store.add_chunk(session=session, payload=event | {"chunkIndex": total - 1})
    assert not MessageChunk.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_storing_the_last_chunks_at_once_hand_the_message_out_once(author):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    session = ClientSessionFactory(user=author)
    events = _events("x" * 70, chunk_bytes=7)  # ten chunks
    for event in events[:-2]:
        store.add_chunk(session=session, payload=event)
    barrier = Barrier(2)

    def store_last(event: dict) -> bytes | None:
        try:
            barrier.wait()
            return store.add_chunk(session=session, payload=event)
        finally:
            connection.close()

    for _ in range(5):
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(store_last, events[-2:]))
        assert sorted(results, key=bool) == [None, b"x" * 70]
        assert not MessageChunk.objects.exists()
        for event in events[:-2]:
            store.add_chunk(session=session, payload=event)


@pytest.mark.django_db
def test_unfinished_chunk_data_is_capped_per_user_across_sessions(session, author, settings):
    # Each first chunk below is 7 bytes: 12 characters of base64.
    settings.REALTIME_MAX_CHUNK_BYTES_PER_USER = 40
    sessions = [session, *(ClientSessionFactory(user=author) for _ in range(3))]
    for number, own in enumerate(sessions[:3]):
        store.add_chunk(session=own, payload=_events("0123456789abcd", f"m{number}")[0])
    with pytest.raises(PayloadTooLarge, match="36 of the 40 bytes"):
        store.add_chunk(session=sessions[3], payload=_events("0123456789abcd", "m3")[0])
    assert MessageChunk.objects.count() == 3
    # A chunk sent again is not counted twice.
    assert store.add_chunk(session=session, payload=_events("0123456789abcd", "m0")[0]) is None
    # Finishing a message makes room again.
    assert store.add_chunk(session=session, payload=_events("0123456789abcd", "m0")[1]) == (
        b"0123456789abcd"
    )
    assert store.add_chunk(session=sessions[3], payload=_events("0123456789abcd", "m3")[0]) is None


@pytest.mark.django_db
def test_another_users_chunk_data_does_not_count_against_mine(session, stranger, settings):
    settings.REALTIME_MAX_CHUNK_BYTES_PER_USER = 24
    for number in range(2):
        store.add_chunk(session=session, payload=_events("0123456789abcd", f"m{number}")[0])
    with pytest.raises(PayloadTooLarge):
        store.add_chunk(session=session, payload=_events("0123456789abcd", "m2")[0])
    theirs = ClientSessionFactory(user=stranger)
    for number in range(2):
        store.add_chunk(session=theirs, payload=_events("0123456789abcd", f"m{number}")[0])
    assert MessageChunk.objects.filter(session=theirs).count() == 2


@pytest.mark.django_db
def test_a_message_whose_completion_was_cut_short_is_completed_by_a_chunk_sent_again(session):
    events = _events("0123456789abcd", chunk_bytes=7)
    store.add_chunk(session=session, payload=events[0])
    # The process storing the last chunk dies after storing it, before taking the message.
    last = codec.parse_chunk(events[1])
    if connection.vendor == "postgresql":
        store._store_in_one_statement(session, last)
    else:
        store._store_in_a_transaction(session, last)
    assert MessageChunk.objects.filter(session=session).count() == 2
    # The client saw no acknowledgement and sends the chunks again.
    assert store.add_chunk(session=session, payload=events[0]) == b"0123456789abcd"
    assert not MessageChunk.objects.exists()
    assert not IncomingMessage.objects.exists()
    assert store.add_chunk(session=session, payload=events[1]) == b"0123456789abcd"


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_chunk_that_does_not_complete_its_message_is_one_statement(
    session, django_assert_num_queries
):
    first, second, _ = _events("0123456789abcdefghij", chunk_bytes=7)
    store.add_chunk(session=session, payload=first)
    # The rules' read, the insert and the message's count, in one WITH statement.
    with django_assert_num_queries(1):
        assert store.add_chunk(session=session, payload=second) is None
    # A duplicate is the same statement, storing nothing.
    with django_assert_num_queries(1):
        assert store.add_chunk(session=session, payload=second) is None
    assert MessageChunk.objects.filter(session=session).count() == 2
    assert IncomingMessage.objects.get(session=session).received_chunks == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_clients_sending_the_same_chunks_at_once_in_any_order_get_the_message_once(author):
    import random
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    session = ClientSessionFactory(user=author)
    message = json.dumps({"id": 1, "method": "mutation", "params": {"input": "ü" * 60}})
    events = _events(message, chunk_bytes=16)
    senders = 4
    barrier = Barrier(senders)

    def send_all(seed: int) -> list[bytes | None]:
        order = random.Random(seed).sample(events, len(events))
        try:
            barrier.wait()
            return [store.add_chunk(session=session, payload=event) for event in order]
        finally:
            connection.close()

    for attempt in range(8):
        with ThreadPoolExecutor(senders) as pool:
            results = [
                r
                for rs in pool.map(send_all, range(attempt * 10, attempt * 10 + senders))
                for r in rs
            ]
        # Exactly one sender completed it; the others get it again only from the last index.
        completions = [r for r in results if r is not None]
        assert completions and set(completions) == {message.encode()}
        assert ChunkedCall.objects.filter(session=session).count() == 1
        assert not MessageChunk.objects.exists()
        assert not IncomingMessage.objects.exists()
        ChunkedCall.objects.all().delete()


@pytest.mark.django_db
def test_an_abandoned_message_is_cleaned_up_whole_and_can_be_sent_afresh(session):
    first, second = _events("0123456789abcd", chunk_bytes=7)
    store.add_chunk(session=session, payload=first)
    an_hour_ago = timezone.now() - timedelta(minutes=61)
    MessageChunk.objects.update(created_at=an_hour_ago)
    IncomingMessage.objects.update(created_at=an_hour_ago)
    assert store.delete_abandoned_chunks() == 1
    assert not IncomingMessage.objects.exists()
    # Sent again from the start, it completes with both chunks, not on a stale count.
    assert store.add_chunk(session=session, payload=second) is None
    assert store.add_chunk(session=session, payload=first) == b"0123456789abcd"
