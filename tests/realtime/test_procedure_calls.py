"""Procedure calls on the session channel: the registry's answers, matched by id, to every tab."""

import json
import uuid

import pytest
from channels.db import database_sync_to_async

from blog.models import Post
from tests.factories import PostFactory
from tests.realtime.conftest import call, connect, open_session, publish, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def _session_tab(cookie: str, client_uuid: uuid.UUID) -> tuple[object, str]:
    """A connection subscribed to its browser's session channel; (it, the channel)."""
    communicator = await connect(cookie)
    session_id = await open_session(communicator, client_uuid)
    channel = f"/trpc/{session_id}"
    assert (await subscribe(communicator, channel, "calls"))["type"] == "subscribe_success"
    return communicator, channel


def _query(path: str, input_: object, request_id: object = 1) -> dict:
    return {"id": request_id, "method": "query", "params": {"path": path, "input": input_}}


async def test_a_query_is_answered_on_the_channel_with_its_id(author_cookie, author):
    post = await database_sync_to_async(PostFactory)(author=author, slug="hello-world")
    communicator, channel = await _session_tab(author_cookie, uuid.uuid4())
    answer = await call(
        communicator, channel, _query("post.bySlug", {"slug": "hello-world"}, "q-7")
    )
    assert answer["id"] == "q-7"
    assert answer["result"]["type"] == "data"
    assert answer["result"]["data"]["id"] == str(post.id)
    assert answer["result"]["data"]["title"] == post.title
    # The request itself is not echoed: the answer was the only delivery.
    assert await communicator.receive_nothing()
    await communicator.disconnect()


async def test_two_tabs_of_a_session_both_receive_each_answer(author_cookie):
    client_uuid = uuid.uuid4()
    first, channel = await _session_tab(author_cookie, client_uuid)
    second, same_channel = await _session_tab(author_cookie, client_uuid)
    assert channel == same_channel
    mutation = {
        "id": 41,
        "method": "mutation",
        "params": {"path": "post.create", "input": {"title": "From tab one", "published": True}},
    }
    answer = await call(first, channel, mutation)
    other = await second.receive_json_from()
    assert other == {"type": "data", "id": "calls", "event": other["event"]}
    assert json.loads(other["event"]) == answer
    assert answer["id"] == 41
    assert answer["result"]["data"]["title"] == "From tab one"
    assert await database_sync_to_async(Post.objects.filter(title="From tab one").count)() == 1
    for communicator in (first, second):
        assert await communicator.receive_nothing()
        await communicator.disconnect()


async def test_several_calls_in_one_publish_are_answered_each_by_its_id(author_cookie, author):
    await database_sync_to_async(PostFactory)(author=author, slug="one")
    communicator, channel = await _session_tab(author_cookie, uuid.uuid4())
    acknowledged = await publish(
        communicator,
        channel,
        _query("post.bySlug", {"slug": "one"}, "a"),
        _query("post.bySlug", {"slug": "missing"}, "b"),
        _query("user.me", None, "c"),
    )
    assert [item["index"] for item in acknowledged["successful"]] == [0, 1, 2]
    answers = {}
    for _ in range(3):
        answer = json.loads((await communicator.receive_json_from())["event"])
        answers[answer["id"]] = answer
    assert answers["a"]["result"]["data"]["slug"] == "one"
    assert answers["b"]["error"]["data"]["code"] == "NOT_FOUND"
    assert answers["c"]["result"]["data"]["email"] == "author@example.com"
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("request_", "code", "http_status"),
    [
        (_query("post.bySlug", {}, 3), "BAD_REQUEST", 400),
        (_query("post.nothing", {}, 3), "NOT_FOUND", 404),
        ({"id": 3, "method": "mutation", "params": {"path": "post.list", "input": {}}}, "", 405),
        ({"id": 3, "method": "subscribe", "params": {"path": "post.list"}}, "", 405),
        ({"id": 3, "method": "query", "params": "post.list"}, "BAD_REQUEST", 400),
        ({"method": "query", "params": {"path": "post.list"}}, "BAD_REQUEST", 400),
        ([1, 2, 3], "BAD_REQUEST", 400),
        (json.dumps("a string"), "BAD_REQUEST", 400),
    ],
)
async def test_bad_requests_get_trpc_errors_and_the_connection_stays_open(
    author_cookie, request_, code, http_status
):
    communicator, channel = await _session_tab(author_cookie, uuid.uuid4())
    answer = await call(communicator, channel, request_)
    assert answer["id"] == (request_.get("id") if isinstance(request_, dict) else None)
    assert answer["error"]["data"]["httpStatus"] == http_status
    assert not code or answer["error"]["data"]["code"] == code
    assert isinstance(answer["error"]["code"], int)
    # Still open and answering.
    assert "result" in await call(communicator, channel, _query("post.list", {"limit": 1}, 4))
    await communicator.disconnect()


async def test_invalid_input_names_the_fields(author_cookie):
    communicator, channel = await _session_tab(author_cookie, uuid.uuid4())
    mutation = {"id": 1, "method": "mutation", "params": {"path": "post.create", "input": {}}}
    answer = await call(communicator, channel, mutation)
    assert answer["error"]["data"]["code"] == "BAD_REQUEST"
    assert "title" in answer["error"]["data"]["fieldErrors"]
    await communicator.disconnect()


async def test_access_rules_are_the_same_as_over_http(author, stranger_cookie):
    post = await database_sync_to_async(PostFactory)(author=author, title="Not yours")
    draft = await database_sync_to_async(PostFactory)(author=author, slug="secret", published=False)
    communicator, channel = await _session_tab(stranger_cookie, uuid.uuid4())
    for verb, input_ in (("update", {"id": str(post.id), "title": "Mine"}), ("delete", {})):
        mutation = {
            "id": verb,
            "method": "mutation",
            "params": {"path": f"post.{verb}", "input": input_ | {"id": str(post.id)}},
        }
        answer = await call(communicator, channel, mutation)
        assert answer["error"]["data"]["code"] in ("FORBIDDEN", "NOT_FOUND")
    hidden = await call(communicator, channel, _query("post.bySlug", {"slug": draft.slug}))
    assert hidden["error"]["data"]["code"] == "NOT_FOUND"
    assert await database_sync_to_async(Post.objects.get)(pk=post.pk) == post
    assert (await database_sync_to_async(Post.objects.get)(pk=post.pk)).title == "Not yours"
    await communicator.disconnect()


async def test_a_superjson_input_gets_a_superjson_answer(author_cookie):
    communicator, channel = await _session_tab(author_cookie, uuid.uuid4())
    answer = await call(communicator, channel, _query("post.list", {"json": {"limit": 1}}))
    assert set(answer["result"]["data"]) >= {"json"}
    assert "items" in answer["result"]["data"]["json"]
    await communicator.disconnect()


async def test_an_event_that_is_not_json_is_listed_as_failed_and_the_rest_answered(
    author_cookie,
):
    communicator, channel = await _session_tab(author_cookie, uuid.uuid4())
    acknowledged = await publish(
        communicator, channel, "{not json", _query("post.list", {"limit": 1}, "ok")
    )
    assert acknowledged["successful"] == [{"identifier": "pub-1-1", "index": 1}]
    assert acknowledged["failed"][0]["index"] == 0
    assert acknowledged["failed"][0]["code"] == 400
    answer = json.loads((await communicator.receive_json_from())["event"])
    assert answer["id"] == "ok"
    assert await communicator.receive_nothing()
    await communicator.disconnect()
