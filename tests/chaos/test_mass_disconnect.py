"""A thousand sockets that open and close at once leave no error in the server's log, and the
server goes on delivering to the next subscriber."""

import asyncio
import json

import pytest

from tests.chaos.site import WRITER, server_errors
from tests.realtime.servers import ask, open_socket

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SOCKETS = 1000
OPENING_AT_ONCE = 100  # connection attempts in flight together, as a burst of page loads


async def _subscribed_socket(url: str, token: str, gate: asyncio.Semaphore):
    async with gate:
        socket = await open_socket(url, token=token, origin=False)
        answer = await ask(
            socket, {"type": "subscribe", "id": "p", "channel": "/subscriptions/posts"}
        )
        assert answer["type"] == "subscribe_success", answer
        return socket


async def _open_then_close_all(url: str, token: str) -> None:
    gate = asyncio.Semaphore(OPENING_AT_ONCE)
    sockets = await asyncio.gather(*(_subscribed_socket(url, token, gate) for _ in range(SOCKETS)))
    await asyncio.gather(*(socket.close() for socket in sockets))


async def _next_post_arrives(url: str, token: str, publish) -> bool:
    socket = await open_socket(url, token=token, origin=False)
    try:
        await ask(socket, {"type": "subscribe", "id": "p", "channel": "/subscriptions/posts"})
        post_id = await asyncio.to_thread(publish)
        async with asyncio.timeout(5):
            while True:
                frame = json.loads(await socket.recv())
                if frame["type"] == "data" and post_id in json.loads(frame["event"])["ids"]:
                    return True
    finally:
        await socket.close()


def test_a_thousand_sockets_closing_at_once_log_no_error_and_delivery_goes_on(chaos_site):
    token = chaos_site.token(WRITER)

    def publish() -> str:
        return chaos_site.shell(
            "from accounts.models import User; from blog.services import create_post\n"
            f"author = User.objects.get(email={WRITER!r})\n"
            "print(create_post(author=author, title='After', content='x', published=True).id)"
        )

    with chaos_site.serving() as server:
        asyncio.run(_open_then_close_all(server.ws_url, token))
        delivered = asyncio.run(_next_post_arrives(server.ws_url, token, publish))
        errors = server_errors(server)

    assert delivered
    assert errors == []
