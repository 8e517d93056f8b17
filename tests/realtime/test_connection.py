"""Opening a connection: subprotocols, ack, keep-alive, lifetime, origin, unreadable frames."""

import json

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.realtime.conftest import connect, header_subprotocol, init_with_token

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_the_appsync_subprotocol_is_selected_and_the_auth_one_never_echoed():
    communicator = WebsocketCommunicator(
        application,
        "/event/realtime",
        headers=[(b"origin", b"http://localhost")],
        subprotocols=[header_subprotocol({"host": "localhost"}), "aws-appsync-event-ws"],
    )
    connected, subprotocol = await communicator.connect()
    assert connected
    assert subprotocol == "aws-appsync-event-ws"
    await communicator.send_json_to({"type": "connection_init"})
    assert await communicator.receive_json_from() == {
        "type": "connection_ack",
        "connectionTimeoutMs": 300000,
    }
    assert await communicator.receive_json_from() == {"type": "ka"}
    await communicator.disconnect()


async def test_keep_alives_keep_coming_and_the_lifetime_closes_the_connection(settings):
    settings.REALTIME_KEEPALIVE_SECONDS = 0.01
    settings.REALTIME_MAX_CONNECTION_SECONDS = 0.2
    communicator = await connect()
    for _ in range(3):
        assert await communicator.receive_json_from() == {"type": "ka"}
    while (output := await communicator.receive_output(timeout=5))["type"] == "websocket.send":
        assert json.loads(output["text"]) == {"type": "ka"}
    assert output == {"type": "websocket.close", "code": 1000, "reason": output["reason"]}


async def test_a_bad_connection_token_answers_connection_error_then_closes():
    communicator, answer = await init_with_token("garbage")
    assert answer["type"] == "connection_error"
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    assert answer["errors"][0]["errorCode"] == 401
    assert (await communicator.receive_output())["type"] == "websocket.close"


async def test_operations_work_without_connection_init(author_cookie):
    communicator = await connect(author_cookie, init=False)
    await communicator.send_json_to(
        {"type": "subscribe", "id": "s", "channel": "/subscriptions/posts"}
    )
    answer = await communicator.receive_json_from()
    assert (answer["type"], answer["id"]) == ("subscribe_success", "s")
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"id": "x"}', "no type"),
        ('{"type": "shout"}', "Unknown message type"),
        ('{"type": "subscribe", "channel": "/subscriptions/posts"}', "needs an id"),
    ],
)
async def test_unreadable_frames_get_an_error_and_the_connection_stays_open(
    frame, message, author_cookie
):
    communicator = await connect(author_cookie)
    await communicator.send_to(text_data=frame)
    answer = await communicator.receive_json_from()
    assert answer["type"] == "error"
    assert answer["errors"][0]["errorType"] == "BadRequestException"
    assert message in answer["errors"][0]["message"]
    await communicator.send_json_to(
        {"type": "subscribe", "id": "after", "channel": "/subscriptions/posts"}
    )
    assert (await communicator.receive_json_from())["type"] == "subscribe_success"
    await communicator.disconnect()


async def test_binary_frames_are_refused():
    communicator = await connect()
    await communicator.send_to(bytes_data=b"\x00\x01")
    answer = await communicator.receive_json_from()
    assert answer["type"] == "error"
    assert "not binary" in answer["errors"][0]["message"]
    await communicator.disconnect()


async def test_a_frame_over_240_kb_is_a_limit_error_and_nothing_else_happens(author_cookie):
    communicator = await connect(author_cookie)
    await communicator.send_json_to(
        {
            "type": "publish",
            "id": "huge",
            "channel": "/trpc/session-request-1",
            "events": [json.dumps("x" * (240 * 1024))],
        }
    )
    answer = await communicator.receive_json_from()
    assert answer["type"] == "publish_error"
    assert answer["id"] == "huge"
    assert answer["errors"][0]["errorType"] == "LimitExceededException"
    assert await communicator.receive_nothing()
    await communicator.disconnect()
