"""A process killed after it acknowledged the last chunk of a call, while the call runs or
once it has run: the client re-sends the chunks to another process, gets the answer, and the
call has run once.

Two real Daphne processes on one Redis channel layer and one PostgreSQL database. To catch
the call mid-run, the test holds a lock on the posts table while the process is killed.
"""

import asyncio
import contextlib
import json
import time
import uuid

import psycopg
import pytest
from websockets.asyncio.client import ClientConnection

from chunking import codec
from tests import live_server
from tests.realtime.servers import (
    ask,
    open_session_channel,
    open_socket,
    postgres_site,
    receive_answer,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.redis]

STATES = "SELECT state FROM chunking_chunkedcall WHERE message_id = %s"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return postgres_site(tmp_path_factory, "chunkcrash")


async def _publish(socket: ClientConnection, channel: str, chunks: list[codec.Chunk]) -> None:
    """Each chunk in its own publish, acknowledged before the next: as the browser sends them,
    and sends them again, with the same message id."""
    for chunk in chunks:
        events = [json.dumps(chunk.to_event())]
        publish = {"type": "publish", "id": f"c{chunk.chunk_index}", "channel": channel}
        acknowledged = await ask(socket, publish | {"events": events})
        assert acknowledged["type"] == "publish_success", acknowledged
        assert acknowledged["successful"], acknowledged


def _wait_until(
    database: psycopg.Connection, query: str, expected: object, params: list | None = None
) -> None:
    """Poll ``query`` on the site's database until it gives ``expected`` (10 s at most)."""
    deadline = time.monotonic() + 10
    while (found := database.execute(query, params).fetchone()) != (expected,):
        assert time.monotonic() < deadline, f"{query} gave {found}, not {expected!r}"
        time.sleep(0.05)  # waiting for another process, not timing anything


def _create(title: str) -> dict:
    return {
        "id": "crash-1",
        "method": "mutation",
        "params": {"path": "post.create", "input": {"title": title, "content": "ink " * 100_000}},
    }


async def _resend_to(server: live_server.Server, token: str, channel: str, chunks) -> dict:
    """The client's reconnection to ``server``: subscribe, send the chunks again; the answer."""
    async with await open_socket(server.ws_url, token=token, origin=False) as socket:
        subscribed = await ask(socket, {"type": "subscribe", "id": "calls", "channel": channel})
        assert subscribed["type"] == "subscribe_success"
        await _publish(socket, channel, chunks)
        answer, _, _ = await asyncio.wait_for(receive_answer(socket), 30)
    return answer


async def _kill(server: live_server.Server, socket: ClientConnection) -> None:
    server.kill()  # SIGKILL
    with contextlib.suppress(Exception):
        await socket.close()


async def test_a_call_killed_mid_run_is_run_once_when_resent_to_another_process(site):
    title = f"Survives a crash {uuid.uuid4().hex[:6]}"
    create = _create(title)
    chunks = codec.split(json.dumps(create))
    message_id = [chunks[0].message_id]
    token = site.token("crash@example.com")
    with (
        site.serving() as server_a,
        site.serving() as server_b,
        psycopg.connect(site.database_url) as database,
    ):
        socket_a = await open_socket(server_a.ws_url, token=token, origin=False)
        channel = await open_session_channel(socket_a)
        # The posts table is locked: the call will block in its INSERT, after the last ack.
        database.execute("LOCK TABLE blog_post IN SHARE MODE")
        await _publish(socket_a, channel, chunks)
        assert database.execute(STATES, message_id).fetchall() == [("queued",)]
        _wait_until(
            database,
            "SELECT count(*) FROM pg_locks WHERE relation = 'blog_post'::regclass AND NOT granted",
            1,
        )
        await _kill(server_a, socket_a)  # while the call waits to write its post
        database.commit()  # the lock goes; the dead process's transaction can only roll back

        answer = await _resend_to(server_b, token, channel, chunks)
        assert answer["id"] == "crash-1"
        assert answer["result"]["data"]["title"] == title
        posts = database.execute("SELECT count(*) FROM blog_post WHERE title = %s", [title])
        assert posts.fetchone() == (1,)
        assert database.execute(STATES, message_id).fetchall() == [("answered",)]
        database.commit()


async def test_a_call_killed_after_it_ran_is_answered_again_and_not_run_twice(site):
    title = f"Ran before the crash {uuid.uuid4().hex[:6]}"
    chunks = codec.split(json.dumps(_create(title)))
    token = site.token("crash@example.com")
    with (
        site.serving() as server_a,
        site.serving() as server_b,
        psycopg.connect(site.database_url, autocommit=True) as database,
    ):
        socket_a = await open_socket(server_a.ws_url, token=token, origin=False)
        channel = await open_session_channel(socket_a)
        await _publish(socket_a, channel, chunks)
        # The call runs and is answered, but the client never reads the answer on A.
        _wait_until(database, STATES, "answered", [chunks[0].message_id])
        await _kill(server_a, socket_a)

        answer = await _resend_to(server_b, token, channel, chunks)
        assert answer["result"]["data"]["title"] == title
        posts = database.execute("SELECT count(*) FROM blog_post WHERE title = %s", [title])
        assert posts.fetchone() == (1,)
