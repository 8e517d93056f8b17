"""Scale-out: two Daphne processes on one Redis channel layer and one database serve one site."""

import json
import os
import uuid

import pytest

from chunking import codec
from tests.realtime.servers import (
    Site,
    ask,
    open_session_channel,
    open_socket,
    receive_answer,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.redis]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return Site(tmp_path_factory.mktemp("two-process-site"), redis_url=os.environ["REDIS_URL"])


@pytest.fixture(scope="module")
def servers(site):
    with site.serving() as server_a, site.serving() as server_b:
        yield server_a.ws_url, server_b.ws_url


async def test_a_change_reaches_subscribers_on_every_process_once(site, servers):
    server_a, server_b = servers
    cookie = site.signed_in_cookie("scale@example.com")
    async with (
        await open_socket(server_a, cookie) as on_a,
        await open_socket(server_b, cookie) as on_b,
    ):
        for socket, channel in ((on_a, "/subscriptions/posts"), (on_b, "/subscriptions/*")):
            answer = await ask(socket, {"type": "subscribe", "id": "s", "channel": channel})
            assert (answer["type"], answer["id"]) == ("subscribe_success", "s")
        post_id = site.shell(
            "from accounts.models import User; from blog.services import create_post\n"
            "author = User.objects.get(email='scale@example.com')\n"
            "print(create_post(author=author, title='Across', published=True).id)"
        )
        for socket in (on_a, on_b):
            frame = json.loads(await socket.recv())
            assert frame["type"] == "data"
            event = json.loads(frame["event"])
            assert (event["type"], event["ids"]) == ("created", [post_id])


async def test_a_post_created_over_the_socket_on_b_is_broadcast_to_a(site, servers):
    server_a, server_b = servers
    token = site.token("writer@example.com")
    async with (
        await open_socket(server_a, token=token, origin=False) as listener,
        await open_socket(server_b, token=token, origin=False) as writer,
    ):
        subscribed = await ask(
            listener, {"type": "subscribe", "id": "feed", "channel": "subscriptions/posts"}
        )
        assert subscribed["type"] == "subscribe_success"
        channel = await open_session_channel(writer)
        create = {
            "id": 1,
            "method": "mutation",
            "params": {"path": "post.create", "input": {"title": "Via B", "published": True}},
        }
        await ask(
            writer,
            {"type": "publish", "id": "p", "channel": channel, "events": [json.dumps(create)]},
        )
        answer, _, _ = await receive_answer(writer)
        frame = json.loads(await listener.recv())
        assert frame["id"] == "feed"
        event = json.loads(frame["event"])
        assert event["type"] == "created"
        assert event["ids"] == [answer["result"]["data"]["id"]]
        assert event["data"]["title"] == "Via B"


async def test_chunks_sent_half_to_each_process_make_one_message_answered_once(site, servers):
    server_a, server_b = servers
    token = site.token("halves@example.com")
    title = f"Halves {uuid.uuid4().hex[:6]}"
    content = "Half and half. " * 40_000
    create = {
        "id": "halves",
        "method": "mutation",
        "params": {"path": "post.create", "input": {"title": title, "content": content}},
    }
    chunks = codec.split(json.dumps(create))
    assert len(chunks) >= 4
    async with (
        await open_socket(server_a, token=token, origin=False) as tab_a,
        await open_socket(server_b, token=token, origin=False) as tab_b,
    ):
        channel = await open_session_channel(tab_a)
        subscribed = await ask(tab_b, {"type": "subscribe", "id": "calls", "channel": channel})
        assert subscribed["type"] == "subscribe_success"
        # Last chunks first, on B; the first half then completes the message on A.
        half = len(chunks) // 2
        for socket, part in ((tab_b, chunks[half:]), (tab_a, chunks[:half])):
            for chunk in part:
                frame = {
                    "type": "publish",
                    "id": f"c{chunk.chunk_index}",
                    "channel": channel,
                    "events": [json.dumps(chunk.to_event())],
                }
                acknowledged = await ask(socket, frame)
                assert acknowledged["successful"], acknowledged
        # Both tabs, on both processes, get the one answer.
        for socket in (tab_a, tab_b):
            answer, _, _ = await receive_answer(socket)
            assert answer["id"] == "halves"
            assert answer["result"]["data"]["title"] == title
    assert (
        site.shell(
            "from blog.models import Post; from chunking.models import MessageChunk\n"
            f"print(Post.objects.filter(title={title!r}).count(), MessageChunk.objects.count())"
        )
        == "1 0"
    )


async def test_a_browser_gets_the_same_session_from_either_process(site, servers):
    cookie = site.signed_in_cookie("tabs@example.com")
    client_uuid = str(uuid.uuid4())
    session_ids = []
    for server in servers:
        async with await open_socket(server, cookie) as socket:
            channel = f"/trpc/session-request-{uuid.uuid4().hex[:8]}"
            await ask(socket, {"type": "subscribe", "id": "r", "channel": channel})
            event = json.dumps({"type": "session.request", "clientUuid": client_uuid})
            await ask(socket, {"type": "publish", "id": "p", "channel": channel, "events": [event]})
            session_ids.append(json.loads(json.loads(await socket.recv())["event"])["sessionId"])
    assert session_ids[0] == session_ids[1]
