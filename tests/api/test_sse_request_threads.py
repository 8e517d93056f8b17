"""Open subscription streams hold no request thread (api.subscription_streams), through a real
Daphne process: the thread a stream opened on is free again once the stream is under way, and
what a stream starts on the server's event loop (the relay) outlives it."""

import socket
import time
from pathlib import Path

import pytest

from tests.live_server import Site

STREAMS = 12


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    site = Site(
        tmp_path_factory.mktemp("sse-threads-site"),
        API_SSE_MAX_STREAMS_PER_ADDRESS=str(STREAMS + 5),
        REALTIME_RELAY_SWEEP_MS="100",
    )
    with site.serving() as server:
        yield server


def open_stream(port: int) -> socket.socket:
    """An anonymous EventSource's stream of new posts, returned once it is connected."""
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    client.sendall(
        b"GET /api/trpc/post.onCreate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Accept: text/event-stream\r\n\r\n"
    )
    received = b""
    while b"event: connected" not in received:
        part = client.recv(65536)
        assert part, f"closed before it was connected; got {received!r}"
        received += part
    assert received.startswith(b"HTTP/1.1 200"), received
    return client


def threads_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Threads:")).split()[1])


def test_the_first_stream_leaves_the_relay_sweeping_after_it_ends(server):
    # The process's first follower starts the relay. Started inside a request's thread context,
    # its sweeps failed once that request ended ("ThreadSensitiveContext has exited").
    open_stream(server.port).close()
    time.sleep(1)  # ten sweeps
    log = server.log.read_text(errors="replace")
    assert "The relay's sweep failed" not in log


def test_open_streams_hold_no_thread_each(server):
    warm = [open_stream(server.port) for _ in range(2)]  # the thread pools' first threads
    before = threads_of(server.process.pid)
    streams = [open_stream(server.port) for _ in range(STREAMS)]
    # Held by each stream, as Django's handler holds a request's thread, it would be 12 more.
    assert threads_of(server.process.pid) - before <= 2
    for client in warm + streams:
        client.close()
