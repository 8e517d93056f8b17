"""Realtime benchmarks against a real Daphne process (not tests: numbers, not assertions).

    REDIS_URL=redis://127.0.0.1:6379/3 python bench/realtime.py \
        [--layer pubsub|core] [--subscribers 1000] [--round-trips 500] [--mebibytes 5]

Starts a migrated site (SQLite file in a temporary STATE_DIR) and one Daphne process on the
chosen Redis layer, and drives it with the `websockets` client over TCP. Prints Markdown rows
for bench/README.md ("Realtime").
"""

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import requests

# The project root replaces this script's folder, whose markdown.py would shadow the package
# that Django REST framework imports.
sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appsync import ask, open_session_channel, open_socket, publish_chunks
from bench.live_site import Site


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


async def fan_out(url: str, token: str, subscribers: int, rounds: int) -> tuple[list[float], int]:
    """Milliseconds from one broadcast until the last of ``subscribers`` sockets has it."""
    import django

    django.setup()
    from realtime.broadcast import asend_event
    from realtime.groups import parse_channel_path

    sockets = []
    connect_started = time.perf_counter()
    for batch in range(0, subscribers, 50):
        opened = await asyncio.gather(
            *(open_socket(url, token=token) for _ in range(min(50, subscribers - batch)))
        )
        answers = await asyncio.gather(
            *(
                ask(s, {"type": "subscribe", "id": "s", "channel": "/subscriptions/posts"})
                for s in opened
            )
        )
        assert all(a["type"] == "subscribe_success" for a in answers), answers[:3]
        sockets.extend(opened)
    print(
        f"<!-- {subscribers} sockets connected and subscribed in "
        f"{time.perf_counter() - connect_started:.1f} s -->"
    )

    async def wait(socket) -> float:
        while json.loads(await socket.recv())["type"] != "data":
            pass
        return time.perf_counter()

    results = []
    path = parse_channel_path("/subscriptions/posts")
    for round_number in range(rounds):
        waiters = [asyncio.create_task(wait(s)) for s in sockets]
        await asyncio.sleep(0.2)  # every waiter is reading before the clock starts
        started = time.perf_counter()
        await asend_event(path, json.dumps({"bench": round_number}))
        finished = await asyncio.wait_for(asyncio.gather(*waiters), timeout=60)
        results.append((max(finished) - started) * 1000)
    await asyncio.gather(*(s.close() for s in sockets))
    return results, len(sockets)


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
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--fan-out-rounds", type=int, default=5)
    parser.add_argument("--round-trips", type=int, default=500)
    parser.add_argument("--mebibytes", type=int, default=5)
    options = parser.parse_args()
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

            timings, received = asyncio.run(
                fan_out(url, token, options.subscribers, options.fan_out_rounds)
            )
            print(
                f"| broadcast fan-out | {received} subscribers, {len(timings)} broadcasts | "
                f"median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms |"
            )
            errors = server.log_lines(" ERROR ", " WARNING ")
            print(f"<!-- server log: {len(errors)} error/warning lines -->")
            for line in errors[:10]:
                print(f"<!-- {line[:200]} -->")


if __name__ == "__main__":
    main()
