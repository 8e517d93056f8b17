"""Idempotent mutations over the session channel: a call with an ``idempotencyKey`` writes once,
retried in sequence, in parallel, through two processes, or after the process running it died;
every retry gets the first answer under its own id."""

import asyncio
import json
import time
import uuid

import psycopg
import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from api.models import IdempotencyKey
from blog.models import Comment, Post
from chunking import codec
from tests.factories import PostFactory
from tests.realtime.conftest import call, connect, open_session, publish, subscribe
from tests.realtime.servers import (
    open_session_channel,
    open_socket,
    postgres_site,
    receive_answer,
)

pytestmark = pytest.mark.asyncio

RETRIES = 5
KEY = "2b1f6a0e-8c1d-4c8e-b3a5-0d9e7f6c5a41"


def _mutation(request_id, path: str, input_: dict, key: object = KEY) -> dict:
    return {
        "id": request_id,
        "method": "mutation",
        "idempotencyKey": key,
        "params": {"path": path, "input": input_},
    }


def _create(title: str = "Sent over the socket") -> dict:
    return {"title": title, "content": "Once.", "published": True}


async def _session_tab(cookie: str) -> tuple[object, str]:
    """A connection subscribed to a session channel of its own; (it, the channel)."""
    communicator = await connect(cookie)
    channel = f"/trpc/{await open_session(communicator)}"
    assert (await subscribe(communicator, channel, "calls"))["type"] == "subscribe_success"
    return communicator, channel


def _without_id(answer: dict) -> dict:
    return {name: value for name, value in answer.items() if name != "id"}


_posts = database_sync_to_async(lambda **where: Post.objects.filter(**where).count())


@pytest.mark.django_db(transaction=True)
async def test_a_mutation_retried_5_times_in_sequence_writes_once(author_cookie):
    communicator, channel = await _session_tab(author_cookie)
    answers = [
        await call(communicator, channel, _mutation(f"try-{n}", "post.create", _create()))
        for n in range(RETRIES)
    ]
    assert [answer["id"] for answer in answers] == [f"try-{n}" for n in range(RETRIES)]
    assert answers[0]["result"]["data"]["title"] == "Sent over the socket"
    assert all(_without_id(answer) == _without_id(answers[0]) for answer in answers)
    assert await _posts(title="Sent over the socket") == 1
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_error_is_replayed_even_once_the_call_would_succeed(author, reader_cookie):
    draft = await database_sync_to_async(PostFactory)(author=author, published=False)
    communicator, channel = await _session_tab(reader_cookie)
    comment = {"postId": str(draft.id), "content": "Too early"}
    first = await call(communicator, channel, _mutation(1, "comment.create", comment))
    assert first["error"]["data"]["code"] == "NOT_FOUND"
    await database_sync_to_async(Post.objects.filter(pk=draft.pk).update)(
        published=True, published_at=timezone.now()
    )
    retry = await call(communicator, channel, _mutation(2, "comment.create", comment))
    assert retry == {**first, "id": 2}
    assert not await database_sync_to_async(Comment.objects.exists)()
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_same_key_with_another_input_is_a_conflict(author_cookie):
    communicator, channel = await _session_tab(author_cookie)
    await call(communicator, channel, _mutation(1, "post.create", _create("First")))
    other = await call(communicator, channel, _mutation(2, "post.create", _create("Second")))
    assert other["id"] == 2
    assert other["error"]["data"]["code"] == "CONFLICT"
    assert other["error"]["data"]["httpStatus"] == 409
    assert await _posts() == 1
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("k" * 256, "An idempotency key is at most 255 characters, not 256."),
        ("line\nbreak", "printable ASCII"),
        ("", "printable ASCII"),
        (42, "'idempotencyKey' must be a string."),
    ],
)
async def test_a_key_that_is_not_one_is_refused_and_writes_nothing(author_cookie, key, message):
    communicator, channel = await _session_tab(author_cookie)
    answer = await call(communicator, channel, _mutation("bad", "post.create", _create(), key))
    assert answer["id"] == "bad"
    assert answer["error"]["data"]["code"] == "BAD_REQUEST"
    assert message in answer["error"]["message"]
    assert await _posts() == 0
    assert not await database_sync_to_async(IdempotencyKey.objects.exists)()
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_key_sent_over_http_is_answered_again_over_the_socket(author, author_cookie):
    def over_http() -> dict:
        client = Client()
        client.force_login(author)
        response = client.post(
            "/api/trpc/post.create",
            json.dumps(_create()),
            content_type="application/json",
            headers={"Idempotency-Key": KEY},
        )
        return response.json()

    sent = await database_sync_to_async(over_http)()
    communicator, channel = await _session_tab(author_cookie)
    retry = await call(communicator, channel, _mutation(7, "post.create", _create()))
    assert retry == {"id": 7, "result": {"type": "data", **sent["result"]}}
    assert await _posts() == 1
    await communicator.disconnect()


async def _chunked_answer(communicator, channel: str, request: dict) -> dict:
    """Publish ``request`` in chunks, each acknowledged; its answer, joined."""
    for chunk in codec.split(json.dumps(request)):
        acknowledged = await publish(communicator, channel, chunk.to_event(), op_id="chunk")
        assert acknowledged["successful"], acknowledged
    parts: list[codec.Chunk] = []
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        event = json.loads(frame["event"])
        if not codec.is_chunk(event):
            return event
        parts.append(codec.parse_chunk(event))
        if len(parts) == parts[0].total_chunks:
            return json.loads(codec.join(parts))


@pytest.mark.django_db(transaction=True)
async def test_a_chunked_call_sent_again_as_a_new_message_writes_once(author_cookie):
    communicator, channel = await _session_tab(author_cookie)
    create = {"title": "Long and keyed", "content": "ink " * 80_000}
    first = await _chunked_answer(communicator, channel, _mutation("big-1", "post.create", create))
    # A client that lost the answer and cut the call into new chunks: a new message, same key.
    retry = await _chunked_answer(communicator, channel, _mutation("big-2", "post.create", create))
    assert first["result"]["data"]["title"] == "Long and keyed"
    assert retry == {**first, "id": "big-2"}
    assert await _posts(title="Long and keyed") == 1
    await communicator.disconnect()


# --- Two real Daphne processes on PostgreSQL and Redis -----------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return postgres_site(tmp_path_factory, "idempotent")


def _wait_for_waiters(database: psycopg.Connection, count: int) -> None:
    """Until ``count`` statements of the site wait for a lock (10 s at most)."""
    deadline = time.monotonic() + 10
    query = "SELECT count(*) FROM pg_locks WHERE NOT granted"
    while (waiting := database.execute(query).fetchone()[0]) != count:
        assert time.monotonic() < deadline, f"{waiting} statements wait, not {count}"
        time.sleep(0.02)  # waiting for the servers, not timing anything


def _count_posts(database: psycopg.Connection, title: str) -> int:
    return database.execute("SELECT count(*) FROM blog_post WHERE title = %s", [title]).fetchone()[
        0
    ]


async def _publish_call(socket, channel: str, request: dict) -> None:
    """Publish one call without waiting: a whole call is acknowledged once it has run."""
    events = [json.dumps(request)]
    await socket.send(
        json.dumps({"type": "publish", "id": "call", "channel": channel, "events": events})
    )


async def _answer(socket) -> dict:
    """The acknowledgement of the call published on ``socket``, then its answer."""
    acknowledged = json.loads(await asyncio.wait_for(socket.recv(), 30))
    assert acknowledged["type"] == "publish_success", acknowledged
    assert acknowledged["successful"], acknowledged
    answer, _, _ = await asyncio.wait_for(receive_answer(socket), 30)
    return answer


@pytest.mark.postgres
@pytest.mark.redis
async def test_5_retries_through_two_processes_at_once_write_once(site):
    title = f"Through two processes {uuid.uuid4().hex[:6]}"
    key = str(uuid.uuid4())
    token = site.token("parallel@example.com")
    with (
        site.serving() as server_a,
        site.serving() as server_b,
        psycopg.connect(site.database_url) as database,
    ):
        servers = [server_a, server_b] * RETRIES
        sockets = [
            await open_socket(servers[n].ws_url, token=token, origin=False) for n in range(RETRIES)
        ]
        channels = [await open_session_channel(socket) for socket in sockets]
        database.execute("LOCK TABLE blog_post IN SHARE MODE")  # the first run waits to write
        for n, (socket, channel) in enumerate(zip(sockets, channels, strict=True)):
            await _publish_call(socket, channel, _mutation(n, "post.create", _create(title), key))
        # Calls on a socket run concurrently, each on a thread of its own: the first run waits
        # to insert its post, and each of the four retries waits for that run's claim.
        _wait_for_waiters(database, RETRIES)
        database.commit()
        answers = [await _answer(socket) for socket in sockets]
        assert [answer["id"] for answer in answers] == list(range(RETRIES))
        assert answers[0]["result"]["data"]["title"] == title
        assert all(_without_id(answer) == _without_id(answers[0]) for answer in answers)
        assert _count_posts(database, title) == 1
        for socket in sockets:
            await socket.close()


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_call_whose_process_died_mid_run_runs_once_when_retried_elsewhere(site):
    title = f"Survives its process {uuid.uuid4().hex[:6]}"
    key = str(uuid.uuid4())
    token = site.token("crash@example.com")
    with (
        site.serving() as server_a,
        site.serving() as server_b,
        psycopg.connect(site.database_url) as database,
    ):
        socket_a = await open_socket(server_a.ws_url, token=token, origin=False)
        channel_a = await open_session_channel(socket_a)
        database.execute("LOCK TABLE blog_post IN SHARE MODE")
        await _publish_call(socket_a, channel_a, _mutation("a", "post.create", _create(title), key))
        _wait_for_waiters(database, 1)  # the key is claimed; the post waits
        server_a.kill()  # SIGKILL, mid-run
        database.commit()  # its transaction, claim and post, can only roll back

        async with await open_socket(server_b.ws_url, token=token, origin=False) as socket_b:
            channel_b = await open_session_channel(socket_b)
            retry = _mutation("b", "post.create", _create(title), key)
            await _publish_call(socket_b, channel_b, retry)
            answer = await _answer(socket_b)
        assert answer["id"] == "b"
        assert answer["result"]["data"]["title"] == title
        assert _count_posts(database, title) == 1
        kept = database.execute("SELECT count(*) FROM api_idempotencykey WHERE key = %s", [key])
        assert kept.fetchone() == (1,)
        database.commit()
