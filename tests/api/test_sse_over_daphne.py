"""Subscriptions over SSE through a real Daphne process: the head and the events as they go on the
wire, a post published by another client reaching the stream at once, and a client that cuts
its connection giving back its place in the cap and its channel-layer membership."""

import http.client
import json
import os
import socket
import time
from urllib.parse import quote

import pytest
import redis

from tests.live_server import Site

PREFIX = "inkwell-sse-daphne-test"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return Site(tmp_path_factory.mktemp("sse-site"), API_SSE_MAX_STREAMS_PER_USER="1")


@pytest.fixture(scope="module")
def server(site):
    with site.serving() as server:
        yield server


@pytest.fixture(scope="module")
def token(site):
    (token,) = site.tokens("sse-author@example.com")
    return token


def open_stream(port: int, path: str, headers: dict[str, str] | None = None) -> socket.socket:
    """A connection with ``GET /api/trpc/<path>`` sent as EventSource sends it."""
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    lines = [f"GET /api/trpc/{path} HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return client


def read_until(client: socket.socket, marker: bytes, received: bytes = b"") -> bytes:
    while marker not in received:
        part = client.recv(65536)
        assert part, f"closed before {marker!r}; got {received!r}"
        received += part
    return received


def publish(port: int, token: str, title: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = json.dumps({"title": title, "content": "Body", "published": True})
    connection.request(
        "POST",
        "/api/trpc/post.create",
        body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    answer = json.loads(connection.getresponse().read())
    return answer["result"]["data"]


def status_of(port: int, path: str, headers: dict[str, str]) -> int:
    with open_stream(port, path, headers) as client:
        head = read_until(client, b"\r\n\r\n")
    return int(head.split(b" ", 2)[1])


def open_when_free(port: int, path: str, headers: dict[str, str]) -> socket.socket:
    """An open stream of a caller whose earlier streams are closing: once their leases are
    back (Daphne noticing the hang-ups, then Django cancelling their streams)."""
    deadline = time.monotonic() + 5
    while True:
        client = open_stream(port, path, headers)
        received = read_until(client, b"\r\n\r\n")
        if received.startswith(b"HTTP/1.1 200"):
            read_until(client, b"event: connected", received)
            return client
        client.close()
        assert time.monotonic() < deadline, f"still refused: {received!r}"
        time.sleep(0.05)


def test_the_stream_goes_on_the_wire_as_trpc_sends_it_and_a_post_arrives_at_once(server, token):
    with open_stream(server.port, "post.onCreate") as client:
        received = read_until(client, b"event: connected")
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        assert lines[0] == b"HTTP/1.1 200 OK"
        headers = [line.lower() for line in lines[1:]]
        assert b"content-type: text/event-stream" in headers
        assert b"cache-control: no-cache, no-transform" in headers
        assert b"x-accel-buffering: no" in headers
        assert headers.count(b"connection: keep-alive") == 1
        assert b"transfer-encoding: chunked" in headers
        assert b"content-length" not in b"".join(headers)
        body = read_until(client, b"\n\n\n", body)
        assert b'event: connected\ndata: {"reconnectAfterInactivityMs":30000}\n\n\n' in body

        started = time.monotonic()
        post = publish(server.port, token, "Straight to the wire")
        body = read_until(client, post["id"].encode(), body)
        assert time.monotonic() - started < 1
        body = read_until(client, b"\n\n\n", body.partition(post["id"].encode())[2])
        assert b"\nid: " in body


def test_a_client_that_cuts_its_connection_gives_its_place_back(server, token):
    signed_in = {"Authorization": f"Bearer {token}"}
    first = open_stream(server.port, "post.onCreate", signed_in)
    read_until(first, b"event: connected")
    assert status_of(server.port, "post.onCreate", signed_in) == 429  # one stream per user
    first.close()  # mid-stream, as a closed tab
    open_when_free(server.port, "post.onCreate", signed_in).close()


def test_an_eventsource_without_headers_signs_in_with_connection_params(server, token):
    params = quote(json.dumps({"token": token}))
    path = f"post.onCreate?connectionParams={params}"
    with open_when_free(server.port, path, {}):
        # The same user (the cap of one): the token, not the address, was counted.
        assert status_of(server.port, path, {}) == 429
        assert status_of(server.port, "post.onCreate", {}) == 200


@pytest.mark.redis
def test_a_vanished_client_leaves_no_redis_subscription(tmp_path):
    site = Site(tmp_path, REDIS_URL=os.environ["REDIS_URL"], REDIS_PREFIX=PREFIX)
    watcher = redis.Redis.from_url(os.environ["REDIS_URL"])
    with site.serving() as server:
        client = open_stream(server.port, "post.onCreate")
        read_until(client, b"event: connected")
        assert watcher.pubsub_channels(f"{PREFIX}*")  # its channel and its group's
        client.close()
        deadline = time.monotonic() + 5
        while watcher.pubsub_channels(f"{PREFIX}*"):
            assert time.monotonic() < deadline, "the stream's subscriptions were left behind"
            time.sleep(0.05)
