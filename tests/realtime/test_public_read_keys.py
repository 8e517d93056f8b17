"""Public read keys on the socket (AppSync Events' apiKey authorization): a key subscribes to
the public channels of published posts and gets their events; it never publishes, never
reaches a session channel or a draft's, and is held to its connection cap and rates."""

import json
import uuid
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from api import open_streams
from blog import services
from realtime.models import PublicReadKey
from realtime.public_read_keys import current_key, forget_usable_keys, rotate_public_read_keys
from tests.api.test_cache_outage import redis_down
from tests.factories import PostFactory
from tests.realtime.conftest import connect, header_subprotocol, publish, subscribe, token_for

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
__all__ = ["redis_down"]  # the fixture, used by name


def _error(answer: dict) -> tuple[str, str]:
    return answer["type"], answer["errors"][0]["errorType"]


async def _key() -> str:
    return (await database_sync_to_async(current_key)()).value


async def _with_key(key: str, *, init: bool = True, headers=None):
    """A connection whose header- subprotocol carries ``key``, as Amplify's apiKey mode sends it."""
    return await connect(
        subprotocols=[
            "aws-appsync-event-ws",
            header_subprotocol({"host": "localhost", "x-api-key": key, "x-amz-date": "20261206T"}),
        ],
        headers=headers,
        init=init,
    )


async def _init(communicator) -> dict:
    await communicator.send_json_to({"type": "connection_init"})
    return await communicator.receive_json_from()


async def test_a_key_follows_new_posts_and_a_published_posts_comments(author):
    post = await database_sync_to_async(PostFactory)(author=author)
    listener = await _with_key(await _key())
    assert (await subscribe(listener, "/subscriptions/posts", "posts"))["type"] == (
        "subscribe_success"
    )
    channel = f"/subscriptions/comments/{post.id}"
    assert (await subscribe(listener, channel, "comments"))["type"] == "subscribe_success"

    await database_sync_to_async(services.create_post)(
        author=author, title="Fresh", content="Hi", published=True
    )
    frame = await listener.receive_json_from()
    assert (frame["id"], json.loads(frame["event"])["data"]["title"]) == ("posts", "Fresh")
    await database_sync_to_async(services.create_comment)(author=author, post=post, content="Yo")
    frame = await listener.receive_json_from()
    assert (frame["id"], json.loads(frame["event"])["data"]["content"]) == ("comments", "Yo")
    await listener.disconnect()


async def test_a_key_in_the_operations_authorization_is_enough():
    key = await _key()
    listener = await connect()  # no header- subprotocol: each operation carries the key
    answer = await subscribe(
        listener, "/subscriptions/posts", authorization={"host": "localhost", "x-api-key": key}
    )
    assert answer["type"] == "subscribe_success"
    await listener.disconnect()


@pytest.mark.parametrize(
    "channel",
    [
        "/subscriptions/*",  # would cover a draft's channel
        "/subscriptions/comments/*",
        f"/trpc/{uuid.uuid4()}",  # a session channel
        "/trpc/session-request-1",
    ],
)
async def test_a_key_reaches_no_wildcard_and_no_session_channel(channel):
    listener = await _with_key(await _key())
    assert _error(await subscribe(listener, channel)) == (
        "subscribe_error",
        "UnauthorizedException",
    )
    # The connection stays: the public channels still work.
    assert (await subscribe(listener, "/subscriptions/posts", "ok"))["type"] == "subscribe_success"
    await listener.disconnect()


async def test_a_drafts_comments_and_an_unknown_posts_are_refused_alike(author):
    draft = await database_sync_to_async(PostFactory)(author=author, published=False)
    listener = await _with_key(await _key())
    for number, post_id in enumerate([draft.id, uuid.uuid4(), "not-a-uuid"]):
        answer = await subscribe(listener, f"/subscriptions/comments/{post_id}", f"s{number}")
        assert _error(answer) == ("subscribe_error", "UnauthorizedException")
        assert "published posts only" in answer["errors"][0]["message"]
    await listener.disconnect()


@pytest.mark.parametrize(
    "channel", ["/subscriptions/posts", "/trpc/session-request-1", f"/trpc/{uuid.uuid4()}"]
)
async def test_a_key_never_publishes(channel):
    listener = await _with_key(await _key())
    answer = await publish(listener, channel, {"type": "session.request", "clientUuid": "x"})
    assert _error(answer) == ("publish_error", "UnauthorizedException")
    assert answer["id"] == "pub-1"
    await listener.disconnect()


async def test_a_key_on_a_signed_in_page_is_the_keys_identity_not_the_cookies(author_cookie):
    """An operation that names a key is a public reader's, even where the page's session
    would make it a user's: no session channel through the cookie."""
    key = await _key()
    listener = await connect(author_cookie)
    answer = await subscribe(listener, "/trpc/session-request-1", authorization={"x-api-key": key})
    assert _error(answer) == ("subscribe_error", "UnauthorizedException")
    answer = await publish(
        listener, "/trpc/session-request-1", "{}", authorization={"x-api-key": key}
    )
    assert _error(answer) == ("publish_error", "UnauthorizedException")
    await listener.disconnect()


@pytest.mark.parametrize("case", ["unknown", "expired", "switched off", "keys off"])
async def test_a_key_that_is_not_usable_is_refused_at_connection_init(case, settings):
    key = await _key()
    if case == "unknown":
        key = "da2-" + "x" * 26
    elif case == "keys off":
        settings.REALTIME_PUBLIC_READ_KEYS = False
    else:
        change = (
            {"expires_at": timezone.now() - timedelta(seconds=1)}
            if case == "expired"
            else {"is_active": False}
        )
        await database_sync_to_async(PublicReadKey.objects.filter(value=key).update)(**change)
        await database_sync_to_async(forget_usable_keys)()
    communicator = await _with_key(key, init=False)
    answer = await _init(communicator)
    assert (answer["type"], answer["errors"][0]["errorType"]) == (
        "connection_error",
        "UnauthorizedException",
    )
    assert (await communicator.receive_output())["type"] == "websocket.close"


async def test_an_unknown_key_in_an_operation_is_refused_and_the_connection_stays():
    listener = await connect()
    answer = await subscribe(listener, "/subscriptions/posts", authorization={"x-api-key": "nope"})
    assert _error(answer) == ("subscribe_error", "UnauthorizedException")
    answer = await subscribe(
        listener, "/subscriptions/posts", "again", authorization={"x-api-key": await _key()}
    )
    assert answer["type"] == "subscribe_success"
    await listener.disconnect()


async def test_a_rotated_key_works_through_its_grace_and_not_after(settings):
    old = await _key()
    new = await database_sync_to_async(rotate_public_read_keys)(by=None)
    assert (await _key()) == new.value != old
    within_grace = await _with_key(old)
    assert (await subscribe(within_grace, "/subscriptions/posts"))["type"] == "subscribe_success"
    await within_grace.disconnect()

    # The grace period is over.
    await database_sync_to_async(PublicReadKey.objects.filter(value=old).update)(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    await database_sync_to_async(forget_usable_keys)()
    late = await connect()
    answer = await subscribe(late, "/subscriptions/posts", authorization={"x-api-key": old})
    assert _error(answer) == ("subscribe_error", "UnauthorizedException")
    answer = await subscribe(
        late, "/subscriptions/posts", "s2", authorization={"x-api-key": new.value}
    )
    assert answer["type"] == "subscribe_success"
    await late.disconnect()


async def test_the_connection_cap_refuses_one_more_socket_and_frees_a_place_on_close(settings):
    settings.REALTIME_PUBLIC_KEY_MAX_CONNECTIONS = 2
    key = await _key()
    first = await _with_key(key)
    # One connection holds one place, however many operations it makes.
    assert (await subscribe(first, "/subscriptions/posts", "a"))["type"] == "subscribe_success"
    assert (await subscribe(first, "/subscriptions/posts", "b"))["type"] == "subscribe_success"
    second = await _with_key(key)
    third = await _with_key(key, init=False)
    answer = await _init(third)
    assert (answer["type"], answer["errors"][0]["errorType"]) == (
        "connection_error",
        "LimitExceededException",
    )
    assert await third.receive_output() == {"type": "websocket.close", "code": 4429}
    # A key that arrives with an operation instead is refused for that operation only.
    fourth = await connect()
    answer = await subscribe(fourth, "/subscriptions/posts", authorization={"x-api-key": key})
    assert _error(answer) == ("subscribe_error", "LimitExceededException")

    # Counted where every process sees it (Redis when configured).
    key_id = (await database_sync_to_async(current_key)()).id
    assert await database_sync_to_async(open_streams.count)(f"public-key.{key_id}") == 2

    await first.disconnect()
    answer = await subscribe(fourth, "/subscriptions/posts", "s2", authorization={"x-api-key": key})
    assert answer["type"] == "subscribe_success"
    await second.disconnect()
    await fourth.disconnect()
    assert await database_sync_to_async(open_streams.count)(f"public-key.{key_id}") == 0


async def test_the_keys_rate_limits_operations(settings):
    settings.REALTIME_PUBLIC_KEY_RATE = "3/minute"
    listener = await _with_key(await _key())  # connection_init counts: 1
    assert (await subscribe(listener, "/subscriptions/posts", "a"))["type"] == "subscribe_success"
    assert (await subscribe(listener, "/subscriptions/posts", "b"))["type"] == "subscribe_success"
    answer = await subscribe(listener, "/subscriptions/posts", "c")
    assert _error(answer) == ("subscribe_error", "LimitExceededException")
    assert "try again in" in answer["errors"][0]["message"]
    await listener.disconnect()


async def test_one_address_cannot_spend_the_keys_budget(settings):
    settings.AUTH_PROXY_COUNT = 1
    settings.REALTIME_PUBLIC_KEY_ADDRESS_RATE = "2/minute"
    key = await _key()
    busy = await _with_key(key, headers=[(b"x-forwarded-for", b"203.0.113.7")])
    assert (await subscribe(busy, "/subscriptions/posts", "a"))["type"] == "subscribe_success"
    answer = await subscribe(busy, "/subscriptions/posts", "b")
    assert _error(answer) == ("subscribe_error", "LimitExceededException")
    other = await _with_key(key, headers=[(b"x-forwarded-for", b"203.0.113.8")])
    assert (await subscribe(other, "/subscriptions/posts"))["type"] == "subscribe_success"
    await busy.disconnect()
    await other.disconnect()


async def test_a_token_with_a_key_beside_it_is_the_tokens_identity(author):
    """Amplify may send a user pool token where a key is configured too: the token decides."""
    token = await database_sync_to_async(token_for)(author)
    listener = await connect()
    answer = await subscribe(
        listener,
        "/trpc/session-request-1",
        authorization={"Authorization": token, "x-api-key": await _key()},
    )
    assert answer["type"] == "subscribe_success"
    await listener.disconnect()


async def test_keys_still_work_and_still_refuse_while_redis_is_away(redis_down, settings):
    """Counts fall back to the process; nothing becomes an internal failure."""
    settings.REALTIME_PUBLIC_KEY_MAX_CONNECTIONS = 1
    key = await _key()
    listener = await _with_key(key)
    assert (await subscribe(listener, "/subscriptions/posts"))["type"] == "subscribe_success"
    answer = await publish(listener, "/subscriptions/posts", "{}")
    assert _error(answer) == ("publish_error", "UnauthorizedException")
    over_cap = await _with_key(key, init=False)
    assert (await _init(over_cap))["errors"][0]["errorType"] == "LimitExceededException"
    await listener.disconnect()
