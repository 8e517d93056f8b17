"""Subscription procedures on the session channel, in tRPC's WebSocket messages: started, each
event with its id, stopped; resumable by lastEventId; to the asking connection only; refused
with tRPC errors; and nothing left in the channel layer when they end."""

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from blog import services
from chunking import codec
from realtime.groups import group_name, parse_channel_path
from tests.factories import PostFactory
from tests.realtime.conftest import connect, open_session, publish, subscribe
from tests.realtime.test_recovery import _members

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def _session_tab(cookie: str, client_uuid: uuid.UUID | None = None):
    communicator = await connect(cookie)
    session_id = await open_session(communicator, client_uuid or uuid.uuid4())
    channel = f"/trpc/{session_id}"
    assert (await subscribe(communicator, channel, "calls"))["type"] == "subscribe_success"
    return communicator, channel


def _start(request_id, path: str, input_: object) -> dict:
    return {"id": request_id, "method": "subscription", "params": {"path": path, "input": input_}}


async def _send(communicator, channel: str, *messages) -> None:
    acknowledged = await publish(communicator, channel, *messages)
    assert acknowledged["type"] == "publish_success"
    assert len(acknowledged["successful"]) == len(messages)


async def _message(communicator) -> dict:
    frame = await communicator.receive_json_from(timeout=5)
    assert (frame["type"], frame["id"]) == ("data", "calls")
    return json.loads(frame["event"])


@database_sync_to_async
def _comment(post, author, content: str):
    return services.create_comment(author=author, post=post, content=content)


async def test_a_subscription_starts_sends_each_event_with_its_id_and_stops(
    author, reader, author_cookie
):
    post = await database_sync_to_async(PostFactory)(author=author)
    tab, channel = await _session_tab(author_cookie)
    await _send(tab, channel, _start(5, "comment.onAdd", {"postId": str(post.id)}))
    assert await _message(tab) == {"id": 5, "result": {"type": "started"}}

    comment = await _comment(post, reader, "Live on the socket")
    event = await _message(tab)
    assert event["id"] == 5
    assert event["result"]["type"] == "data"
    epoch, _, offset = event["result"]["id"].partition(":")
    assert epoch and offset == "1"
    assert event["result"]["data"]["type"] == "created"
    assert event["result"]["data"]["comment"]["content"] == "Live on the socket"
    assert event["result"]["data"]["id"] == str(comment.id)

    await _send(tab, channel, {"id": 5, "method": "subscription.stop"})
    assert await _message(tab) == {"id": 5, "result": {"type": "stopped"}}
    await _comment(post, reader, "After the stop")
    assert await tab.receive_nothing()
    await tab.disconnect()


async def test_a_restart_with_last_event_id_gets_what_was_missed_once(
    author, reader, author_cookie
):
    post = await database_sync_to_async(PostFactory)(author=author)
    tab, channel = await _session_tab(author_cookie)
    await _send(tab, channel, _start(1, "comment.onAdd", {"postId": str(post.id)}))
    assert (await _message(tab))["result"]["type"] == "started"
    await _comment(post, reader, "one")
    last_event_id = (await _message(tab))["result"]["id"]
    await tab.disconnect()

    await _comment(post, reader, "two")
    await _comment(post, reader, "three")
    tab, channel = await _session_tab(author_cookie)
    resumed = {"postId": str(post.id), "lastEventId": last_event_id}
    await _send(tab, channel, _start(1, "comment.onAdd", resumed))
    assert (await _message(tab))["result"]["type"] == "started"
    contents = [(await _message(tab))["result"]["data"]["comment"]["content"] for _ in range(2)]
    assert contents == ["two", "three"]
    await _comment(post, reader, "four")
    assert (await _message(tab))["result"]["data"]["comment"]["content"] == "four"
    assert await tab.receive_nothing()
    await tab.disconnect()


async def test_only_the_asking_tab_gets_its_subscription(author, reader, author_cookie):
    post = await database_sync_to_async(PostFactory)(author=author)
    client_uuid = uuid.uuid4()
    asker, channel = await _session_tab(author_cookie, client_uuid)
    other, same_channel = await _session_tab(author_cookie, client_uuid)
    assert channel == same_channel
    await _send(asker, channel, _start(1, "comment.onAdd", {"postId": str(post.id)}))
    assert (await _message(asker))["result"]["type"] == "started"
    await _comment(post, reader, "for the asker")
    assert (await _message(asker))["result"]["type"] == "data"
    assert await other.receive_nothing()
    for tab in (asker, other):
        await tab.disconnect()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (_start(2, "post.onNothing", {}), "NOT_FOUND"),
        (_start(2, "comment.onAdd", {}), "BAD_REQUEST"),
        (_start(2, "comment.onAdd", {"postId": "not-an-id"}), "BAD_REQUEST"),
        (_start(2, "post.list", {}), "METHOD_NOT_SUPPORTED"),
        (_start(2, "comment.onAdd", {"postId": str(uuid.uuid4()), "lastEventId": "x"}), None),
    ],
)
async def test_bad_subscriptions_get_trpc_errors_and_leave_nothing(author_cookie, message, code):
    tab, channel = await _session_tab(author_cookie)
    await _send(tab, channel, message)
    answer = await _message(tab)
    assert answer["id"] == 2
    assert answer["error"]["data"]["code"] in ((code,) if code else ("BAD_REQUEST", "NOT_FOUND"))
    assert await tab.receive_nothing()
    await tab.disconnect()


async def test_a_drafts_comments_cannot_be_followed(author, author_cookie):
    draft = await database_sync_to_async(PostFactory)(author=author, published=False)
    tab, channel = await _session_tab(author_cookie)
    await _send(tab, channel, _start(3, "comment.onAdd", {"postId": str(draft.id)}))
    answer = await _message(tab)
    assert answer["error"]["data"]["code"] == "NOT_FOUND"
    await tab.disconnect()


async def test_a_live_id_is_refused_and_the_allowance_is_shared_with_subscriptions(
    author, author_cookie, settings
):
    settings.REALTIME_MAX_SUBSCRIPTIONS = 3  # the session channel's own, and two more
    post = await database_sync_to_async(PostFactory)(author=author)
    tab, channel = await _session_tab(author_cookie)
    follow = {"postId": str(post.id)}
    await _send(tab, channel, _start(1, "comment.onAdd", follow))
    assert (await _message(tab))["result"]["type"] == "started"
    await _send(tab, channel, _start(1, "comment.onAdd", follow))
    assert (await _message(tab))["error"]["data"]["code"] == "BAD_REQUEST"
    await _send(tab, channel, _start(2, "post.onCreate", {}))
    assert (await _message(tab))["result"]["type"] == "started"
    await _send(tab, channel, _start(3, "post.onCreate", {}))
    assert (await _message(tab))["error"]["data"]["code"] == "TOO_MANY_REQUESTS"
    refused = await subscribe(tab, "/subscriptions/posts", "one-more")
    assert refused["errors"][0]["errorType"] == "LimitExceededException"
    await tab.disconnect()


async def test_a_stop_before_its_start_is_answered_and_the_start_not_followed(
    author, reader, author_cookie
):
    post = await database_sync_to_async(PostFactory)(author=author)
    tab, channel = await _session_tab(author_cookie)
    await _send(tab, channel, {"id": 9, "method": "subscription.stop"})
    assert await _message(tab) == {"id": 9, "result": {"type": "stopped"}}
    await _send(tab, channel, _start(9, "comment.onAdd", {"postId": str(post.id)}))
    assert await _message(tab) == {"id": 9, "result": {"type": "stopped"}}
    await _comment(post, reader, "not followed")
    assert await tab.receive_nothing()
    await tab.disconnect()


async def test_a_closed_socket_leaves_no_membership_behind(author, author_cookie):
    post = await database_sync_to_async(PostFactory)(author=author)
    tab, channel = await _session_tab(author_cookie)
    await _send(tab, channel, _start(1, "comment.onAdd", {"postId": str(post.id)}))
    assert (await _message(tab))["result"]["type"] == "started"
    group = group_name(parse_channel_path(f"/subscriptions/comments/{post.id}"))
    assert _members(get_channel_layer(), group)
    await tab.disconnect()
    assert not _members(get_channel_layer(), group)


async def test_a_subscription_sent_in_chunks_is_refused(author_cookie):
    tab, channel = await _session_tab(author_cookie)
    text = json.dumps(_start(4, "post.onCreate", {"pad": "x" * 300_000}))
    events = [json.dumps(chunk.to_event()) for chunk in codec.split(text)]
    for event in events:
        await _send(tab, channel, event)
    answer = await _message(tab)
    assert answer["id"] == 4
    assert answer["error"]["message"] == "A subscription is sent whole, not in chunks."
    await tab.disconnect()
