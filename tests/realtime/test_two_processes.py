"""Scale-out: two Daphne processes on one Redis channel layer and one database serve one site."""

import json
import os
import uuid

import pytest

from tests.realtime.servers import Site, ask, open_socket

pytestmark = [pytest.mark.asyncio, pytest.mark.redis]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return Site(tmp_path_factory.mktemp("two-process-site"), redis_url=os.environ["REDIS_URL"])


async def test_a_change_reaches_subscribers_on_every_process_once(site):
    cookie = site.signed_in_cookie("scale@example.com")
    with site.daphne() as server_a, site.daphne() as server_b:
        async with (
            await open_socket(server_a, cookie) as on_a,
            await open_socket(server_b, cookie) as on_b,
        ):
            for socket, channel in ((on_a, "/subscriptions/posts"), (on_b, "/subscriptions/*")):
                answer = await ask(socket, {"type": "subscribe", "id": "s", "channel": channel})
                assert answer == {"type": "subscribe_success", "id": "s"}
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


async def test_a_browser_gets_the_same_session_from_either_process(site):
    cookie = site.signed_in_cookie("tabs@example.com")
    client_uuid = str(uuid.uuid4())
    session_ids = []
    with site.daphne() as server_a, site.daphne() as server_b:
        for server in (server_a, server_b):
            async with await open_socket(server, cookie) as socket:
                channel = f"/trpc/session-request-{uuid.uuid4().hex[:8]}"
                await ask(socket, {"type": "subscribe", "id": "r", "channel": channel})
                event = json.dumps({"type": "session.request", "clientUuid": client_uuid})
                await ask(
                    socket, {"type": "publish", "id": "p", "channel": channel, "events": [event]}
                )
                session_ids.append(
                    json.loads(json.loads(await socket.recv())["event"])["sessionId"]
                )
    assert session_ids[0] == session_ids[1]
