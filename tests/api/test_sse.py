"""Subscriptions over Server-Sent Events, as an EventSource (and tRPC's httpSubscriptionLink) sees
them through the site's ASGI application: the exact stream, resuming without loss or repeat,
the refusals that are plain JSON, the cap on open streams, and nothing left behind by a client
that goes away."""

import json
import re

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.test import Client

from accounts.providers.local import issue_token
from api.superjson import js_iso
from blog import services
from tests.api.sse_streams import layer_groups, open_stream
from tests.factories import PostFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

EVENT_ID = re.compile(r"^[0-9a-f]+:[0-9]+$")


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    yield
    async_to_sync(get_channel_layer().flush)()


publish = database_sync_to_async(services.create_post)
update = database_sync_to_async(services.update_post)
delete = database_sync_to_async(services.delete_post)
comment = database_sync_to_async(services.create_comment)
edit_comment = database_sync_to_async(services.update_comment)
delete_comment = database_sync_to_async(services.delete_comment)
a_post = database_sync_to_async(PostFactory)


def announced_post(post) -> dict:
    return {
        "id": str(post.id),
        "title": post.title,
        "slug": post.slug,
        "excerpt": post.excerpt,
        "url": post.get_absolute_url(),
        "author": {
            "id": str(post.author.id),
            "name": post.author.display_name,
            "avatarUrl": post.author.avatar_url,
        },
        "createdAt": js_iso(post.created_at),
        "updatedAt": js_iso(post.updated_at),
        "publishedAt": js_iso(post.published_at),
    }


# --- the stream -------------------------------------------------------------------------------


async def test_a_stream_is_connected_then_each_published_post_with_its_id(author):
    stream = await open_stream("post.onCreate")
    assert stream.status == 200
    assert stream.headers["content-type"] == "text/event-stream"
    assert stream.headers["cache-control"] == "no-cache, no-transform"
    assert stream.headers["x-accel-buffering"] == "no"
    assert stream.headers["connection"] == "keep-alive"
    assert {"trpc-accept", "accept"} <= {
        name.strip().lower() for name in stream.headers["vary"].split(",")
    }
    connected = await stream.event()
    assert connected.raw == b'event: connected\ndata: {"reconnectAfterInactivityMs":30000}\n\n\n'

    post = await publish(author=author, title="Live", content="Body", published=True)

    message = await stream.data_event()
    assert message.type == "message"
    assert EVENT_ID.match(message.id)
    assert (
        message.raw
        == (
            f"data: {json.dumps(announced_post(post), separators=(',', ':'))}\n"
            f"id: {message.id}\n\n\n"
        ).encode()
    )
    await stream.hang_up()


async def test_a_superjson_client_gets_each_value_wrapped_with_its_dates(author):
    stream = await open_stream("post.onCreate", {"json": None, "meta": {"values": ["undefined"]}})
    await stream.event()
    post = await publish(author=author, title="Dated", published=True)
    message = await stream.data_event()
    assert message.data["json"]["id"] == str(post.id)
    assert message.data["json"]["createdAt"] == js_iso(post.created_at)
    assert message.data["meta"]["values"] == {
        "createdAt": ["Date"],
        "updatedAt": ["Date"],
        "publishedAt": ["Date"],
    }
    await stream.hang_up()


async def test_a_quiet_stream_is_kept_alive_with_pings(settings):
    settings.API_SSE_PING_MS = 50
    settings.API_SSE_RECONNECT_AFTER_INACTIVITY_MS = 0
    stream = await open_stream("post.onCreate")
    assert (await stream.event()).raw == b"event: connected\ndata: {}\n\n\n"
    assert (await stream.event(timeout=1)).raw == b"event: ping\ndata: \n\n\n"
    assert (await stream.event(timeout=1)).raw == b"event: ping\ndata: \n\n\n"
    await stream.hang_up()


async def test_a_stream_ends_after_its_time_without_return_so_the_client_resumes(settings):
    settings.API_SSE_MAX_DURATION_MS = 200
    stream = await open_stream("post.onCreate")
    await stream.event()
    assert await stream.end(timeout=2) == b""  # no `event: return`: EventSource reconnects
    assert b"return" not in stream.body
    await stream.communicator.wait(timeout=5)
    assert layer_groups() == {}


# --- what each subscription delivers -----------------------------------------------------------


async def test_a_reader_never_gets_a_draft(author):
    stream = await open_stream("post.onCreate")
    await stream.event()
    draft = await publish(author=author, title="Secret draft")
    await update(post=draft, title="Still a draft")
    shown = await publish(author=author, title="Public", published=True)
    assert (await stream.data_event()).data["id"] == str(shown.id)
    assert await stream.nothing_more()
    await stream.hang_up()


async def test_post_on_update_gets_edits_of_its_post_and_its_removal(author):
    post, other = await a_post(author=author), await a_post(author=author)
    stream = await open_stream("post.onUpdate", {"postId": str(post.id)})
    await stream.event()

    await update(post=other, title="Not this one")
    await update(post=post, title="Edited")
    edited = await stream.data_event()
    assert edited.data["type"] == "updated"
    assert edited.data["post"]["title"] == "Edited"
    await update(post=post, published=False)
    assert (await stream.data_event()).data == {"type": "removed", "id": str(post.id), "post": None}
    await update(post=post, published=True)
    assert (await stream.data_event()).data["type"] == "updated"  # back again
    await delete(post=post)
    assert (await stream.data_event()).data["type"] == "removed"
    assert await stream.nothing_more()
    await stream.hang_up()


async def test_comment_on_add_gets_new_edited_and_removed_comments_of_its_post(author, reader):
    post, other = await a_post(author=author), await a_post(author=author)
    stream = await open_stream("comment.onAdd", {"postId": str(post.id)})
    await stream.event()

    await comment(author=reader, post=other, content="Elsewhere")
    added = await comment(author=reader, post=post, content="First!")
    created = await stream.data_event()
    assert created.data["type"] == "created"
    assert created.data["comment"]["content"] == "First!"
    assert created.data["comment"]["postId"] == str(post.id)
    await edit_comment(comment=added, content="First, edited")
    edited = await stream.data_event()
    assert (edited.data["type"], edited.data["comment"]["content"]) == ("updated", "First, edited")
    added_id = str(added.id)  # deleting forgets it
    await delete_comment(comment=added)
    assert (await stream.data_event()).data == {"type": "removed", "id": added_id, "comment": None}
    assert await stream.nothing_more()
    await stream.hang_up()


# --- resuming ----------------------------------------------------------------------------------


async def _resumes(author, reopen):
    first = await open_stream("post.onCreate")
    await first.event()
    one = await publish(author=author, title="One", published=True)
    received = await first.data_event()
    assert received.data["id"] == str(one.id)
    await first.hang_up()

    two = await publish(author=author, title="Two", published=True)
    three = await publish(author=author, title="Three", published=True)

    second = await reopen(received.id)
    await second.event()
    missed = [await second.data_event(), await second.data_event()]
    assert [event.data["id"] for event in missed] == [str(two.id), str(three.id)]
    four = await publish(author=author, title="Four", published=True)
    assert (await second.data_event()).data["id"] == str(four.id)
    assert await second.nothing_more()
    ids = [received.id, *(event.id for event in missed)]
    assert len(set(ids)) == 3
    await second.hang_up()


async def test_eventsource_resumes_with_its_last_event_id_header_losing_and_repeating_nothing(
    author,
):
    await _resumes(
        author, lambda last: open_stream("post.onCreate", headers={"Last-Event-ID": last})
    )


async def test_trpc_resumes_with_last_event_id_in_the_input_losing_and_repeating_nothing(author):
    await _resumes(author, lambda last: open_stream("post.onCreate", {"lastEventId": last}))


async def test_the_last_event_id_query_parameter_resumes_too(author):
    await _resumes(author, lambda last: open_stream("post.onCreate", query={"lastEventId": last}))


async def test_the_header_wins_over_an_older_id_in_the_input(author):
    async def reopen(last):
        return await open_stream(
            "post.onCreate", {"lastEventId": "0000:0"}, headers={"Last-Event-ID": last}
        )

    await _resumes(author, reopen)


# --- refused before streaming: plain JSON ------------------------------------------------------


async def test_an_unknown_subscription_is_a_json_404():
    stream = await open_stream("post.onNothing")
    assert stream.status == 404
    assert stream.headers["content-type"] == "application/json"
    assert stream.json["error"]["data"]["code"] == "NOT_FOUND"


async def test_invalid_input_is_a_json_400():
    stream = await open_stream("post.onUpdate", {"postId": "not-an-id"})
    assert stream.status == 400
    assert stream.json["error"]["data"]["fieldErrors"]["postId"]
    stream = await open_stream("post.onCreate", {"lastEventId": "not an id"})
    assert stream.status == 400
    assert stream.json["error"]["data"]["fieldErrors"]["lastEventId"]


async def test_a_drafts_comments_and_edits_are_not_found_to_everyone(author):
    draft = await a_post(author=author, published=False)
    for path in ("comment.onAdd", "post.onUpdate"):
        stream = await open_stream(path, {"postId": str(draft.id)})
        assert stream.status == 404
        assert stream.json["error"]["message"] == "No such post."
        token = await database_sync_to_async(issue_token)(user=author, kind="access", ttl=60)
        stream = await open_stream(
            path, {"postId": str(draft.id)}, headers={"Authorization": f"Bearer {token}"}
        )
        assert stream.status == 404
    assert layer_groups() == {}


async def test_bad_connection_params_are_a_json_parse_error():
    stream = await open_stream("post.onCreate", query={"connectionParams": '{"token": 1}'})
    assert stream.status == 400
    assert stream.json["error"]["data"]["code"] == "PARSE_ERROR"
    assert stream.json["error"]["message"] == "Invalid connection params shape"


async def test_a_rejected_token_in_connection_params_is_a_json_401():
    stream = await open_stream("post.onCreate", query={"connectionParams": '{"token": "a.b.c"}'})
    assert stream.status == 401
    assert stream.json["error"]["data"]["code"] == "UNAUTHORIZED"


async def test_queries_and_mutations_refuse_a_subscription():
    client = Client()
    posted = await database_sync_to_async(client.post)(
        "/api/trpc/post.onCreate", "{}", content_type="application/json"
    )
    assert posted.status_code == 405
    # As tRPC answers it: one error for the whole batch, nothing run.
    batched = await database_sync_to_async(client.get)("/api/trpc/post.list,post.onCreate?batch=1")
    assert batched.status_code == 400
    error = json.loads(batched.content)["error"]
    assert (error["message"], error["data"]["code"]) == (
        "Cannot batch subscription calls",
        "BAD_REQUEST",
    )


# --- open streams per caller -------------------------------------------------------------------


async def test_streams_beyond_the_cap_are_refused_until_one_closes(settings):
    settings.API_SSE_MAX_STREAMS_PER_ADDRESS = 2
    streams = [await open_stream("post.onCreate") for _ in range(2)]
    refused = await open_stream("post.onCreate")
    assert refused.status == 429
    assert refused.json["error"]["data"]["code"] == "TOO_MANY_REQUESTS"
    assert (await open_stream("post.onCreate", client="10.0.0.2")).status == 200  # another address
    await streams[0].hang_up()
    again = await open_stream("post.onCreate")
    assert again.status == 200
    for stream in (streams[1], again):
        await stream.hang_up()


async def test_a_signed_in_user_is_capped_as_one_whichever_way_they_sign_in(author, settings):
    settings.API_SSE_MAX_STREAMS_PER_USER = 2
    token = await database_sync_to_async(issue_token)(user=author, kind="access", ttl=60)
    client = Client()
    await database_sync_to_async(client.force_login)(author)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    by_header = await open_stream("post.onCreate", headers={"Authorization": f"Bearer {token}"})
    by_params = await open_stream(
        "post.onCreate", query={"connectionParams": json.dumps({"token": token})}
    )
    assert (by_header.status, by_params.status) == (200, 200)
    by_cookie = await open_stream("post.onCreate", headers={"Cookie": cookie})
    assert by_cookie.status == 429  # the third stream of the same user
    anonymous = await open_stream("post.onCreate")
    assert anonymous.status == 200  # counted by address, apart
    for stream in (by_header, by_params, anonymous):
        await stream.hang_up()


# --- a client that goes away ------------------------------------------------------------------


async def test_a_client_that_vanishes_mid_stream_leaves_no_layer_membership(author):
    post = await a_post(author=author)
    streams = [
        await open_stream("post.onCreate"),
        await open_stream("comment.onAdd", {"postId": str(post.id)}),
    ]
    for stream in streams:
        await stream.event()
    assert len(layer_groups()) == 2
    await publish(author=author, title="Seen", published=True)
    await streams[0].data_event()

    for stream in streams:
        await stream.hang_up()

    assert layer_groups() == {}
    # Its place in the cap is given back too.
    settings_cap = settings.API_SSE_MAX_STREAMS_PER_ADDRESS
    reopened = [await open_stream("post.onCreate") for _ in range(min(settings_cap, 3))]
    assert {stream.status for stream in reopened} == {200}
    for stream in reopened:
        await stream.hang_up()


async def test_a_position_no_longer_kept_ends_the_stream_with_a_fatal_error(author):
    await publish(author=author, title="History", published=True)
    stream = await open_stream("post.onCreate", headers={"Last-Event-ID": "0ld3p0ch:1"})
    assert stream.status == 200  # known only once following: told in the stream
    assert (await stream.event()).type == "connected"
    error = await stream.event()
    assert error.type == "serialized-error"
    assert error.data["code"] == -32012  # not -32603: tRPC's client gives up, and reloads
    assert error.data["data"]["code"] == "PRECONDITION_FAILED"
    assert await stream.end() == b""
    assert layer_groups() == {}


async def test_the_anonymous_reads_door_hands_a_subscription_to_django_whatever_it_accepts():
    # No credentials and a JSON-friendly Accept: what api.anonymous_reads answers itself, for
    # queries. A subscription is still a stream.
    for accept in ("*/*", "application/json"):
        stream = await open_stream("post.onCreate", headers={"Accept": accept})
        assert stream.status == 200
        assert (await stream.event()).type == "connected"
        await stream.hang_up()
