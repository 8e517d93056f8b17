"""When the database, Redis or a slow consumer fails: the protocol's error or a clean close,
never a dead process, never a silent loss."""

import asyncio
import json
import subprocess
from collections.abc import Callable

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from realtime.layers import CoreChannelLayer, OverflowStats, PubSubChannelLayer
from tests.live_server import free_port, wait_for_port
from tests.realtime.conftest import call, connect, open_session, publish, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database():
    """Switches the database off and on for every thread and connection: each query goes
    through Django's execute-wrapper hook, which refuses it while ``down`` says so."""

    class Switch:
        down: Callable[[str], bool] = staticmethod(lambda sql: False)

    original = CursorWrapper._execute_with_wrappers

    def execute(cursor, sql, params, many, executor):
        if Switch.down(sql):
            raise OperationalError("server closed the connection unexpectedly")
        return original(cursor, sql, params, many, executor)

    CursorWrapper._execute_with_wrappers = execute
    yield Switch
    CursorWrapper._execute_with_wrappers = original


async def test_a_database_outage_fails_the_operation_not_the_connection(author_cookie, database):
    communicator = await connect(author_cookie)
    session_id = await open_session(communicator)
    channel = f"/trpc/{session_id}"
    database.down = staticmethod(lambda sql: True)
    answer = await subscribe(communicator, channel, "calls")
    assert answer["type"] == "subscribe_error"
    assert answer["id"] == "calls"
    assert answer["errors"][0]["errorType"] == "InternalFailureException"
    assert "server closed" not in answer["errors"][0]["message"]
    request = {"id": 1, "method": "query", "params": {"path": "post.list", "input": {}}}
    answer = await publish(communicator, channel, request, op_id="during")
    assert answer["type"] == "publish_error"
    assert answer["errors"][0]["errorType"] == "InternalFailureException"
    database.down = staticmethod(lambda sql: False)
    # Back up: the same connection carries on.
    assert (await subscribe(communicator, channel, "calls"))["type"] == "subscribe_success"
    request = {"id": 2, "method": "query", "params": {"path": "post.list", "input": {}}}
    assert "result" in await call(communicator, channel, request)
    await communicator.disconnect()


async def test_a_database_outage_inside_a_call_is_an_internal_server_error_answer(
    author_cookie, database
):
    communicator = await connect(author_cookie)
    session_id = await open_session(communicator)
    channel = f"/trpc/{session_id}"
    await subscribe(communicator, channel, "calls")
    # The session check passes (a read), then the procedure's queries fail.
    database.down = staticmethod(lambda sql: "sessions_app_clientsession" not in sql)
    request = {
        "id": 9,
        "method": "mutation",
        "params": {"path": "post.create", "input": {"title": "Lost"}},
    }
    answer = await call(communicator, channel, request)
    database.down = staticmethod(lambda sql: False)
    assert answer["id"] == 9
    assert answer["error"]["data"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "connection lost" not in json.dumps(answer)
    await communicator.disconnect()


async def test_a_consumer_told_it_overflowed_says_so_and_closes(author_cookie):
    communicator = await connect(author_cookie)
    await subscribe(communicator, "/subscriptions/posts")
    await get_channel_layer().group_send(
        "ch.subscriptions.posts", {"type": "layer.overflow", "dropped": 7}
    )
    answer = await communicator.receive_json_from()
    assert answer["type"] == "error"
    assert answer["errors"][0]["errorType"] == "LimitExceededException"
    assert "7 events were dropped" in answer["errors"][0]["message"]
    closed = await communicator.receive_output()
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 1013


# --- Real Redis ----------------------------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own, so it can be stopped."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
        ["redis-server", "--port", str(port), "--save", "", "--dir", str(tmp_path)],  # noqa: S607
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, process, "redis-server")
    yield process, f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.redis
@pytest.mark.parametrize("layer", ["realtime.layers.PubSubChannelLayer"])
async def test_redis_going_away_fails_subscribes_clearly_and_the_socket_stays(
    private_redis, settings, author_cookie, layer
):
    process, url = private_redis
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": layer, "CONFIG": {"hosts": [{"address": url, "socket_timeout": 2}]}}
    }
    channel_layers.backends.clear()
    try:
        communicator = await connect(author_cookie)
        assert (await subscribe(communicator, "/subscriptions/posts", "a"))["type"] == (
            "subscribe_success"
        )
        process.terminate()
        process.wait(timeout=10)
        # A SUBSCRIBE is written without waiting for Redis' reply, so the first one may go
        # out before the client has seen the connection drop; from then on each is refused.
        for attempt in range(20):
            answer = await subscribe(
                communicator, f"/subscriptions/comments/{attempt}", f"b{attempt}"
            )
            if answer["type"] == "subscribe_error":
                break
        assert answer["type"] == "subscribe_error"
        assert answer["errors"][0]["errorType"] == "InternalFailureException"
        assert "unavailable for a moment" in answer["errors"][0]["message"]
        # The connection still answers what needs no Redis.
        assert (await subscribe(communicator, "/nowhere/x", "c"))["type"] == "subscribe_error"
        await communicator.disconnect()
    finally:
        channel_layers.backends.clear()


@pytest.mark.redis
@pytest.mark.parametrize("layer_class", [CoreChannelLayer, PubSubChannelLayer])
async def test_a_stuck_consumer_gets_one_overflow_notice_and_the_drop_is_counted(
    private_redis, layer_class
):
    _, url = private_redis
    layer = layer_class(hosts=[{"address": url, "socket_timeout": 15}], capacity=3)
    try:
        stuck, lively = await layer.new_channel(), await layer.new_channel()
        for channel in (stuck, lively):
            await layer.group_add("g", channel)
        before = OverflowStats.dropped
        # The process keeps receiving for the lively consumer; the stuck one reads nothing.
        for number in range(8):
            await layer.group_send("g", {"type": "m", "n": number})
            assert (await asyncio.wait_for(layer.receive(lively), 5))["n"] == number
        received = []
        while not received or received[-1]["type"] != "layer.overflow":
            received.append(await asyncio.wait_for(layer.receive(stuck), 5))
        assert received[-1]["dropped"] >= 1
        assert OverflowStats.dropped - before >= received[-1]["dropped"]
        # Whatever was not dropped arrived in order before the notice.
        numbers = [message["n"] for message in received[:-1]]
        assert numbers == sorted(numbers)
    finally:
        await layer.flush()


@pytest.mark.redis
async def test_the_redis_socket_timeout_outlasts_the_core_layers_blocking_read(settings):
    # redis-py 8 reads time out after 5 s by default, the core layer blocks 5 s in BZPOPMIN:
    # equal, an idle process's receive fails with "Timeout reading" and closes a socket.
    from channels_redis.core import RedisChannelLayer

    (host,) = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout
