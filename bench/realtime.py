"""Realtime benchmarks against a real Daphne process (not tests: numbers, not assertions).

    python bench/realtime.py [--subscribers 1000] [--round-trips 500] [--mebibytes 5]

Needs REDIS_URL (the broadcast is sent from this process through the Redis layer, as a
service in another process would). Results are printed as Markdown rows for
bench/README-realtime.md.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.realtime.servers import Site, ask, open_socket


async def session_round_trips(url: str, cookie: str, count: int) -> list[float]:
    """Milliseconds from publishing a session request to its data frame."""
    async with await open_socket(url, cookie) as socket:
        channel = f"/trpc/session-request-{uuid.uuid4().hex[:8]}"
        await ask(socket, {"type": "subscribe", "id": "r", "channel": channel})
        timings = []
        for number in range(count):
            event = json.dumps({"type": "session.request", "clientUuid": str(uuid.uuid4())})
            started = time.perf_counter()
            await socket.send(
                json.dumps(
                    {"type": "publish", "id": f"p{number}", "channel": channel, "events": [event]}
                )
            )
            await socket.recv()  # publish_success
            await socket.recv()  # data
            timings.append((time.perf_counter() - started) * 1000)
        return timings


async def fan_out(url: str, cookie: str, subscribers: int, redis_url: str) -> tuple[float, int]:
    """Milliseconds from one group_send until the last of ``subscribers`` sockets has it."""
    os.environ["REDIS_URL"] = redis_url
    import django

    django.setup()
    from realtime.broadcast import asend_event
    from realtime.groups import parse_channel_path

    sockets = []
    for batch in range(0, subscribers, 100):
        opened = await asyncio.gather(
            *(open_socket(url, cookie) for _ in range(min(100, subscribers - batch)))
        )
        await asyncio.gather(
            *(
                ask(s, {"type": "subscribe", "id": "s", "channel": "/subscriptions/posts"})
                for s in opened
            )
        )
        sockets.extend(opened)
    received = 0

    async def wait(socket) -> float:
        nonlocal received
        while json.loads(await socket.recv())["type"] != "data":
            pass
        received += 1
        return time.perf_counter()

    waiters = [asyncio.create_task(wait(s)) for s in sockets]
    started = time.perf_counter()
    await asend_event(parse_channel_path("/subscriptions/posts"), json.dumps({"bench": True}))
    finished = await asyncio.wait_for(asyncio.gather(*waiters), timeout=60)
    await asyncio.gather(*(s.close() for s in sockets))
    return (max(finished) - started) * 1000, received


async def chunked_upload(url: str, cookie: str, mebibytes: int) -> tuple[float, int]:
    """Seconds to publish a message of ``mebibytes`` in chunks until the server processed it."""
    from chunking import codec

    async with await open_socket(url, cookie) as socket:
        channel = f"/trpc/session-request-{uuid.uuid4().hex[:8]}"
        await ask(socket, {"type": "subscribe", "id": "r", "channel": channel})
        event = json.dumps({"type": "session.request", "clientUuid": str(uuid.uuid4())})
        await ask(socket, {"type": "publish", "id": "p", "channel": channel, "events": [event]})
        session_id = json.loads(json.loads(await socket.recv())["event"])["sessionId"]
        await ask(socket, {"type": "subscribe", "id": "calls", "channel": f"/trpc/{session_id}"})
        call = {
            "id": 1,
            "method": "mutation",
            "params": {"path": "post.create", "input": {"content": "x" * (mebibytes << 20)}},
        }
        chunks = codec.split(json.dumps(call))
        started = time.perf_counter()
        for number, chunk in enumerate(chunks):
            answer = await ask(
                socket,
                {
                    "type": "publish",
                    "id": f"c{number}",
                    "channel": f"/trpc/{session_id}",
                    "events": [json.dumps(chunk.to_event())],
                },
            )
            assert answer["type"] == "publish_success" and answer["successful"], answer
        await socket.recv()  # the answer to the reassembled call
        return time.perf_counter() - started, len(chunks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--round-trips", type=int, default=500)
    parser.add_argument("--mebibytes", type=int, default=5)
    options = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-") as state_dir:
        site = Site(Path(state_dir), redis_url=redis_url)
        os.environ.update(site.env)
        cookie = site.signed_in_cookie("bench@example.com")
        with site.daphne() as url:
            timings = asyncio.run(session_round_trips(url, cookie, options.round_trips))
            quantiles = statistics.quantiles(timings, n=100)
            print(
                f"| session request round trip | {options.round_trips} | "
                f"p50 {quantiles[49]:.2f} ms, p99 {quantiles[98]:.2f} ms |"
            )
            elapsed, received = asyncio.run(fan_out(url, cookie, options.subscribers, redis_url))
            print(
                f"| broadcast fan-out | {received} subscribers | "
                f"last received after {elapsed:.1f} ms |"
            )
            seconds, chunks = asyncio.run(chunked_upload(url, cookie, options.mebibytes))
            print(
                f"| chunked upload {options.mebibytes} MiB | {chunks} chunks | "
                f"{seconds:.2f} s, {options.mebibytes / seconds:.1f} MiB/s, "
                f"{seconds / chunks * 1000:.1f} ms per chunk |"
            )


if __name__ == "__main__":
    main()
