"""Realtime benchmarks against a real Daphne process (not tests: numbers, not assertions).

    REDIS_URL=redis://127.0.0.1:6379/3 python bench/realtime.py \
        [--layer pubsub|core] [--subscribers 1000,5000] [--fan-out-rounds 5] \
        [--round-trips 500] [--mebibytes 5]

Starts a migrated site (SQLite file in a temporary STATE_DIR) and one Daphne process on the
chosen Redis layer, and drives it with the `websockets` client over TCP. Each figure has a
peer measured in the same run, on the same loaded machine: the session channel's round trip
the same call over HTTP; fan-out and idle-socket memory a bare `websockets` server
(bench/peers/ws_broadcast.py) driven by the same client. Prints Markdown rows for
bench/README.md ("Realtime").
"""

import argparse
import asyncio
import base64
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path

import requests

# The project root replaces this script's folder, whose markdown.py would shadow the package
# that Django REST framework imports.
sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import websockets

from bench.appsync import ask, open_session_channel, open_socket, publish_chunks
from bench.live_site import ROOT, Site, free_port, wait_for_port

CONNECT_BATCH = 50
CONNECT_ATTEMPTS = 3
SETTLE_SECONDS = 2.0


def percentiles(timings: list[float]) -> str:
    cuts = statistics.quantiles(timings, n=100)
    return f"p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms"


async def procedure_round_trips(url: str, token: str, slug: str, count: int) -> list[float]:
    """Milliseconds from publishing a post.bySlug call to its answer on the session channel."""
    async with await open_socket(url, token=token) as socket:
        channel = await open_session_channel(socket)
        timings = []
        for number in range(count):
            request = {
                "id": number,
                "method": "query",
                "params": {"path": "post.bySlug", "input": {"slug": slug}},
            }
            frame = {
                "type": "publish",
                "id": "p",
                "channel": channel,
                "events": [json.dumps(request)],
            }
            started = time.perf_counter()
            await socket.send(json.dumps(frame))
            await socket.recv()  # publish_success
            await socket.recv()  # the answer
            timings.append((time.perf_counter() - started) * 1000)
        return timings


def http_round_trips(url: str, token: str, slug: str, count: int) -> list[float]:
    """The same call over HTTP (one kept-alive connection, the same JWT)."""
    base = url.replace("ws://", "http://")
    query = urllib.parse.quote(json.dumps({"slug": slug}))
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            response = session.get(f"{base}/api/trpc/post.bySlug?input={query}", timeout=10)
            response.raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
        return timings


def rss_kib(pid: int) -> int:
    """A process's resident memory now (``VmRSS``), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


async def connected(connect: Callable[[], Awaitable], count: int) -> list:
    """``count`` sockets from ``connect``, opened CONNECT_BATCH at a time."""
    sockets: list = []
    for batch in range(0, count, CONNECT_BATCH):
        sockets += await asyncio.gather(
            *(connect() for _ in range(min(CONNECT_BATCH, count - batch)))
        )
    return sockets


async def fan_out(
    sockets: list, broadcast: Callable[[str], Awaitable[None]], rounds: int
) -> list[float]:
    """Milliseconds from each of ``rounds`` broadcasts until the last socket has its frame."""

    async def wait(socket) -> float:
        while json.loads(await socket.recv())["type"] != "data":
            pass
        return time.perf_counter()

    results = []
    for round_number in range(rounds):
        waiters = [asyncio.create_task(wait(s)) for s in sockets]
        await asyncio.sleep(0.2)  # every waiter is reading before the clock starts
        started = time.perf_counter()
        await broadcast(json.dumps({"bench": round_number}))
        finished = await asyncio.wait_for(asyncio.gather(*waiters), timeout=120)
        results.append((max(finished) - started) * 1000)
    return results


async def inkwell_fan_out(url: str, token: str, pid: int, subscribers: int, rounds: int):
    """Fan-out timings to ``subscribers`` sockets subscribed to /subscriptions/posts, and the
    server's memory per idle subscribed socket (KiB)."""
    import django

    django.setup()
    from realtime.broadcast import asend_event
    from realtime.groups import parse_channel_path

    async def subscriber():
        socket = await open_socket(url, token=token)
        answer = await ask(
            socket, {"type": "subscribe", "id": "s", "channel": "/subscriptions/posts"}
        )
        assert answer["type"] == "subscribe_success", answer
        return socket

    path = parse_channel_path("/subscriptions/posts")
    warm = await connected(subscriber, CONNECT_BATCH)  # first-connection costs out of the count
    await asyncio.sleep(SETTLE_SECONDS)
    before = rss_kib(pid)
    connect_started = time.perf_counter()
    sockets = await connected(subscriber, subscribers)
    connect_seconds = time.perf_counter() - connect_started
    await asyncio.sleep(SETTLE_SECONDS)
    per_socket = (rss_kib(pid) - before) / subscribers
    timings = await fan_out(warm + sockets, lambda event: asend_event(path, event), rounds)
    await asyncio.gather(*(s.close() for s in warm + sockets))
    print(f"<!-- {subscribers} sockets connected and subscribed in {connect_seconds:.1f} s -->")
    return timings, per_socket


async def peer_fan_out(url: str, pid: int, subscribers: int, rounds: int):
    """The same measurements on the bare `websockets` peer."""

    async def subscriber():
        return await websockets.connect(url, compression=None, max_size=2**20)

    warm = await connected(subscriber, CONNECT_BATCH)
    await asyncio.sleep(SETTLE_SECONDS)
    before = rss_kib(pid)
    sockets = await connected(subscriber, subscribers)
    await asyncio.sleep(SETTLE_SECONDS)
    per_socket = (rss_kib(pid) - before) / subscribers
    async with websockets.connect(url, compression=None) as control:
        timings = await fan_out(warm + sockets, control.send, rounds)
    await asyncio.gather(*(s.close() for s in warm + sockets))
    return timings, per_socket


def peer_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [sys.executable, str(ROOT / "bench" / "peers" / "ws_broadcast.py"), str(port)]
    )
    wait_for_port(port, process, "the websockets peer")
    return process, f"ws://127.0.0.1:{port}"


def raise_open_files_limit() -> None:
    """Thousands of sockets at each end: as many descriptors as the hard limit allows (the
    servers started afterwards inherit it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _join(parts: dict[int, str]) -> bytes:
    return b"".join(base64.b64decode(parts[index]) for index in sorted(parts))


async def chunked_round_trip(url: str, token: str, mebibytes: int) -> dict[str, float]:
    """A post.create of ``mebibytes`` (3-byte characters, under the 2 Mi-character limit) sent
    in chunks, its answer (content and HTML: twice the size) received in chunks."""
    async with await open_socket(url, token=token) as socket:
        channel = await open_session_channel(socket)
        content = "€" * ((mebibytes << 20) // 3)
        call = {
            "id": 1,
            "method": "mutation",
            "params": {"path": "post.create", "input": {"title": "Big", "content": content}},
        }
        up_bytes = len(json.dumps(call, ensure_ascii=False).encode())
        started = time.perf_counter()
        up_chunks = await publish_chunks(socket, channel, call)
        uploaded = time.perf_counter()
        parts: dict[int, str] = {}
        first = None
        down_frames = 0
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] != "data":
                continue
            first = first or time.perf_counter()
            down_frames += 1
            event = json.loads(frame["event"])
            parts[event["chunkIndex"]] = event["data"]
            if len(parts) == event["totalChunks"]:
                break
        finished = time.perf_counter()
        answer = json.loads(_join(parts))
        assert answer["result"]["data"]["content"] == content
        down_bytes = len(_join(parts))
    return {
        "up_mib": up_bytes / 2**20,
        "up_chunks": up_chunks,
        "up_s": uploaded - started,
        "process_s": first - uploaded,
        "down_mib": down_bytes / 2**20,
        "down_chunks": down_frames,
        "down_s": finished - first,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--layer", choices=["pubsub", "core"], default="pubsub")
    parser.add_argument("--subscribers", default="1000,5000", help="comma-separated counts")
    parser.add_argument("--fan-out-rounds", type=int, default=5)
    parser.add_argument("--round-trips", type=int, default=500)
    parser.add_argument("--mebibytes", type=int, default=5)
    parser.add_argument(
        "--plot", type=Path, help="draw fan-out time and memory against subscribers (PNG)"
    )
    options = parser.parse_args()
    raise_open_files_limit()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-") as state_dir:
        site = Site(Path(state_dir), REDIS_URL=redis_url, REALTIME_CHANNEL_LAYER=options.layer)
        # fan_out broadcasts from this process: it must be the same site as the server, down
        # to the Redis prefix, which derives from the database (so no DATABASE_URL of ours).
        os.environ.clear()
        os.environ.update(site.env)
        (token,) = site.tokens("bench@example.com")
        slug = site.shell(
            "from accounts.models import User; from blog.services import create_post\n"
            "author = User.objects.get(email='bench@example.com')\n"
            "print(create_post(author=author, title='Small', content='Short.', published=True)"
            ".slug)"
        )
        with site.daphne() as server:
            url = server.ws_url
            print(f"layer: {options.layer}")
            ws, http = [], []
            for _ in range(5):  # alternate, so both see the same machine state
                ws += asyncio.run(procedure_round_trips(url, token, slug, options.round_trips // 5))
                http += http_round_trips(url, token, slug, options.round_trips // 5)
            print(f"| post.bySlug over the session channel | {len(ws)} | {percentiles(ws)} |")
            print(
                f"| post.bySlug over HTTP (GET, keep-alive) | {len(http)} | {percentiles(http)} |"
            )
            ratio = statistics.median(ws) / statistics.median(http)
            print(f"| session channel / HTTP, p50 | | **{ratio:.2f}x** |")

            result = asyncio.run(chunked_round_trip(url, token, options.mebibytes))
            print(
                f"| chunked upload | {result['up_mib']:.1f} MiB, {result['up_chunks']} chunks | "
                f"{result['up_s']:.2f} s, {result['up_mib'] / result['up_s']:.1f} MiB/s, "
                f"{result['up_s'] / result['up_chunks'] * 1000:.1f} ms per chunk |"
            )
            print(f"| processing (reassemble, create, render) | | {result['process_s']:.2f} s |")
            print(
                f"| chunked answer | {result['down_mib']:.1f} MiB, {result['down_chunks']} chunks "
                f"| {result['down_s']:.2f} s, {result['down_mib'] / result['down_s']:.1f} MiB/s, "
                f"{result['down_s'] / result['down_chunks'] * 1000:.1f} ms per chunk |"
            )

            peer, peer_url = peer_server()
            curve: list[tuple[int, float, float, float, float]] = []
            try:
                for count in (int(n) for n in options.subscribers.split(",")):
                    rounds = options.fan_out_rounds
                    timings, memory = asyncio.run(
                        inkwell_fan_out(url, token, server.pid, count, rounds)
                    )
                    peer_timings, peer_memory = asyncio.run(
                        peer_fan_out(peer_url, peer.pid, count, rounds)
                    )
                    median, peer_median = (
                        statistics.median(timings),
                        statistics.median(peer_timings),
                    )
                    print(
                        f"| broadcast fan-out | {count} subscribers, {rounds} broadcasts | "
                        f"median {median:.0f} ms, max {max(timings):.0f} ms | "
                        f"peer median {peer_median:.0f} ms, max {max(peer_timings):.0f} ms | "
                        f"{median / peer_median:.2f}x |"
                    )
                    curve.append((count, median, peer_median, memory, peer_memory))
                    print(
                        f"| idle subscribed socket, server RSS | {count} sockets | "
                        f"{memory:.1f} KiB per socket | peer {peer_memory:.1f} KiB | "
                        f"{memory / peer_memory:.2f}x |"
                    )
            finally:
                peer.terminate()
                peer.wait(timeout=10)
            if options.plot and curve:
                plot_fan_out(curve, options.plot)
            errors = server.log_lines(" ERROR ", " WARNING ")
            print(f"<!-- server log: {len(errors)} error/warning lines -->")
            for line in errors[:10]:
                print(f"<!-- {line[:200]} -->")


def plot_fan_out(curve: list[tuple[int, float, float, float, float]], path: Path) -> None:
    """Fan-out time (median) and server memory per idle socket against the number of
    subscribers, Inkwell beside the bare websockets peer, with issue 12's goals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = [point[0] for point in curve]
    figure, (timing, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    timing.plot(counts, [p[1] for p in curve], "o-", label="Inkwell (Daphne)")
    timing.plot(counts, [p[2] for p in curve], "s--", label="bare websockets peer")
    timing.plot([1000, 5000], [70, 400], "x", color="grey", label="goal")
    timing.set_xlabel("subscribers")
    timing.set_ylabel("ms until the last socket has the event (median)")
    timing.legend(fontsize=8)
    memory.plot(counts, [p[3] for p in curve], "o-", label="Inkwell (Daphne)")
    memory.plot(counts, [p[4] for p in curve], "s--", label="bare websockets peer")
    memory.axhline(20, color="grey", linewidth=0.8, label="goal: 20 KiB")
    memory.set_xlabel("idle subscribed sockets")
    memory.set_ylabel("server RSS per socket (KiB)")
    memory.set_ylim(bottom=0)
    memory.legend(fontsize=8)
    figure.suptitle("Broadcast fan-out and idle-socket memory against subscribers")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
