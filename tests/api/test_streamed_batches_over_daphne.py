"""Streamed batches through a real Daphne process: chunked on the wire, and a client that hangs
up mid-stream leaves no queued calls behind (Daphne tells Django, which cancels the stream).

The site runs bench.jsonl_settings, whose ``bench.slow`` query holds a call thread for as long
as asked (bench/procedures.py)."""

import http.client
import json
import socket
import time
from urllib.parse import quote

import pytest

from tests.live_server import Site

STREAM = {"trpc-accept": "application/jsonl"}


def slow_batch(calls: int, milliseconds: int) -> str:
    inputs = {str(index): {"milliseconds": milliseconds} for index in range(calls)}
    return f"/api/trpc/{','.join(['bench.slow'] * calls)}?batch=1&input={quote(json.dumps(inputs))}"


@pytest.fixture
def server(tmp_path):
    site = Site(
        tmp_path, DJANGO_SETTINGS_MODULE="bench.jsonl_settings", API_TRPC_STREAM_THREADS="2"
    )
    with site.serving() as server:
        yield server


def test_a_streamed_answer_is_chunked_and_starts_before_its_calls_end(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(
            f"GET {slow_batch(1, 1000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "trpc-accept: application/jsonl\r\n\r\n".encode()
        )
        started = time.monotonic()
        first = client.recv(65536)
        while b'{"0":[[0],[null,0,0]]}\n' not in first:
            first += client.recv(65536)
        assert time.monotonic() - started < 0.9  # the head, while the call still runs
    head, _, _ = first.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"Transfer-Encoding: chunked" in head
    assert b"Content-Length" not in head


def test_a_client_that_hangs_up_leaves_no_queued_calls_behind(server):
    # Ten one-second calls on two threads: eight wait for a thread when the client leaves.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(
            f"GET {slow_batch(10, 1000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "trpc-accept: application/jsonl\r\n\r\n".encode()
        )
        assert client.recv(65536).startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", slow_batch(1, 0), headers=STREAM)
    body = connection.getresponse().read()
    waited = time.monotonic() - started
    assert body.endswith(b'[2,0,[[{"milliseconds":0}]]]\n')
    # The next batch waits only for the two calls already running (1 s), not for the eight
    # that were queued (4 s more): those never ran.
    assert waited < 3
