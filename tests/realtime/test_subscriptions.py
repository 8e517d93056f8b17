"""Subscribing and unsubscribing: who may, to what, how many, and the answers when not."""

import pytest

from tests.realtime.conftest import connect, publish, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _error(answer: dict) -> tuple[str, str, str]:
    return answer["type"], answer["id"], answer["errors"][0]["errorType"]


async def test_subscribing_needs_a_signed_in_user():
    communicator = await connect()
    answer = await subscribe(communicator, "/subscriptions/posts")
    assert _error(answer) == ("subscribe_error", "sub-1", "UnauthorizedException")
    await communicator.disconnect()


@pytest.mark.parametrize("token", ["garbage", "Bearer a.b", "Bearer ..."])
async def test_a_garbage_token_is_refused_even_with_a_signed_in_page(token, author_cookie):
    communicator = await connect(author_cookie)
    answer = await subscribe(
        communicator, "/subscriptions/posts", authorization={"Authorization": token}
    )
    assert _error(answer) == ("subscribe_error", "sub-1", "UnauthorizedException")
    await communicator.disconnect()


async def test_an_authorization_without_a_token_falls_back_to_the_session(author_cookie):
    communicator = await connect(author_cookie)
    answer = await subscribe(
        communicator,
        "subscriptions/posts",
        authorization={"host": "localhost", "x-amz-user-agent": "aws-amplify/6"},
        payload={"channel": "ignored"},
    )
    assert (answer["type"], answer["id"]) == ("subscribe_success", "sub-1")
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("channel", "error_type", "message"),
    [
        ("/chat/general", "ResourceNotFoundException", "Unknown namespace"),
        ("/subscriptions/users", "ResourceNotFoundException", "No channel"),
        ("/trpc/*", "BadRequestException", "trpc channel"),
        ("/subscriptions/bad_segment", "BadRequestException", "Channel segment"),
        ("", "BadRequestException", "channel path"),
    ],
)
async def test_unknown_or_malformed_channels_are_refused_and_the_connection_stays(
    channel, error_type, message, author_cookie
):
    communicator = await connect(author_cookie)
    answer = await subscribe(communicator, channel)
    assert _error(answer) == ("subscribe_error", "sub-1", error_type)
    assert message in answer["errors"][0]["message"]
    assert (await subscribe(communicator, "/subscriptions/posts", "ok"))["type"] == (
        "subscribe_success"
    )
    await communicator.disconnect()


async def test_a_live_id_cannot_be_reused_until_unsubscribed(author_cookie):
    communicator = await connect(author_cookie)
    assert (await subscribe(communicator, "/subscriptions/posts", "a"))["type"] == (
        "subscribe_success"
    )
    duplicate = await subscribe(communicator, "/subscriptions/comments/*", "a")
    assert _error(duplicate) == ("subscribe_error", "a", "BadRequestException")
    await communicator.send_json_to({"type": "unsubscribe", "id": "a"})
    assert await communicator.receive_json_from() == {"type": "unsubscribe_success", "id": "a"}
    assert (await subscribe(communicator, "/subscriptions/comments/*", "a"))["type"] == (
        "subscribe_success"
    )
    await communicator.disconnect()


async def test_unsubscribing_an_unknown_id_is_an_error():
    communicator = await connect()
    await communicator.send_json_to({"type": "unsubscribe", "id": "never"})
    answer = await communicator.receive_json_from()
    assert _error(answer) == ("unsubscribe_error", "never", "BadRequestException")
    await communicator.disconnect()


async def test_subscriptions_per_connection_are_capped(settings, author_cookie):
    settings.REALTIME_MAX_SUBSCRIPTIONS = 3
    communicator = await connect(author_cookie)
    for number in range(3):
        answer = await subscribe(communicator, "/subscriptions/posts", f"s{number}")
        assert answer["type"] == "subscribe_success"
    answer = await subscribe(communicator, "/subscriptions/posts", "one-too-many")
    assert _error(answer) == ("subscribe_error", "one-too-many", "LimitExceededException")
    await communicator.disconnect()


@pytest.mark.parametrize("channel", ["/subscriptions/posts", "/subscriptions/comments/x1"])
async def test_clients_may_never_publish_on_broadcast_channels(channel, author_cookie):
    communicator = await connect(author_cookie)
    answer = await publish(communicator, channel, {"resource": "posts", "type": "deleted"})
    assert _error(answer) == ("publish_error", "pub-1", "UnauthorizedException")
    await communicator.disconnect()


async def test_publishing_to_an_unknown_namespace_is_not_found(author_cookie):
    communicator = await connect(author_cookie)
    answer = await publish(communicator, "/elsewhere/x", {"a": 1})
    assert _error(answer) == ("publish_error", "pub-1", "ResourceNotFoundException")
    await communicator.disconnect()
