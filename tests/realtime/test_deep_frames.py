"""Input nested deeper than the JSON parser goes is a bad request, never an internal failure."""

import json

import pytest

from tests.realtime.conftest import connect, open_session, publish, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

DEPTH = 2_000


async def test_a_frame_nested_two_thousand_deep_is_a_bad_request(author_cookie):
    communicator = await connect(author_cookie)
    await communicator.send_to(text_data="[" * DEPTH + "]" * DEPTH)
    answer = await communicator.receive_json_from()
    assert answer["type"] == "error"
    assert answer["errors"][0]["errorType"] == "BadRequestException"
    assert answer["errors"][0]["errorCode"] == 400
    # The connection carries on.
    assert (await subscribe(communicator, "/subscriptions/posts"))["type"] == "subscribe_success"
    await communicator.disconnect()


async def test_an_operation_with_a_deep_field_is_a_bad_request(author_cookie):
    communicator = await connect(author_cookie)
    deep = '{"a":' * DEPTH + "1" + "}" * DEPTH
    frame = '{"type":"subscribe","id":"s","channel":"/subscriptions/posts","x":' + deep + "}"
    await communicator.send_to(text_data=frame)
    answer = await communicator.receive_json_from()
    assert answer["errors"][0]["errorType"] == "BadRequestException"
    await communicator.disconnect()


async def test_a_deep_call_on_the_session_channel_is_refused_as_a_bad_event(author_cookie):
    communicator = await connect(author_cookie)
    channel = f"/trpc/{await open_session(communicator)}"
    await subscribe(communicator, channel, "calls")
    deep_input = "[" * DEPTH + "]" * DEPTH
    event = '{"id":1,"method":"query","params":{"path":"post.list","input":' + deep_input + "}}"
    answer = await publish(communicator, channel, event)
    assert answer["type"] == "publish_success"
    assert answer["successful"] == []
    assert answer["failed"][0]["code"] == 400
    assert "nested too deeply" in answer["failed"][0]["message"]
    assert await communicator.receive_nothing()
    await communicator.disconnect()


async def test_a_deep_session_request_is_refused_as_a_bad_event(author_cookie):
    communicator = await connect(author_cookie)
    channel = "/trpc/session-request-1"
    await subscribe(communicator, channel, "session")
    request = {"type": "session.request", "clientUuid": "4f0c1d8e-8c1b-4a55-9a3e-2b1f0c2d3e4f"}
    deep_request = json.dumps(request)[:-1] + ',"x":' + "[" * DEPTH + "]" * DEPTH + "}"
    answer = await publish(communicator, channel, "[" * DEPTH + "]" * DEPTH, deep_request)
    assert answer["type"] == "publish_success"
    assert [failure["code"] for failure in answer["failed"]] == [400, 400]
    await communicator.disconnect()
