"""Streamed batches over the site's ASGI handler, as Daphne hands requests over: the head at
once, each call's lines as soon as it is done (a held call never holds a fast one back), errors
found before streaming as ordinary JSON, and a client that goes away leaves no work behind."""

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from asgiref.testing import ApplicationCommunicator
from django.db import connections

from accounts.providers import local
from api import registry, superjson
from api.anonymous_reads import AnonymousReads
from api.registry import PUBLIC, QUERY, procedure
from blog.models import Post
from blog.serializers import PostDeleteOutput
from config.http_handler import SyncChainASGIHandler
from tests.factories import PostFactory

# The calls run in worker threads, with database connections of their own.
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

STREAM = {"trpc-accept": "application/jsonl"}
WAIT_SECONDS = 10


@dataclass
class Held:
    """``test.hold`` calls: each waits for ``release``; ``started`` counts those that began,
    ``connections`` are their threads' database connections."""

    release: threading.Event = field(default_factory=threading.Event)
    started: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    finished: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    connections: list[Any] = field(default_factory=list)
    tallied: list[str] = field(default_factory=list)


@pytest.fixture
def held():
    """Registers ``test.hold`` (a public query that reads the database, then waits for the
    test to release it) and ``test.tally`` (one that only notes it ran)."""
    state = Held()

    @procedure("test.hold", kind=QUERY, input=None, output=PostDeleteOutput, access=PUBLIC)
    def hold(ctx, data):
        """Holds its thread and its database connection until released."""
        post = Post.objects.order_by("created_at").first()
        state.connections.append(connections["default"])
        state.started.release()
        try:
            assert state.release.wait(WAIT_SECONDS), "never released"
            return {"id": post.id}
        finally:
            state.finished.release()

    @procedure("test.tally", kind=QUERY, input=None, output=PostDeleteOutput, access=PUBLIC)
    def tally(ctx, data):
        """Notes that it ran."""
        state.tallied.append("ran")
        return {"id": Post.objects.order_by("created_at").first().id}

    yield state
    state.release.set()
    registry._procedures.pop("test.hold")
    registry._procedures.pop("test.tally")


@pytest.fixture
def posts(author):
    return PostFactory.create_batch(3, author=author, published=True)


class Exchange:
    """One request through an ASGI application, its answer read part by part."""

    def __init__(self, application, method, path, *, headers=None, body=b""):
        path, _, query = path.partition("?")
        self.communicator = ApplicationCommunicator(
            application,
            {
                "type": "http",
                "http_version": "1.1",
                "method": method,
                "path": path,
                "query_string": query.encode(),
                "headers": [(b"host", b"testserver")]
                + [(name.encode(), value.encode()) for name, value in (headers or {}).items()],
                "client": ("127.0.0.1", 50000),
            },
        )
        self.body = body
        self.buffer = b""
        self.ended = False

    async def start(self) -> tuple[int, dict[str, str]]:
        await self.communicator.send_input({"type": "http.request", "body": self.body})
        start = await self.communicator.receive_output(WAIT_SECONDS)
        headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
        return start["status"], headers

    async def line(self) -> Any:
        """The next JSON line, waiting for the parts it arrives in."""
        while b"\n" not in self.buffer:
            assert not self.ended, f"the answer ended in {self.buffer!r}"
            part = await self.communicator.receive_output(WAIT_SECONDS)
            self.buffer += part.get("body", b"")
            self.ended = not part.get("more_body", False)
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    async def rest(self) -> bytes:
        while not self.ended:
            part = await self.communicator.receive_output(WAIT_SECONDS)
            self.buffer += part.get("body", b"")
            self.ended = not part.get("more_body", False)
        await self.communicator.wait(WAIT_SECONDS)
        rest, self.buffer = self.buffer, b""
        return rest

    async def nothing_yet(self) -> bool:
        return await self.communicator.receive_nothing(0.2)

    async def disconnect(self) -> None:
        await self.communicator.send_input({"type": "http.disconnect"})
        await self.communicator.wait(WAIT_SECONDS)


class Answers:
    """What @trpc/client's stream consumer makes of the lines: each call's envelope."""

    def __init__(self, head: Any, *, uses_superjson: bool = False) -> None:
        self.uses_superjson = uses_superjson
        head = self._decode(head)
        # chunk id → (call index, what its promise stands for)
        self.pending = {value[1][2]: (int(key), "call") for key, value in head.items()}
        self.envelopes: dict[int, dict[str, Any]] = {}

    def _decode(self, line: Any) -> Any:
        return superjson.deserialize(line) if self.uses_superjson else line

    def take(self, line: Any) -> int | None:
        """Settle the promise ``line`` is about; the call index once its envelope is whole."""
        chunk_id, status, value = self._decode(line)
        assert status == 0
        index, role = self.pending.pop(chunk_id)
        [data], *promises = value if value[0] else [[None]]
        for key, kind, next_id in promises:
            assert kind == 0
            self.pending[next_id] = (index, key)
        if role == "call" and "error" in data:
            self.envelopes[index] = data
            return index
        if role == "data":
            self.envelopes[index] = {"result": {"data": data}}
            return index
        return None

    async def read_call(self, exchange: Exchange) -> int:
        """Lines until one call's envelope is whole; its index."""
        while True:
            index = self.take(await exchange.line())
            if index is not None:
                return index


def stored_titles(author) -> list[str]:
    """The titles of ``author``'s posts, read in a thread that closes its connection after."""
    try:
        return list(Post.objects.filter(author=author).values_list("title", flat=True))
    finally:
        connections.close_all()


def stream_path(*paths: str, inputs: dict[str, Any] | None = None) -> str:
    query = "batch=1" + (f"&input={quote(json.dumps(inputs))}" if inputs is not None else "")
    return f"/api/trpc/{','.join(paths)}?{query}"


async def read_whole(exchange: Exchange, answers: Answers) -> dict[int, dict[str, Any]]:
    for line in (await exchange.rest()).splitlines():
        answers.take(json.loads(line))
    assert not answers.pending
    return answers.envelopes


async def test_a_batch_streams_its_head_then_each_call(posts):
    # Two reads: post.byId counts a view, a write that the in-memory SQLite test database
    # cannot take beside a concurrent read (it locks the table).
    path = stream_path("post.list", "post.list", inputs={"1": {"limit": 1}})
    exchange = Exchange(SyncChainASGIHandler(), "GET", path, headers=STREAM)
    status, headers = await exchange.start()
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert "content-length" not in headers
    assert headers["x-accel-buffering"] == "no"  # nginx passes each line on as it comes
    assert {"trpc-accept", "accept"} <= {
        token.strip().lower() for token in headers["vary"].split(",")
    }
    head = await exchange.line()
    assert head == {"0": [[0], [None, 0, 0]], "1": [[0], [None, 0, 1]]}
    envelopes = await read_whole(exchange, Answers(head))
    assert {item["id"] for item in envelopes[0]["result"]["data"]["items"]} == {
        str(post.id) for post in posts
    }
    assert len(envelopes[1]["result"]["data"]["items"]) == 1


async def test_a_fast_call_is_answered_while_a_slow_one_still_runs(posts, held):
    exchange = Exchange(
        SyncChainASGIHandler(), "GET", stream_path("test.hold", "post.list"), headers=STREAM
    )
    await exchange.start()
    answers = Answers(await exchange.line())
    assert await answers.read_call(exchange) == 1  # post.list, while test.hold waits
    assert "result" in answers.envelopes[1]
    assert held.started.acquire(timeout=WAIT_SECONDS)
    assert await exchange.nothing_yet()
    held.release.set()
    assert await answers.read_call(exchange) == 0
    assert answers.envelopes[0] == {"result": {"data": {"id": str(posts[0].id)}}}
    assert await exchange.rest() == b""


async def test_an_error_is_answered_beside_a_success_and_dates_come_back(posts):
    inputs = {"0": {"json": {"limit": 2}}, "1": {"json": {"limit": 500}}, "2": {"json": None}}
    exchange = Exchange(
        SyncChainASGIHandler(),
        "GET",
        stream_path("post.list", "post.list", "no.such", inputs=inputs),
        headers=STREAM,
    )
    status, _ = await exchange.start()
    assert status == 200
    head = await exchange.line()
    assert head == {"json": {str(i): [[0], [None, 0, i]] for i in range(3)}}
    envelopes = await read_whole(exchange, Answers(head, uses_superjson=True))
    listed = envelopes[0]["result"]["data"]["items"]
    newest = max(post.created_at for post in posts)
    # A datetime again, to the millisecond as JavaScript's Date holds it.
    assert listed[0]["createdAt"] == newest.replace(microsecond=newest.microsecond // 1000 * 1000)
    assert envelopes[1]["error"]["data"]["code"] == "BAD_REQUEST"
    assert envelopes[1]["error"]["data"]["fieldErrors"]["limit"]
    assert envelopes[2]["error"]["message"] == 'No procedure found on path "no.such"'
    assert envelopes[2]["error"]["code"] == -32004


async def test_accept_listing_jsonl_streams_too(posts):
    exchange = Exchange(
        SyncChainASGIHandler(),
        "GET",
        stream_path("post.list"),
        headers={"accept": "application/jsonl"},
    )
    status, _ = await exchange.start()
    assert status == 200
    assert await exchange.line() == {"0": [[0], [None, 0, 0]]}


@pytest.fixture
def author_token(author):
    return local.issue_token(user=author, kind="access")


async def test_mutations_stream_over_post(author, author_token):
    token = author_token
    inputs = {"0": {"title": "One", "content": "x"}, "1": {"title": "", "content": "x"}}
    exchange = Exchange(
        SyncChainASGIHandler(),
        "POST",
        stream_path("post.create", "post.create"),
        headers={**STREAM, "authorization": f"Bearer {token}", "content-type": "application/json"},
        body=json.dumps(inputs).encode(),
    )
    status, _ = await exchange.start()
    assert status == 200
    envelopes = await read_whole(exchange, Answers(await exchange.line()))
    assert envelopes[0]["result"]["data"]["title"] == "One"
    assert envelopes[1]["error"]["data"]["code"] == "BAD_REQUEST"
    assert await asyncio.to_thread(stored_titles, author) == ["One"]


async def test_each_streamed_call_counts_against_the_rate(posts, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anonymous": "2/minute"}
    exchange = Exchange(
        SyncChainASGIHandler(),
        "GET",
        stream_path("post.list", "post.list", "post.list"),
        headers=STREAM,
    )
    await exchange.start()
    envelopes = await read_whole(exchange, Answers(await exchange.line()))
    codes = sorted(
        envelope.get("error", {}).get("data", {}).get("code", "ok")
        for envelope in envelopes.values()
    )
    assert codes == ["TOO_MANY_REQUESTS", "ok", "ok"]


REFUSED_BEFORE_STREAMING = [
    pytest.param(
        "GET",
        stream_path(*["post.list"] * 21),
        {},
        b"",
        400,
        "A batch holds at most 20 calls.",
        id="batch-too-large",
    ),
    pytest.param(
        "POST",
        stream_path("post.create"),
        {"content-type": "text/plain"},
        b"{}",
        415,
        "Unsupported content-type 'text/plain': send application/json.",
        id="content-type",
    ),
    pytest.param(
        "GET",
        "/api/trpc/post.list",
        {},
        b"",
        400,
        "Streaming requests must be batched (you can do a batch of 1)",
        id="not-a-batch",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "message"), REFUSED_BEFORE_STREAMING
)
async def test_what_is_refused_before_streaming_is_an_ordinary_json_error(
    method, path, headers, body, status, message
):
    exchange = Exchange(
        SyncChainASGIHandler(), method, path, headers={**STREAM, **headers}, body=body
    )
    got_status, got_headers = await exchange.start()
    assert got_status == status
    assert got_headers["content-type"] == "application/json"
    error = json.loads(await exchange.rest())["error"]
    assert error["message"] == message


async def test_a_batch_too_large_with_superjson_inputs_is_refused_in_superjson():
    # As @trpc/client with the superjson transformer reads any error: through superjson.
    inputs = {str(index): {"json": {"limit": 1}} for index in range(21)}
    path = stream_path(*["post.list"] * 21, inputs=inputs)
    exchange = Exchange(SyncChainASGIHandler(), "GET", path, headers=STREAM)
    status, _ = await exchange.start()
    assert status == 400
    error = superjson.deserialize(json.loads(await exchange.rest())["error"])
    assert error["message"] == "A batch holds at most 20 calls."
    assert error["data"]["code"] == "BAD_REQUEST"


async def test_a_body_over_the_limit_is_refused_before_streaming(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    exchange = Exchange(
        SyncChainASGIHandler(),
        "POST",
        stream_path("post.create"),
        headers={**STREAM, "content-type": "application/json"},
        body=json.dumps({"0": {"title": "x" * 200}}).encode(),
    )
    status, _ = await exchange.start()
    assert status == 413
    assert json.loads(await exchange.rest())["error"]["data"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_client_that_goes_away_leaves_no_work_and_no_connection_behind(
    posts, held, settings
):
    settings.API_TRPC_STREAM_THREADS = 2
    exchange = Exchange(
        SyncChainASGIHandler(),
        "GET",
        stream_path("test.hold", "test.hold", "test.tally", "test.tally"),
        headers=STREAM,
    )
    await exchange.start()
    await exchange.line()  # the head
    for _ in range(2):  # both threads hold a call; the tallies wait for a thread
        assert await asyncio.to_thread(held.started.acquire, timeout=WAIT_SECONDS)
    await exchange.disconnect()
    held.release.set()
    for _ in range(2):
        assert await asyncio.to_thread(held.finished.acquire, timeout=WAIT_SECONDS)
    await asyncio.sleep(0.2)  # time enough for a queued call to start, were it to
    assert held.tallied == []
    # Each held call's thread handed its database connection back when it ended (Django keeps
    # the in-memory SQLite test database's connection open whatever is asked of it).
    assert len(held.connections) == 2
    if connections["default"].vendor != "sqlite":
        assert all(wrapper.connection is None for wrapper in held.connections)
    # And the threads are free for the next batch.
    exchange = Exchange(
        SyncChainASGIHandler(), "GET", stream_path("test.tally", "test.tally"), headers=STREAM
    )
    await exchange.start()
    envelopes = await read_whole(exchange, Answers(await exchange.line()))
    assert set(envelopes) == {0, 1}
    assert held.tallied == ["ran", "ran"]


async def test_without_the_header_a_batch_is_answered_as_before(posts):
    exchange = Exchange(SyncChainASGIHandler(), "GET", stream_path("post.list", "no.such"))
    status, headers = await exchange.start()
    assert status == 207
    assert "content-length" in headers
    # The answer depends on the stream headers, so caches must keep the two apart.
    assert "trpc-accept" in headers["vary"].lower()
    body = json.loads(await exchange.rest())
    assert [("result" in envelope, "error" in envelope) for envelope in body] == [
        (True, False),
        (False, True),
    ]


@pytest.mark.parametrize("header", [STREAM, {"accept": "application/jsonl"}])
async def test_the_anonymous_door_leaves_streamed_batches_to_django(posts, header, settings):
    settings.PUBLIC_READ_CACHE_SECONDS = 60
    door = AnonymousReads(SyncChainASGIHandler())
    path = stream_path("post.list", "post.list")
    for _ in range(2):  # the second plain answer is a replay
        plain = Exchange(door, "GET", path)
        await plain.start()
        assert isinstance(json.loads(await plain.rest()), list)
    exchange = Exchange(door, "GET", path, headers=header)
    status, _ = await exchange.start()
    assert status == 200
    assert await exchange.line() == {"0": [[0], [None, 0, 0]], "1": [[0], [None, 0, 1]]}
    envelopes = await read_whole(
        exchange, Answers({"0": [[0], [None, 0, 0]], "1": [[0], [None, 0, 1]]})
    )
    assert set(envelopes) == {0, 1}
