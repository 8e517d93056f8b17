"""Asking for a session: the id comes back on this connection, is stable, and is stored."""

import json
import uuid

import pytest
from channels.db import database_sync_to_async

from chunking import codec
from chunking.models import MessageChunk
from sessions_app.models import ClientSession
from tests.realtime.conftest import connect, open_session, publish, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def _stored_sessions() -> list[tuple[str, str, uuid.UUID]]:
    return list(ClientSession.objects.values_list("session_id", "user__email", "client_uuid"))


async def test_the_same_browser_gets_the_same_session_on_every_connection(author_cookie):
    client_uuid = uuid.uuid4()
    first = await connect(author_cookie)
    session_id = await open_session(first, client_uuid)
    await first.disconnect()
    second = await connect(author_cookie)
    assert await open_session(second, client_uuid) == session_id
    assert await open_session(second, uuid.uuid4()) != session_id
    assert uuid.UUID(session_id).version == 4
    assert (session_id, "author@example.com", client_uuid) in await _stored_sessions()
    # The owner may now subscribe to the session channel.
    answer = await subscribe(second, f"/trpc/{session_id}", "calls")
    assert (answer["type"], answer["id"]) == ("subscribe_success", "calls")
    await second.disconnect()


async def test_a_session_request_answers_each_event_and_lists_bad_ones_as_failed(author_cookie):
    communicator = await connect(author_cookie)
    channel = "/trpc/session-request-1700000000000"
    await subscribe(communicator, channel, "req")
    good = {"type": "session.request", "clientUuid": str(uuid.uuid4())}
    answer = await publish(
        communicator,
        channel,
        {"type": "session.request", "clientUuid": "not-a-uuid"},
        good,
        "{broken",
        op_id="ask",
    )
    assert answer["type"] == "publish_success"
    assert answer["successful"] == [{"identifier": "ask-1", "index": 1}]
    assert [(f["index"], f["code"]) for f in answer["failed"]] == [(0, 400), (2, 400)]
    assert "UUID" in answer["failed"][0]["message"]
    data = await communicator.receive_json_from()
    assert data["type"] == "data"
    assert data["id"] == "req"
    assert isinstance(data["event"], str)
    assert json.loads(data["event"])["type"] == "session.created"
    assert await communicator.receive_nothing()
    await communicator.disconnect()


async def test_a_session_request_without_subscribing_first_is_refused(author_cookie):
    communicator = await connect(author_cookie)
    request = {"type": "session.request", "clientUuid": str(uuid.uuid4())}
    answer = await publish(communicator, "/trpc/session-request-5", request)
    assert answer["type"] == "publish_error"
    assert "Subscribe to /trpc/session-request-5 first" in answer["errors"][0]["message"]
    assert await _stored_sessions() == []
    await communicator.disconnect()


async def test_a_session_request_needs_a_signed_in_user():
    communicator = await connect()
    answer = await subscribe(communicator, "/trpc/session-request-1")
    assert answer["type"] == "subscribe_error"
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    await communicator.disconnect()


async def test_chunks_on_the_own_session_are_stored_until_the_message_is_whole(author_cookie):
    communicator = await connect(author_cookie)
    session_id = await open_session(communicator)
    chunks = codec.split("x" * (codec.CHUNK_BYTES + 10), message_id="big-1")
    answer = await publish(communicator, f"/trpc/{session_id}", chunks[0].to_event())
    assert answer["successful"] == [{"identifier": "pub-1-0", "index": 0}]
    assert await database_sync_to_async(MessageChunk.objects.count)() == 1
    # Sending it again changes nothing.
    await publish(communicator, f"/trpc/{session_id}", chunks[0].to_event(), op_id="again")
    assert await database_sync_to_async(MessageChunk.objects.count)() == 1
    await communicator.disconnect()


async def test_bad_chunks_are_listed_as_failed_with_the_reason(author_cookie):
    communicator = await connect(author_cookie)
    session_id = await open_session(communicator)
    chunk = codec.split("x" * 100, message_id="m", chunk_bytes=60)[0].to_event()
    answer = await publish(
        communicator,
        f"/trpc/{session_id}",
        chunk | {"data": "!!"},
        chunk | {"chunkIndex": 7},
        chunk | {"totalChunks": 10_000},
    )
    assert answer["successful"] == []
    assert [(f["index"], f["code"]) for f in answer["failed"]] == [(0, 400), (1, 400), (2, 429)]
    assert "base64" in answer["failed"][0]["message"]
    assert await database_sync_to_async(MessageChunk.objects.count)() == 0
    await communicator.disconnect()


async def test_chunk_data_over_the_users_limit_is_a_limit_exceeded_failure(author_cookie, settings):
    settings.REALTIME_MAX_CHUNK_BYTES_PER_USER = 100
    communicator = await connect(author_cookie)
    first = await open_session(communicator)
    second = await open_session(communicator)
    chunk = codec.split("x" * 100, message_id="m", chunk_bytes=60)[0].to_event()
    assert (await publish(communicator, f"/trpc/{first}", chunk))["failed"] == []
    answer = await publish(communicator, f"/trpc/{second}", chunk, op_id="over")
    assert answer["successful"] == []
    assert [(f["index"], f["code"]) for f in answer["failed"]] == [(0, 429)]
    assert "across all your sessions" in answer["failed"][0]["message"]
    await communicator.disconnect()
