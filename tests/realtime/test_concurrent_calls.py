"""Calls published on one socket run side by side: a slow call holds neither a fast one, nor
broadcasts, nor the socket's other frames; answers are matched by id; a connection has a bound
on publishes of calls running, beyond which a publish is refused whole; and calls in flight
when the socket closes run to their end, writing nothing to it."""

import asyncio
import json
import logging
import random
import threading
import uuid
from dataclasses import dataclass, field

import pytest
from channels.db import database_sync_to_async
from django.db.models import Value
from django.db.models.functions import Concat

from accounts.models import User
from api import registry
from api.registry import AUTHENTICATED, MUTATION, QUERY, procedure
from blog import services
from blog.models import Post
from blog.serializers import PostDeleteOutput
from chunking import codec
from chunking.models import ChunkedCall, IncomingMessage, MessageChunk
from tests.factories import PostFactory
from tests.realtime.conftest import call, connect, open_session, publish, subscribe

# The held calls run in threads of their own, with database connections of their own.
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 10


@dataclass
class Held:
    """``test.hold`` and ``test.holdThenWrite`` calls: each waits for ``release``; ``started``
    counts those that began."""

    release: threading.Event = field(default_factory=threading.Event)
    started: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))

    def wait(self) -> None:
        self.started.release()
        assert self.release.wait(WAIT_SECONDS), "never released"

    async def wait_started(self, count: int = 1) -> None:
        for _ in range(count):
            assert await asyncio.to_thread(self.started.acquire, timeout=WAIT_SECONDS)


@pytest.fixture
def held():
    """Registers ``test.hold``, a query that waits for the test to release it, and
    ``test.holdThenWrite``, a mutation that waits, then marks its caller's bio with a ``|``
    (inside the mutation's transaction: SQLite's in-memory test database refuses other writers
    meanwhile, so only the test of closing uses it)."""
    state = Held()

    @procedure("test.hold", kind=QUERY, input=None, output=PostDeleteOutput, access=AUTHENTICATED)
    def hold(ctx, data):
        """Holds its thread until released."""
        state.wait()
        return {"id": ctx.user.id}

    @procedure(
        "test.holdThenWrite",
        kind=MUTATION,
        input=None,
        output=PostDeleteOutput,
        access=AUTHENTICATED,
    )
    def hold_then_write(ctx, data):
        """Holds its thread until released, then writes."""
        state.wait()
        User.objects.filter(pk=ctx.user.pk).update(bio=Concat("bio", Value("|")))
        return {"id": ctx.user.id}

    yield state
    state.release.set()
    registry._procedures.pop("test.hold")
    registry._procedures.pop("test.holdThenWrite")


async def _session_tab(cookie: str, client_uuid: uuid.UUID | None = None) -> tuple[object, str]:
    """A connection subscribed to its browser's session channel; (it, the channel)."""
    communicator = await connect(cookie)
    channel = f"/trpc/{await open_session(communicator, client_uuid)}"
    assert (await subscribe(communicator, channel, "calls"))["type"] == "subscribe_success"
    return communicator, channel


def _hold(request_id: str) -> dict:
    return {"id": request_id, "method": "query", "params": {"path": "test.hold"}}


def _query(path: str, input_: object, request_id: str) -> dict:
    return {"id": request_id, "method": "query", "params": {"path": path, "input": input_}}


async def _send_publish(communicator, channel: str, *events: object, op_id: str) -> None:
    """Publish without waiting for anything back."""
    await communicator.send_json_to(
        {
            "type": "publish",
            "id": op_id,
            "channel": channel,
            "events": [json.dumps(event) for event in events],
        }
    )


async def _frames(communicator, count: int) -> list[dict]:
    return [await communicator.receive_json_from(timeout=WAIT_SECONDS) for _ in range(count)]


def _by_kind(frames: list[dict]) -> tuple[dict[str, dict], dict[object, dict]]:
    """(acknowledgements by publish id, answers by call id) among ``frames``."""
    acknowledged = {frame["id"]: frame for frame in frames if frame["type"] != "data"}
    answers = [json.loads(frame["event"]) for frame in frames if frame["type"] == "data"]
    return acknowledged, {answer["id"]: answer for answer in answers}


def _bio(user: User) -> str:
    return User.objects.get(pk=user.pk).bio


async def test_a_fast_call_is_answered_while_a_slow_call_on_the_same_socket_runs(
    author_cookie, author, held
):
    communicator, channel = await _session_tab(author_cookie)
    await _send_publish(communicator, channel, _hold("slow"), op_id="pub-slow")
    await held.wait_started()

    fast = await call(communicator, channel, _query("user.me", None, "fast"), op_id="pub-fast")
    assert fast["id"] == "fast"
    assert fast["result"]["data"]["email"] == "author@example.com"

    held.release.set()
    acknowledged, answered = await _frames(communicator, 2)
    assert acknowledged["type"] == "publish_success"
    assert acknowledged["id"] == "pub-slow"
    slow = json.loads(answered["event"])
    assert slow["id"] == "slow"
    assert slow["result"]["data"] == {"id": str(author.id)}
    assert await communicator.receive_nothing()
    await communicator.disconnect()


async def test_subscriptions_and_broadcasts_go_on_while_a_slow_call_runs(
    author_cookie, author, held
):
    communicator, channel = await _session_tab(author_cookie)
    await _send_publish(communicator, channel, _hold("slow"), op_id="pub-slow")
    await held.wait_started()

    assert (await subscribe(communicator, "/subscriptions/posts", "posts"))["type"] == (
        "subscribe_success"
    )
    post = await database_sync_to_async(services.create_post)(
        author=author, title="Meanwhile", published=True
    )
    delivered = await communicator.receive_json_from(timeout=WAIT_SECONDS)
    assert delivered["id"] == "posts"
    assert json.loads(delivered["event"])["ids"] == [str(post.id)]

    held.release.set()
    acknowledged, answers = _by_kind(await _frames(communicator, 2))
    assert acknowledged["pub-slow"]["type"] == "publish_success"
    assert answers["slow"]["result"]["data"] == {"id": str(author.id)}
    await communicator.disconnect()


async def test_a_publish_beyond_the_bound_is_refused_whole_and_the_connection_goes_on(
    author_cookie, author, held, settings
):
    settings.REALTIME_MAX_CALLS_IN_FLIGHT = 2
    communicator, channel = await _session_tab(author_cookie)
    await _send_publish(communicator, channel, _hold("h1"), op_id="pub-1")
    await _send_publish(communicator, channel, _hold("h2"), op_id="pub-2")
    await held.wait_started(2)

    create = {
        "id": "refused",
        "method": "mutation",
        "params": {"path": "post.create", "input": {"title": "Refused", "published": True}},
    }
    refused = await publish(communicator, channel, create, op_id="pub-3")
    assert refused == {
        "type": "publish_error",
        "id": "pub-3",
        "errors": [
            {
                "errorType": "LimitExceededException",
                "errorCode": 429,
                "message": "A connection has at most 2 publishes of calls running; publish "
                "again once one is answered.",
            }
        ],
    }
    # Refused whole: not run, nothing stored, and so nothing answered.
    assert not await database_sync_to_async(Post.objects.filter(title="Refused").exists)()
    # The connection is intact: it still subscribes while both calls run.
    assert (await subscribe(communicator, "/subscriptions/comments/*", "comments"))["type"] == (
        "subscribe_success"
    )

    held.release.set()
    acknowledged, answers = _by_kind(await _frames(communicator, 4))
    assert {publish_id: frame["type"] for publish_id, frame in acknowledged.items()} == {
        "pub-1": "publish_success",
        "pub-2": "publish_success",
    }
    assert set(answers) == {"h1", "h2"}
    # Answered calls make room again.
    created = await call(communicator, channel, create, op_id="pub-4")
    assert created["result"]["data"]["title"] == "Refused"
    assert await communicator.receive_nothing()
    await communicator.disconnect()


async def test_a_refused_publish_of_calls_is_answered_for_its_own_operation(author_cookie, held):
    communicator, channel = await _session_tab(author_cookie)
    await _send_publish(communicator, channel, _hold("slow"), op_id="pub-slow")
    await held.wait_started()

    not_mine = await publish(
        communicator, f"/trpc/{uuid.uuid4()}", _query("user.me", None, "x"), op_id="pub-other"
    )
    assert not_mine["type"] == "publish_error"
    assert not_mine["id"] == "pub-other"
    assert not_mine["errors"][0]["errorType"] == "UnauthorizedException"

    held.release.set()
    acknowledged, answers = _by_kind(await _frames(communicator, 2))
    assert acknowledged["pub-slow"]["type"] == "publish_success"
    assert set(answers) == {"slow"}
    await communicator.disconnect()


async def test_chunked_answers_of_calls_running_at_once_are_each_whole_under_their_own_id(
    author_cookie, author
):
    slugs = ["long-one", "long-two"]
    for slug in slugs:
        await database_sync_to_async(PostFactory)(
            author=author, slug=slug, content=f"{slug} " * 40_000
        )
    communicator, channel = await _session_tab(author_cookie)
    for slug in slugs:
        await _send_publish(
            communicator, channel, _query("post.bySlug", {"slug": slug}, slug), op_id=slug
        )

    acknowledged: set[str] = set()
    parts: dict[str, list[codec.Chunk]] = {}
    answers: dict[str, dict] = {}
    while len(answers) < len(slugs) or len(acknowledged) < len(slugs):
        frame = await communicator.receive_json_from(timeout=WAIT_SECONDS)
        if frame["type"] == "publish_success":
            acknowledged.add(frame["id"])
            continue
        assert frame["type"] == "data", frame
        chunk = codec.parse_chunk(json.loads(frame["event"]))
        parts.setdefault(chunk.message_id, []).append(chunk)
        if len(parts[chunk.message_id]) == chunk.total_chunks:
            answer = json.loads(codec.join(parts[chunk.message_id]))
            answers[answer["id"]] = answer
    assert acknowledged == set(slugs)
    assert len(parts) == len(slugs)
    for slug in slugs:
        assert answers[slug]["result"]["data"]["slug"] == slug
        assert answers[slug]["result"]["data"]["content"] == f"{slug} " * 40_000
    assert await communicator.receive_nothing()
    await communicator.disconnect()


def _publishing_tasks() -> list[asyncio.Task]:
    return [
        task
        for task in asyncio.all_tasks()
        if task.get_coro().__qualname__ == "RealtimeConsumer._publish_calls"
    ]


async def test_calls_in_flight_when_the_socket_closes_finish_and_write_nothing_to_it(
    author_cookie, author, held, caplog
):
    client_uuid = uuid.uuid4()
    closing, channel = await _session_tab(author_cookie, client_uuid)
    other_tab, _ = await _session_tab(author_cookie, client_uuid)
    hold_then_write = {"id": "held", "method": "mutation", "params": {"path": "test.holdThenWrite"}}
    await _send_publish(closing, channel, hold_then_write, op_id="pub-held")
    await held.wait_started()

    await closing.send_input({"type": "websocket.disconnect", "code": 1001})
    # The consumer stays until its call is done.
    assert await closing.receive_nothing(0.3)
    assert not closing.future.done()
    assert len(_publishing_tasks()) == 1

    with caplog.at_level(logging.INFO):
        held.release.set()
        await closing.wait(WAIT_SECONDS)
    closing.future.result()  # it ended without an error
    # The call ran whole; its answer went to the other tab and nothing to the closed socket.
    assert await database_sync_to_async(_bio)(author) == "|"
    answer = json.loads((await other_tab.receive_json_from(timeout=WAIT_SECONDS))["event"])
    assert answer["id"] == "held"
    assert answer["result"]["data"] == {"id": str(author.id)}
    assert closing.output_queue.empty()
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert not _publishing_tasks()
    await other_tab.disconnect()


@pytest.mark.postgres
async def test_chunks_of_one_call_arriving_at_once_make_it_run_once(author_cookie, settings):
    settings.REALTIME_MAX_CALLS_IN_FLIGHT = 32
    create = {
        "id": "in-pieces",
        "method": "mutation",
        "params": {"path": "post.create", "input": {"title": "In pieces", "content": "ink " * 30}},
    }
    chunks = codec.split(json.dumps(create), chunk_bytes=12)
    assert len(chunks) >= 12
    # In any order, some twice; not the last one: a client sends that again only to be
    # answered again.
    events = [chunk.to_event() for chunk in [*chunks, *chunks[:4]]]
    random.Random(7).shuffle(events)
    communicator, channel = await _session_tab(author_cookie)
    for number, event in enumerate(events):
        await _send_publish(communicator, channel, event, op_id=f"c{number}")

    frames = await _frames(communicator, len(events) + 1)
    acknowledged, answers = _by_kind(frames)
    assert len(acknowledged) == len(events)
    assert all(frame["type"] == "publish_success" for frame in acknowledged.values())
    assert all(frame["successful"] for frame in acknowledged.values())
    assert answers["in-pieces"]["result"]["data"]["title"] == "In pieces"
    assert await communicator.receive_nothing(0.3)

    def stored() -> tuple[int, list[str], int, int]:
        return (
            Post.objects.filter(title="In pieces").count(),
            list(ChunkedCall.objects.values_list("state", flat=True)),
            MessageChunk.objects.count(),
            IncomingMessage.objects.count(),
        )

    assert await database_sync_to_async(stored)() == (1, ["answered"], 0, 0)
    await communicator.disconnect()
