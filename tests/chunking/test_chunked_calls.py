"""A chunked call is recorded with its last chunk, runs once, and keeps its answer for re-sends."""

import json

import pytest

from blog.models import Post
from chunking import codec, store
from chunking.models import ChunkedCall, MessageChunk
from lib.errors import NotFound
from tests.factories import ClientSessionFactory, UserFactory

CALL = json.dumps({"id": 1, "method": "mutation", "params": {"input": "ü" * 20}})


@pytest.fixture
def session(author):
    return ClientSessionFactory(user=author)


def _events(message: str = CALL, message_id: str = "m-1") -> list[dict]:
    return [
        chunk.to_event() for chunk in codec.split(message, message_id=message_id, chunk_bytes=7)
    ]


def _send_all(session, events: list[dict]) -> bytes | None:
    """Every chunk in order; what the last one handed out."""
    results = [store.add_chunk(session=session, payload=event) for event in events]
    return results[-1]


class Runs:
    """A stand-in for the call: counts its runs, answers ``answer``."""

    def __init__(self, answer: str = '{"id":1,"result":{"type":"data","data":"done"}}') -> None:
        self.answer = answer
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return self.answer


@pytest.mark.django_db
def test_the_last_chunk_records_the_whole_call_queued_and_deletes_its_chunks(session):
    assert _send_all(session, _events()) == CALL.encode()
    record = ChunkedCall.objects.get()
    assert (record.session, record.message_id, record.message) == (session, "m-1", CALL)
    assert record.state == ChunkedCall.State.QUEUED
    assert (record.answer, record.answered_at) == ("", None)
    assert not MessageChunk.objects.exists()


@pytest.mark.django_db
def test_a_queued_call_runs_once_and_its_answer_is_stored(session):
    _send_all(session, _events())
    run = Runs()
    assert store.answer_once(session=session, message_id="m-1", run=run) == run.answer
    record = ChunkedCall.objects.get()
    assert (record.state, record.answer) == (ChunkedCall.State.ANSWERED, run.answer)
    assert record.answered_at is not None
    assert run.count == 1


@pytest.mark.django_db
def test_an_answered_call_gives_its_stored_answer_and_is_not_run_again(session):
    _send_all(session, _events())
    first = Runs()
    store.answer_once(session=session, message_id="m-1", run=first)
    again = Runs(answer="a different answer")
    assert store.answer_once(session=session, message_id="m-1", run=again) == first.answer
    assert again.count == 0


@pytest.mark.django_db
def test_chunks_of_a_recorded_call_sent_again_are_not_stored_and_the_last_hands_it_out(session):
    events = _events()
    _send_all(session, events)
    store.answer_once(session=session, message_id="m-1", run=Runs())
    assert [store.add_chunk(session=session, payload=event) for event in events[:-1]] == [None] * (
        len(events) - 1
    )
    assert not MessageChunk.objects.exists()
    assert store.add_chunk(session=session, payload=events[-1]) == CALL.encode()
    assert ChunkedCall.objects.count() == 1


@pytest.mark.django_db
def test_a_call_whose_run_fails_stays_queued_with_its_writes_undone(session, author):
    _send_all(session, _events())

    def crashes() -> str:
        Post.objects.create(author=author, title="Half done", slug="half-done")
        raise RuntimeError("the process died here")

    with pytest.raises(RuntimeError):
        store.answer_once(session=session, message_id="m-1", run=crashes)
    assert ChunkedCall.objects.get().state == ChunkedCall.State.QUEUED
    assert not Post.objects.exists()
    # The re-send runs it.
    run = Runs()
    assert store.answer_once(session=session, message_id="m-1", run=run) == run.answer
    assert run.count == 1


@pytest.mark.django_db
def test_a_call_no_longer_kept_is_not_found(session):
    with pytest.raises(NotFound, match="no longer kept"):
        store.answer_once(session=session, message_id="gone", run=Runs())


@pytest.mark.django_db
def test_calls_are_scoped_to_their_session(session, stranger):
    _send_all(session, _events())
    theirs = ClientSessionFactory(user=stranger)
    with pytest.raises(NotFound):
        store.answer_once(session=theirs, message_id="m-1", run=Runs())
    # The stranger's chunks with the same message id make a message of their own.
    assert store.add_chunk(session=theirs, payload=_events()[-1]) is None
    assert MessageChunk.objects.filter(session=theirs).count() == 1


@pytest.mark.django_db
def test_a_message_that_is_not_utf8_is_handed_out_but_not_recorded(session):
    events = [
        codec.Chunk("raw", index, 2, data).to_event()
        for index, data in enumerate(["/w==", "/w=="])  # 0xff bytes
    ]
    assert _send_all(session, events) == b"\xff\xff"
    assert not ChunkedCall.objects.exists()
    assert not MessageChunk.objects.exists()


@pytest.mark.django_db
def test_a_session_keeps_only_its_newest_answers(session):
    other_session = ClientSessionFactory(user=UserFactory())
    _send_all(other_session, _events(message_id="elsewhere"))
    store.answer_once(session=other_session, message_id="elsewhere", run=Runs())
    kept = store.KEPT_ANSWERS_PER_SESSION
    for number in range(kept + 2):
        _send_all(session, _events(message_id=f"m{number}"))
        store.answer_once(session=session, message_id=f"m{number}", run=Runs())
    _send_all(session, _events(message_id="still-queued"))
    ours = ChunkedCall.objects.filter(session=session)
    assert sorted(ours.values_list("message_id", flat=True)) == sorted(
        [f"m{number}" for number in range(2, kept + 2)] + ["still-queued"]
    )
    assert ChunkedCall.objects.filter(message_id="elsewhere").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_answering_one_call_at_once_run_it_once(author):
    import time
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    session = ClientSessionFactory(user=author)
    barrier = Barrier(2)
    runs: list[str] = []

    def slow_run() -> str:
        runs.append("ran")
        time.sleep(0.2)  # holding the row lock while the other process arrives
        return "the answer"

    def answer(message_id: str) -> str:
        try:
            barrier.wait()
            return store.answer_once(session=session, message_id=message_id, run=slow_run)
        finally:
            connection.close()

    for number in range(3):
        _send_all(session, _events(message_id=f"race-{number}"))
        runs.clear()
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(answer, [f"race-{number}"] * 2))
        assert answers == ["the answer", "the answer"]
        assert runs == ["ran"]
