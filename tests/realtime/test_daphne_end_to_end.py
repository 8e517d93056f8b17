"""Against a real Daphne process with the `websockets` client: the conversation as any
AppSync Events client has it, over TCP."""

import asyncio
import json
import uuid

import pytest

from tests.realtime.servers import (
    Site,
    ask,
    open_session_channel,
    open_socket,
    publish_chunks,
    receive_answer,
)

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return Site(tmp_path_factory.mktemp("e2e-site"))


@pytest.fixture(scope="module")
def server(site):
    with site.serving() as server:
        yield server.ws_url


async def test_a_client_opens_its_session_and_subscribes_over_real_daphne(site, server):
    cookie = site.signed_in_cookie("e2e-owner@example.com")
    async with await open_socket(server, cookie) as socket:
        assert socket.subprotocol == "aws-appsync-event-ws"
        channel = f"trpc/session-request-{uuid.uuid4().hex[:10]}"
        subscribed = await ask(socket, {"type": "subscribe", "id": "req", "channel": channel})
        assert (subscribed["type"], subscribed["id"]) == ("subscribe_success", "req")
        client_uuid = str(uuid.uuid4())
        event = json.dumps({"type": "session.request", "clientUuid": client_uuid})
        published = await ask(
            socket, {"type": "publish", "id": "p", "channel": channel, "events": [event]}
        )
        assert published["successful"] == [{"identifier": "p-0", "index": 0}]
        answer = json.loads(await socket.recv())
        session_id = json.loads(answer["event"])["sessionId"]
        assert answer["id"] == "req"
        own = await ask(socket, {"type": "subscribe", "id": "s", "channel": f"/trpc/{session_id}"})
        assert (own["type"], own["id"]) == ("subscribe_success", "s")

    stored = site.shell(
        "from sessions_app.models import ClientSession\n"
        f"print(ClientSession.objects.get(session_id={session_id!r}).user.email)"
    )
    assert stored == "e2e-owner@example.com"

    intruder_cookie = site.signed_in_cookie("e2e-intruder@example.com")
    async with await open_socket(server, intruder_cookie) as intruder:
        refused = await ask(
            intruder, {"type": "subscribe", "id": "x", "channel": f"/trpc/{session_id}"}
        )
        assert refused["errors"][0]["errorType"] == "UnauthorizedException"


async def test_a_frame_over_the_limit_is_refused_and_the_socket_stays_open(site, server):
    cookie = site.signed_in_cookie("e2e-big@example.com")
    async with await open_socket(server, cookie) as socket:
        frame = {
            "type": "publish",
            "id": "big",
            "channel": "/trpc/session-request-1",
            "events": [json.dumps("z" * (300 * 1024))],
        }
        answer = await ask(socket, frame)
        assert answer["type"] == "publish_error"
        assert answer["errors"][0]["errorType"] == "LimitExceededException"
        assert await ask(socket, {"type": "subscribe", "id": "ok", "channel": "/subscriptions/*"})
        await asyncio.wait_for(socket.ping(), timeout=5)


async def test_without_credentials_operations_are_unauthorized(server):
    async with await open_socket(server) as socket:
        answer = await ask(
            socket, {"type": "subscribe", "id": "s", "channel": "/subscriptions/posts"}
        )
        assert answer["errors"][0]["errorType"] == "UnauthorizedException"
        assert answer["errors"][0]["errorCode"] == 401


MEBIBYTE = 2**20


async def test_a_1_mib_post_create_goes_up_in_chunks_and_its_post_comes_back_in_chunks(
    site, server
):
    token = site.token("e2e-chunks@example.com")
    async with await open_socket(server, token=token, origin=False) as socket:
        channel = await open_session_channel(socket)
        content = "Ink " * (MEBIBYTE // 4)
        create = {
            "id": "big-create",
            "method": "mutation",
            "params": {
                "path": "post.create",
                "input": {"title": "A megabyte", "content": content, "published": True},
            },
        }
        sent = await publish_chunks(socket, channel, create)
        assert sent == 7  # 1 MiB and the envelope, in chunks of 150 KiB of raw bytes
        created, frames, largest = await receive_answer(socket)
        assert created["id"] == "big-create"
        assert created["result"]["data"]["content"] == content
        assert frames > 1
        assert largest < 240 * 1024
        slug = created["result"]["data"]["slug"]

        read = {
            "id": 2,
            "method": "query",
            "params": {"path": "post.bySlug", "input": {"slug": slug}},
        }
        await ask(
            socket, {"type": "publish", "id": "q", "channel": channel, "events": [json.dumps(read)]}
        )
        answer, frames, largest = await receive_answer(socket)
        assert answer["id"] == 2
        assert answer["result"]["data"]["content"] == content
        assert frames >= 2 * sent  # content and its HTML: twice the size, twice the chunks
        assert largest < 240 * 1024
    # Processed once: one post, and no chunk left behind.
    assert (
        site.shell(
            "from blog.models import Post; from chunking.models import MessageChunk\n"
            "print(Post.objects.filter(title='A megabyte').count(), MessageChunk.objects.count())"
        )
        == "1 0"
    )


async def test_tokens_travel_in_the_subprotocol_and_the_cookie_needs_an_origin(site, server):
    token = site.token("e2e-token@example.com", "id")
    async with await open_socket(server, token=token, origin=False) as socket:
        channel = await open_session_channel(socket)
        me = {"id": "me", "method": "query", "params": {"path": "user.me"}}
        await ask(
            socket, {"type": "publish", "id": "p", "channel": channel, "events": [json.dumps(me)]}
        )
        answer, _, _ = await receive_answer(socket)
        assert answer["result"]["data"]["email"] == "e2e-token@example.com"
    cookie = site.signed_in_cookie("e2e-token@example.com")
    async with await open_socket(server, cookie, origin=False) as socket:
        answer = await ask(
            socket, {"type": "subscribe", "id": "s", "channel": "/subscriptions/posts"}
        )
        assert answer["errors"][0]["errorType"] == "UnauthorizedException"
