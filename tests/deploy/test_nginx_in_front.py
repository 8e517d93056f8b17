"""Two Daphne processes behind nginx with the deployment's configuration (deploy/nginx/), on one
PostgreSQL database and a channel layer sharded over two Redis "hosts" (REDIS_URLS; two
database numbers of the test Redis, each connection a shard): HTTP is balanced over both
processes, the /event/realtime WebSocket is upgraded through nginx, and a post published
through one process reaches subscribers of both."""

import asyncio
import contextlib
import json
import os
import shutil
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import requests

from bench.appsync import open_socket, subscribe
from bench.live_site import Nginx
from bench.vs_node import cpu_seconds
from tests.live_server import Site, fresh_postgres_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="needs nginx"),
]


def _two_shards(redis_url: str) -> list[str]:
    """``redis_url`` and the same server under the next database number: pub/sub ignores the
    number, so the second is another connection (a shard) and shares no names."""
    parts = urlsplit(redis_url)
    number = int(parts.path.lstrip("/") or 0)
    return [redis_url, urlunsplit(parts._replace(path=f"/{(number + 1) % 16}"))]


def _subscriber_connections(redis_url: str) -> dict[int, int]:
    """Subscriptions held per database number by the server's clients."""
    held: dict[int, int] = {}
    for client in redis.Redis.from_url(redis_url).client_list():
        held[int(client["db"])] = held.get(int(client["db"]), 0) + int(client["sub"])
    return held


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nginx-stack")
    site = Site(
        folder,
        DEBUG="true",
        DATABASE_URL=fresh_postgres_database(os.environ["DATABASE_URL"], suffix="nginx"),
        REDIS_URL=os.environ["REDIS_URL"],
        REDIS_URLS=",".join(_two_shards(os.environ["REDIS_URL"])),
        AUTH_PROXY_COUNT="1",
    )
    [site.author_token] = site.tokens("author@nginx.example")
    with contextlib.ExitStack() as running:
        processes = [running.enter_context(site.daphne()) for _ in range(2)]
        nginx = Nginx(folder / "nginx", [process.port for process in processes])
        running.callback(nginx.stop)
        site.url = nginx.http_url
        site.ws_url = nginx.http_url.replace("http://", "ws://")
        site.processes = processes
        yield site


def test_http_through_nginx_is_answered_by_both_processes(stack):
    cpu_before = [cpu_seconds(process.pid) for process in stack.processes]

    answers = [
        requests.get(f"{stack.url}/api/trpc/post.list?input=%7B%22limit%22%3A5%7D", timeout=30)
        for _ in range(40)
    ]

    assert {answer.status_code for answer in answers} == {200}
    # Round robin: each process did the work of about half the requests.
    assert all(
        cpu_seconds(process.pid) > before
        for process, before in zip(stack.processes, cpu_before, strict=True)
    )


def test_a_post_published_through_nginx_reaches_subscribers_on_both_processes(stack):
    async def conversation() -> list[dict]:
        # Round robin puts consecutive connections on different processes.
        sockets = [await open_socket(stack.ws_url, token=stack.author_token) for _ in range(2)]
        for socket in sockets:
            await subscribe(socket, "/subscriptions/posts")
        # Groups go to shards by a hash of their names: with a dozen more, both shards hold
        # some (all on one shard: a chance of 2 in 2**14).
        for number in range(12):
            await subscribe(sockets[0], f"/subscriptions/comments/{uuid.uuid4()}", f"c{number}")
        created = await asyncio.to_thread(
            requests.post,
            f"{stack.url}/api/trpc/post.create",
            json={"title": "Through nginx", "content": "Body.", "published": True},
            headers={"Authorization": f"Bearer {stack.author_token}"},
            timeout=30,
        )
        assert created.status_code == 200, created.text
        stack.subscriptions = _subscriber_connections(os.environ["REDIS_URL"])
        events = []
        for socket in sockets:
            while (frame := json.loads(await asyncio.wait_for(socket.recv(), 15)))[
                "type"
            ] != "data":
                pass
            events.append(json.loads(frame["event"]))
            await socket.close()
        return events

    events = asyncio.run(conversation())

    assert len(events) == 2
    assert all("Through nginx" in json.dumps(event) for event in events)
    # The processes' channels and groups are spread over both shards.
    shards = [int(urlsplit(url).path.lstrip("/")) for url in _two_shards(os.environ["REDIS_URL"])]
    assert all(stack.subscriptions.get(shard, 0) > 0 for shard in shards), stack.subscriptions
