"""Subscriptions are procedures: opened through the dispatcher under the rules of any call (rate,
input, access, one error table), and their streams end as tRPC clients expect: ``return`` when
over, a retryable error when live delivery fails, a fatal one when the position is lost."""

import contextlib
from collections.abc import AsyncIterator

import pytest

from api import open_streams, trpc_sse
from api.dispatch import OpenSubscription, call_procedure, open_subscription
from api.registry import Delivery, Feed, NotResumable
from api.sse import EventStream
from blog.serializers import PostChangeOutput
from lib.errors import InvalidInput, ServiceUnavailable
from tests.factories import PostFactory

ANONYMOUS_ADDRESS = "192.0.2.1"


def open_as(user, path, raw_input):
    return open_subscription(
        path=path, raw_input=raw_input, user=user, client_address=ANONYMOUS_ADDRESS
    )


# --- opening ----------------------------------------------------------------------------------


def test_opening_a_subscription_checks_and_returns_what_it_follows(db, author):
    post = PostFactory(author=author)
    opened = open_as(author, "comment.onAdd", {"postId": str(post.id)})
    assert isinstance(opened, OpenSubscription)
    assert opened.feed.channel == f"/subscriptions/comments/{post.id}"
    opened = open_as(author, "post.onUpdate", {"postId": str(post.id)})
    assert opened.feed.channel == "/subscriptions/posts"


def test_a_drafts_subscriptions_are_not_found_even_to_its_author(db, author, django_user_model):
    draft = PostFactory(author=author, published=False)
    for user in (author, django_user_model()):
        for path in ("comment.onAdd", "post.onUpdate"):
            refused = open_as(user, path, {"postId": str(draft.id)})
            assert (refused.code, refused.message) == ("NOT_FOUND", "No such post.")


def test_an_unknown_path_or_another_kind_is_refused(db, reader):
    assert open_as(reader, "post.onNothing", None).code == "NOT_FOUND"
    refused = open_as(reader, "post.list", None)
    assert refused.code == "METHOD_NOT_SUPPORTED"
    as_query = call_procedure(path="post.onCreate", kind="query", raw_input=None, user=reader)
    assert as_query.code == "METHOD_NOT_SUPPORTED"


def test_invalid_input_and_positions_are_bad_requests(db, reader):
    refused = open_as(reader, "post.onUpdate", {"postId": 5})
    assert refused.code == "BAD_REQUEST"
    assert refused.data["fieldErrors"]["postId"]
    for position in ("no-colon", "e:-1", "e:x", ":1", f"e:{2**53}"):
        refused = open_as(reader, "post.onCreate", {"lastEventId": position})
        assert refused.code == "BAD_REQUEST", position
        assert refused.data["fieldErrors"]["lastEventId"]


def test_opening_counts_against_the_callers_rate(db, settings):
    from django.contrib.auth.models import AnonymousUser

    settings.API_THROTTLE_RATES = {"anonymous": "2/minute", "user": None}
    outcomes = [open_as(AnonymousUser(), "post.onCreate", None) for _ in range(3)]
    assert isinstance(outcomes[1], OpenSubscription)
    assert outcomes[2].code == "TOO_MANY_REQUESTS"


def test_each_value_is_written_by_the_output_serializer(db, author):
    post = PostFactory(author=author)
    opened = open_as(author, "post.onUpdate", {"postId": str(post.id)})
    removed = {"type": "removed", "id": str(post.id), "post": None, "extra": "dropped"}
    assert opened.data(Delivery("e:1", removed)) == {
        "type": "removed",
        "id": str(post.id),
        "post": None,
    }


# --- how streams end --------------------------------------------------------------------------


def _feed(*values: object, then: Exception | None = None, on_open: Exception | None = None):
    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[AsyncIterator[Delivery]]:
        if on_open is not None:
            raise on_open
        yield deliveries()

    async def deliveries() -> AsyncIterator[Delivery]:
        for offset, value in enumerate(values, start=1):
            yield Delivery(f"e:{offset}", value)
        if then is not None:
            raise then

    return Feed("/subscriptions/test", opened)


async def _body(feed: Feed) -> bytes:
    lease = open_streams.take(caller="test.streams", limit=10)
    opened = OpenSubscription("post.onUpdate", feed, PostChangeOutput)
    stream = EventStream(opened, lease, uses_superjson=False)
    body = b"".join([part async for part in stream.body()])
    assert open_streams.count("test.streams") == 0  # the lease went back
    return body


REMOVED = {"type": "removed", "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "post": None}
CONNECTED = b'event: connected\ndata: {"reconnectAfterInactivityMs":30000}\n\n\n'


@pytest.mark.asyncio
async def test_a_feed_that_is_over_ends_the_stream_with_return():
    assert await _body(_feed(REMOVED)) == (
        CONNECTED
        + trpc_sse.message(REMOVED, "e:1", uses_superjson=False)
        + b"event: return\ndata: \n\n\n"
    )


@pytest.mark.asyncio
async def test_live_delivery_failing_is_a_retryable_error_after_what_was_sent():
    body = await _body(_feed(REMOVED, then=ServiceUnavailable("Live delivery was interrupted.")))
    assert body == (
        CONNECTED
        + trpc_sse.message(REMOVED, "e:1", uses_superjson=False)
        + b'event: serialized-error\ndata: {"message":"Live delivery was interrupted.",'
        b'"code":-32603,"data":{"code":"SERVICE_UNAVAILABLE","httpStatus":503,'
        b'"path":"post.onUpdate"}}\n\n\n'
    )


@pytest.mark.asyncio
async def test_a_position_no_longer_kept_is_a_fatal_error_once_connected():
    body = await _body(_feed(on_open=NotResumable()))
    assert body.startswith(CONNECTED + b"event: serialized-error\n")
    assert b'"code":-32012' in body  # PRECONDITION_FAILED: not in tRPC's retryable codes
    assert b'"code":"PRECONDITION_FAILED","httpStatus":412' in body


@pytest.mark.asyncio
async def test_a_position_beyond_the_head_is_a_bad_request():
    body = await _body(_feed(on_open=InvalidInput({"lastEventId": ["Beyond the head."]})))
    assert b'"code":-32600' in body
    assert b'"fieldErrors":{"lastEventId":["Beyond the head."]}' in body


# --- leases -----------------------------------------------------------------------------------


def test_a_lease_not_renewed_lapses_so_a_dead_process_cannot_hold_a_place():
    held = open_streams.take(caller="test.lapse", limit=1, seconds=0.2)
    assert held is not None
    assert open_streams.take(caller="test.lapse", limit=1) is None
    import time

    time.sleep(0.3)  # the lease's whole life, unrenewed: as if its process had died
    replacement = open_streams.take(caller="test.lapse", limit=1)
    assert replacement is not None
    open_streams.renew(replacement)
    assert open_streams.count("test.lapse") == 1
    open_streams.release(replacement)
    assert open_streams.count("test.lapse") == 0
