"""Another user can neither listen on, speak on, nor add chunks to someone's session channel."""

import json
import uuid

import pytest
from channels.db import database_sync_to_async

from chunking import codec
from chunking.models import MessageChunk
from tests.realtime.conftest import connect, open_session, publish, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_another_user_cannot_subscribe_to_a_session_channel(author_cookie, stranger_cookie):
    owner = await connect(author_cookie)
    session_id = await open_session(owner)
    intruder = await connect(stranger_cookie)
    answer = await subscribe(intruder, f"/trpc/{session_id}")
    assert answer["type"] == "subscribe_error"
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    # A session that does not exist looks exactly the same.
    missing = await subscribe(intruder, f"/trpc/{uuid.uuid4()}", "other")
    assert missing["errors"][0]["message"] == answer["errors"][0]["message"]
    await owner.disconnect()
    await intruder.disconnect()


async def test_another_user_cannot_publish_calls_or_chunks_on_a_session_channel(
    author_cookie, stranger_cookie
):
    owner = await connect(author_cookie)
    session_id = await open_session(owner)
    assert (await subscribe(owner, f"/trpc/{session_id}", "calls"))["type"] == "subscribe_success"
    chunks = codec.split("y" * 100, message_id="msg", chunk_bytes=60)
    await publish(owner, f"/trpc/{session_id}", chunks[0].to_event())

    intruder = await connect(stranger_cookie)
    call = {"id": 1, "method": "mutation", "params": {"path": "post.delete", "input": {}}}
    for payload in (call, chunks[1].to_event()):
        answer = await publish(intruder, f"/trpc/{session_id}", payload)
        assert answer["type"] == "publish_error"
        assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    # The owner's half message is untouched, and the owner heard nothing.
    stored = await database_sync_to_async(
        lambda: list(MessageChunk.objects.values_list("message_id", "chunk_index"))
    )()
    assert stored == [("msg", 0)]
    assert await owner.receive_nothing()
    await owner.disconnect()
    await intruder.disconnect()


async def test_a_session_answer_reaches_only_the_connection_that_asked(
    author_cookie, stranger_cookie
):
    channel = "/trpc/session-request-1700000000000"
    listener = await connect(stranger_cookie)
    assert (await subscribe(listener, channel, "eavesdrop"))["type"] == "subscribe_success"
    other_tab = await connect(author_cookie)
    assert (await subscribe(other_tab, channel, "same-name"))["type"] == "subscribe_success"

    asker = await connect(author_cookie)
    await subscribe(asker, channel, "mine")
    request = {"type": "session.request", "clientUuid": str(uuid.uuid4())}
    assert (await publish(asker, channel, request))["type"] == "publish_success"
    answer = await asker.receive_json_from()
    assert answer["id"] == "mine"
    assert json.loads(answer["event"])["type"] == "session.created"
    assert await listener.receive_nothing()
    assert await other_tab.receive_nothing()
    for communicator in (listener, other_tab, asker):
        await communicator.disconnect()


async def test_two_tabs_of_one_browser_share_the_session(author_cookie):
    client_uuid = uuid.uuid4()
    first = await connect(author_cookie)
    second = await connect(author_cookie)
    assert await open_session(first, client_uuid) == await open_session(second, client_uuid)
    await first.disconnect()
    await second.disconnect()
