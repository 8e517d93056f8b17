"""A chunked call is recorded before its last chunk is acknowledged: a client that re-sends it
after a crash gets the answer, and the call runs once."""

import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async

from blog.models import Post
from chunking import codec
from chunking.models import ChunkedCall
from realtime import session_channel
from tests.realtime.conftest import connect, open_session, publish, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

TITLE = "Sent in chunks"


def _chunks(title: str = TITLE) -> list[codec.Chunk]:
    create = {
        "id": "big-1",
        "method": "mutation",
        "params": {"path": "post.create", "input": {"title": title, "content": "ink " * 80_000}},
    }
    chunks = codec.split(json.dumps(create))
    assert len(chunks) >= 2
    return chunks


async def _tab(cookie: str, client_uuid: uuid.UUID):
    """A connection subscribed to its browser's session channel; (it, the channel)."""
    communicator = await connect(cookie)
    channel = f"/trpc/{await open_session(communicator, client_uuid)}"
    assert (await subscribe(communicator, channel, "calls"))["type"] == "subscribe_success"
    return communicator, channel


async def _send(communicator, channel: str, chunks: list[codec.Chunk]) -> None:
    """Each chunk in its own publish, each acknowledged before the next."""
    for chunk in chunks:
        acknowledged = await publish(
            communicator, channel, chunk.to_event(), op_id=f"c{chunk.chunk_index}"
        )
        assert acknowledged["type"] == "publish_success", acknowledged
        assert acknowledged["successful"], acknowledged


async def _answer(communicator) -> dict:
    """The next answer on the connection, joined if it comes in chunks."""
    parts: list[codec.Chunk] = []
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        assert frame["type"] == "data", frame
        event = json.loads(frame["event"])
        if not codec.is_chunk(event):
            return event
        parts.append(codec.parse_chunk(event))
        if len(parts) == parts[0].total_chunks:
            return json.loads(codec.join(parts))


def _stored() -> tuple[int, list[str]]:
    """(posts with the title, states of the recorded calls)."""
    posts = Post.objects.filter(title=TITLE).count()
    return posts, list(ChunkedCall.objects.values_list("state", flat=True))


async def test_a_call_acknowledged_before_a_crash_is_recorded_and_a_resend_runs_it_once(
    author_cookie, monkeypatch
):
    answer_for_real = session_channel.aanswer_chunked_call
    crashed = asyncio.Event()

    async def dies_before_running(**kwargs):
        crashed.set()
        await asyncio.Event().wait()  # the process is gone: nothing after the ack happens

    monkeypatch.setattr(session_channel, "aanswer_chunked_call", dies_before_running)
    client_uuid = uuid.uuid4()
    first, channel = await _tab(author_cookie, client_uuid)
    chunks = _chunks()
    await _send(first, channel, chunks)
    await asyncio.wait_for(crashed.wait(), 5)
    # The last chunk was acknowledged: the whole call is on record, queued, and has not run.
    assert await database_sync_to_async(_stored)() == (0, ["queued"])
    first.stop(exceptions=False)

    monkeypatch.setattr(session_channel, "aanswer_chunked_call", answer_for_real)
    second, same_channel = await _tab(author_cookie, client_uuid)
    assert same_channel == channel
    await _send(second, channel, chunks)
    answer = await _answer(second)
    assert answer["id"] == "big-1"
    assert answer["result"]["data"]["title"] == TITLE
    assert await database_sync_to_async(_stored)() == (1, ["answered"])
    await second.disconnect()


async def test_a_resend_after_the_answer_gets_the_same_answer_and_writes_nothing(author_cookie):
    communicator, channel = await _tab(author_cookie, uuid.uuid4())
    chunks = _chunks()
    await _send(communicator, channel, chunks)
    first = await _answer(communicator)
    assert first["result"]["data"]["title"] == TITLE
    await _send(communicator, channel, chunks)
    assert await _answer(communicator) == first
    assert await communicator.receive_nothing()
    assert await database_sync_to_async(_stored)() == (1, ["answered"])
    await communicator.disconnect()
