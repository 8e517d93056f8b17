"""Committed changes reach subscribers as data frames; rollbacks and drafts never do."""

import json

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from blog import services
from tests.factories import PostFactory
from tests.realtime.conftest import connect, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def _listening(cookie, *channels):
    communicator = await connect(cookie)
    for number, channel in enumerate(channels):
        assert (await subscribe(communicator, channel, f"s{number}"))["type"] == (
            "subscribe_success"
        )
    return communicator


async def _event(communicator) -> tuple[str, dict]:
    frame = await communicator.receive_json_from()
    assert frame["type"] == "data"
    assert isinstance(frame["event"], str)
    return frame["id"], json.loads(frame["event"])


async def test_create_update_unpublish_and_delete_of_a_post_are_announced(author, author_cookie):
    listener = await _listening(author_cookie, "/subscriptions/posts")
    post = await database_sync_to_async(services.create_post)(
        author=author, title="Hello live", content="Body", published=True
    )
    subscription, created = await _event(listener)
    assert subscription == "s0"
    assert created["resource"] == "posts"
    assert created["type"] == "created"
    assert created["ids"] == [str(post.id)]
    assert created["data"]["title"] == "Hello live"
    assert "content" not in created["data"]

    await database_sync_to_async(services.update_post)(post=post, title="Hello again")
    assert (await _event(listener))[1]["type"] == "updated"
    await database_sync_to_async(services.update_post)(post=post, published=False)
    unpublished = (await _event(listener))[1]
    assert (unpublished["type"], unpublished["data"]) == ("deleted", {})
    await database_sync_to_async(services.update_post)(post=post, published=True)
    assert (await _event(listener))[1]["type"] == "created"
    post_id = str(post.id)
    await database_sync_to_async(services.delete_post)(post=post)
    deleted = (await _event(listener))[1]
    assert deleted == {
        "resource": "posts",
        "type": "deleted",
        "ids": [post_id],
        "data": {},
        "epoch": created["epoch"],
        "offset": 5,
    }
    assert await listener.receive_nothing()
    await listener.disconnect()


async def test_drafts_and_rolled_back_changes_are_never_announced(author, author_cookie):
    listener = await _listening(author_cookie, "/subscriptions/posts")
    await database_sync_to_async(services.create_post)(author=author, title="Draft")

    @database_sync_to_async
    def create_then_roll_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.create_post(author=author, title="Never", published=True)
            raise RuntimeError("roll back")

    await create_then_roll_back()
    assert await listener.receive_nothing()
    await listener.disconnect()


async def test_a_comment_reaches_its_channel_and_each_wildcard_subscription_once(
    author, reader, author_cookie, reader_cookie
):
    post = await database_sync_to_async(PostFactory)(author=author)
    # One socket subscribed to the post's channel, its namespace wildcard and the top one.
    listener = await _listening(
        author_cookie,
        f"/subscriptions/comments/{post.id}",
        "/subscriptions/comments/*",
        "/subscriptions/*",
        "/subscriptions/comments/*",
    )
    elsewhere = await _listening(reader_cookie, "/subscriptions/posts")
    comment = await database_sync_to_async(services.create_comment)(
        author=reader, post=post, content="First!"
    )
    received = sorted([await _event(listener) for _ in range(4)], key=lambda item: item[0])
    assert [subscription for subscription, _ in received] == ["s0", "s1", "s2", "s3"]
    assert {json.dumps(event, sort_keys=True) for _, event in received} == {
        json.dumps(
            {
                "resource": "comments",
                "type": "created",
                "ids": [str(comment.id)],
                "data": received[0][1]["data"],
                "epoch": received[0][1]["epoch"],
                "offset": 1,
            },
            sort_keys=True,
        )
    }
    assert received[0][1]["data"]["content"] == "First!"
    assert await listener.receive_nothing()
    assert await elsewhere.receive_nothing()
    await listener.disconnect()
    await elsewhere.disconnect()


async def test_an_unsubscribed_channel_stops_delivering(author, author_cookie):
    listener = await _listening(author_cookie, "/subscriptions/posts")
    await listener.send_json_to({"type": "unsubscribe", "id": "s0"})
    assert (await listener.receive_json_from())["type"] == "unsubscribe_success"
    await database_sync_to_async(services.create_post)(author=author, title="T", published=True)
    assert await listener.receive_nothing()
    await listener.disconnect()
