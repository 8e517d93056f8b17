"""Against a real Daphne process with the `websockets` client: the conversation as any
AppSync Events client has it, over TCP."""

import asyncio
import json
import uuid

import pytest

from tests.realtime.servers import Site, ask, open_socket

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return Site(tmp_path_factory.mktemp("e2e-site"))


@pytest.fixture(scope="module")
def server(site):
    with site.daphne() as url:
        yield url


async def test_a_client_opens_its_session_and_subscribes_over_real_daphne(site, server):
    cookie = site.signed_in_cookie("e2e-owner@example.com")
    async with await open_socket(server, cookie) as socket:
        assert socket.subprotocol == "aws-appsync-event-ws"
        channel = f"trpc/session-request-{uuid.uuid4().hex[:10]}"
        subscribed = await ask(socket, {"type": "subscribe", "id": "req", "channel": channel})
        assert subscribed == {"type": "subscribe_success", "id": "req"}
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
        assert own == {"type": "subscribe_success", "id": "s"}

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
