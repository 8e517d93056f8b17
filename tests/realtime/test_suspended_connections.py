"""Suspending an account closes its open WebSockets and SSE streams within a second, on any
process: every socket an operation of the account was authorized on, and every stream opened
for it; other accounts' connections stay open."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from accounts import suspensions
from realtime.consumers import ACCOUNT_ENDED_CLOSE_CODE
from tests.api.sse_streams import open_stream
from tests.realtime.conftest import connect, init_with_token, session_cookie, subscribe, token_for

# The suspension is announced on commit. (A transactional test's database is flushed between
# tests, Editors group and all: the superuser ``editor`` suspends.)
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

WITHIN_SECONDS = 1


suspend = database_sync_to_async(suspensions.suspend)


async def _closed_with(communicator) -> int:
    """The code the socket is closed with, within the second (keep-alives aside)."""
    async with asyncio.timeout(WITHIN_SECONDS):
        while (output := await communicator.receive_output())["type"] == "websocket.send":
            assert output["text"] == '{"type":"ka"}', output
    assert output["type"] == "websocket.close", output
    return output["code"]


async def test_a_suspended_accounts_sockets_close_within_a_second(editor, reader, stranger):
    by_token, answer = await init_with_token(await database_sync_to_async(token_for)(reader))
    assert answer["type"] == "connection_ack"
    by_session = await connect(await database_sync_to_async(session_cookie)(reader))
    # A session's identity is the page's: it is known once an operation is authorized.
    assert (await subscribe(by_session, "/subscriptions/posts"))["type"] == "subscribe_success"
    bystander = await connect(await database_sync_to_async(session_cookie)(stranger))
    assert (await subscribe(bystander, "/subscriptions/posts"))["type"] == "subscribe_success"

    await suspend(user=reader, by=editor, reason="Spam.", until=None)

    assert await _closed_with(by_token) == ACCOUNT_ENDED_CLOSE_CODE
    assert await _closed_with(by_session) == ACCOUNT_ENDED_CLOSE_CODE
    assert await bystander.receive_nothing(timeout=0.3)
    await bystander.disconnect()


async def test_the_closed_client_cannot_come_back(editor, reader):
    token = await database_sync_to_async(token_for)(reader)
    communicator, _ = await init_with_token(token)
    await suspend(user=reader, by=editor, reason="Spam.", until=None)
    assert await _closed_with(communicator) == ACCOUNT_ENDED_CLOSE_CODE

    _, answer = await init_with_token(token)
    assert answer["type"] == "connection_error"
    assert answer["errors"][0]["message"] == "This account is suspended: Spam."


async def test_a_suspended_accounts_stream_ends_within_a_second(editor, reader, stranger):
    token = await database_sync_to_async(token_for)(reader)
    stream = await open_stream("post.onCreate", headers={"Authorization": f"Bearer {token}"})
    other_token = await database_sync_to_async(token_for)(stranger)
    other = await open_stream("post.onCreate", headers={"Authorization": f"Bearer {other_token}"})
    assert (await stream.event()).type == "connected"
    assert (await other.event()).type == "connected"

    await suspend(user=reader, by=editor, reason="Spam.", until=None)

    ended = await asyncio.wait_for(stream.data_event(), WITHIN_SECONDS)
    assert ended.type == "serialized-error"
    assert ended.data["data"]["code"] == "UNAUTHORIZED"
    await stream.end(timeout=WITHIN_SECONDS)
    assert await other.nothing_more()
    await other.hang_up()

    refused = await open_stream("post.onCreate", headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 401
    assert "This account is suspended: Spam." in refused.body.decode()
