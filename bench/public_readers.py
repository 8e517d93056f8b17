"""Signed-out readers with the public read key against signed-in readers (not a test: numbers).

    REDIS_URL=redis://127.0.0.1:6379/5 python bench/public_readers.py \\
        [--subscribers 2000] [--rounds 5] [--layer pubsub|core] [--together]

Starts a migrated site (SQLite file in a temporary STATE_DIR) and one Daphne process on Redis,
opens ``--subscribers`` sockets that subscribe to one published post's comments with the
site's public read key (AppSync's apiKey authorization), and has a writer add a comment over
HTTP (``comment.create``, the path a browser takes when its link is down): the time from
sending the comment until the last socket has its ``data`` frame. Then the same with as many
signed-in sockets (a JWT each), in the same run, on the same machine state: the ratio says
what the key's path costs on delivery. Also the time to connect and subscribe each set. With
``--together`` both sets are on the channel at once, joined alternately, and each set is timed
on the same comments (the steadier comparison on a shared machine). Prints
Markdown rows for bench/results/public_readers.md.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from websockets.exceptions import InvalidHandshake

# The project root replaces this script's folder, whose markdown.py would shadow the package
# that Django REST framework imports.
sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appsync import ask, open_socket
from bench.live_site import Site
from bench.realtime import (
    CONNECT_ATTEMPTS,
    CONNECT_BATCH,
    SETTLE_SECONDS,
    connected,
    raise_open_files_limit,
)


async def subscribed_socket(url: str, channel: str, **credentials: str):
    """A socket subscribed to ``channel`` with ``credentials`` (``token`` or ``api_key``)."""
    # On a loaded machine (2 cores shared) a handshake may time out, or Daphne may drop it when
    # the application does not accept within its 5 s: that socket tries again.
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            socket = await open_socket(url, **credentials)
            break
        except (TimeoutError, OSError, InvalidHandshake):
            if attempt == CONNECT_ATTEMPTS:
                raise
    answer = await ask(socket, {"type": "subscribe", "id": "s", "channel": channel})
    assert answer["type"] == "subscribe_success", answer
    return socket


async def subscribers(url: str, channel: str, count: int, **credentials: str) -> tuple[list, float]:
    """``count`` sockets subscribed to ``channel`` with ``credentials``, and the seconds it took
    to open and subscribe them all."""
    started = time.perf_counter()
    sockets = await connected(lambda: subscribed_socket(url, channel, **credentials), count)
    return sockets, time.perf_counter() - started


def write_comment(http_url: str, token: str, post_id: str, text: str) -> None:
    response = requests.post(
        f"{http_url}/api/trpc/comment.create",
        json={"postId": post_id, "content": text},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    response.raise_for_status()


async def arrivals(
    sockets: list, http_url: str, token: str, post_id: str, rounds: int
) -> list[list[float]]:
    """For each of ``rounds`` comments, the milliseconds from sending it until each socket (in
    ``sockets``' order) had it."""

    async def wait(socket) -> float:
        while json.loads(await socket.recv())["type"] != "data":
            pass
        return time.perf_counter()

    results = []
    for number in range(rounds):
        waiters = [asyncio.create_task(wait(socket)) for socket in sockets]
        await asyncio.sleep(0.2)  # every waiter is reading before the clock starts
        started = time.perf_counter()
        await asyncio.to_thread(write_comment, http_url, token, post_id, f"Round {number}")
        finished = await asyncio.wait_for(asyncio.gather(*waiters), timeout=120)
        results.append([(at - started) * 1000 for at in finished])
    return results


async def comment_delivery(
    sockets: list, http_url: str, token: str, post_id: str, rounds: int
) -> list[float]:
    """Milliseconds from sending each of ``rounds`` comments until the last socket has it."""
    return [max(times) for times in await arrivals(sockets, http_url, token, post_id, rounds)]


async def measure(
    url: str, channel: str, count: int, rounds: int, writer: str, post_id: str, **credentials
) -> tuple[list[float], float]:
    sockets, connect_seconds = await subscribers(url, channel, count, **credentials)
    await asyncio.sleep(SETTLE_SECONDS)
    http_url = url.replace("ws://", "http://")
    try:
        timings = await comment_delivery(sockets, http_url, writer, post_id, rounds)
    finally:
        await asyncio.gather(*(socket.close() for socket in sockets))
    await asyncio.sleep(SETTLE_SECONDS)  # the closed sockets' places are given back
    return timings, connect_seconds


async def measure_together(
    url: str, channel: str, count: int, rounds: int, writer: str, post_id: str, **both: str
) -> tuple[list[float], list[float]]:
    """Both sets on the channel at once, joined alternately (a public reader, a signed-in one,
    ...), so the same broadcasts reach both in an interleaved order: for each comment, the
    milliseconds until the last public reader had it, and until the last signed-in one had it."""
    kinds = [{"api_key": both["api_key"]}, {"token": both["token"]}]
    sockets: list = []
    for start in range(0, 2 * count, CONNECT_BATCH):  # CONNECT_BATCH is even: parity holds
        size = min(CONNECT_BATCH, 2 * count - start)
        sockets += await asyncio.gather(
            *(subscribed_socket(url, channel, **kinds[(start + n) % 2]) for n in range(size))
        )
    await asyncio.sleep(SETTLE_SECONDS)
    http_url = url.replace("ws://", "http://")
    try:
        rounds_times = await arrivals(sockets, http_url, writer, post_id, rounds)
    finally:
        await asyncio.gather(*(socket.close() for socket in sockets))
    for number, times in enumerate(rounds_times):
        print(
            f"<!-- comment {number}: half of each set had it after "
            f"{statistics.median(times[0::2]):.0f} ms (public key), "
            f"{statistics.median(times[1::2]):.0f} ms (signed in) -->"
        )
    return [max(times[0::2]) for times in rounds_times], [
        max(times[1::2]) for times in rounds_times
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--layer", choices=["pubsub", "core"], default="pubsub")
    parser.add_argument(
        "--together",
        action="store_true",
        help="both sets on the channel at once, joined alternately, timed on the same comments",
    )
    options = parser.parse_args()
    raise_open_files_limit()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-") as state_dir:
        site = Site(
            Path(state_dir),
            REDIS_URL=redis_url,
            REALTIME_CHANNEL_LAYER=options.layer,
            # Every socket comes from 127.0.0.1: the per-address rate would be the bench's limit.
            REALTIME_PUBLIC_KEY_ADDRESS_RATE="1000000/minute",
            REALTIME_PUBLIC_KEY_RATE="1000000/minute",
            API_THROTTLE_USER="1000000/minute",
        )
        writer, reader = site.tokens("writer@example.com", "reader@example.com")
        post_id, api_key = site.shell(
            "from accounts.models import User; from blog.services import create_post\n"
            "from realtime.public_read_keys import current_key\n"
            "author = User.objects.get(email='writer@example.com')\n"
            "print(create_post(author=author, title='Read by all', content='Hi.', published=True)"
            ".id)\n"
            "print(current_key().value)"
        ).splitlines()[-2:]
        channel = f"/subscriptions/comments/{post_id}"
        count, rounds = options.subscribers, options.rounds
        with site.daphne() as server:
            url = server.ws_url
            # A warm-up set, so first-connection costs fall in no figure.
            asyncio.run(measure(url, channel, CONNECT_BATCH, 1, writer, post_id, api_key=api_key))
            if options.together:
                public, signed_in = asyncio.run(
                    measure_together(
                        url, channel, count, rounds, writer, post_id, api_key=api_key, token=reader
                    )
                )
                public_connect = signed_in_connect = float("nan")  # not apart
            else:
                public, public_connect = asyncio.run(
                    measure(url, channel, count, rounds, writer, post_id, api_key=api_key)
                )
                print(f"<!-- public key: {[round(t) for t in public]}, {public_connect:.1f} s -->")
                signed_in, signed_in_connect = asyncio.run(
                    measure(url, channel, count, rounds, writer, post_id, token=reader)
                )
            errors = server.log_lines(" ERROR ", " WARNING ")
    public_median, signed_in_median = statistics.median(public), statistics.median(signed_in)
    together = "; both sets at once, joined alternately" if options.together else ""
    print(f"layer: {options.layer}; {count} subscribers, {rounds} comments each{together}")
    print("| subscribers | comment until the last has it, median (max) | connect + subscribe all |")
    print("|---|---|---|")
    print(
        f"| {count} signed out, public read key | {public_median:.0f} ms ({max(public):.0f} ms) "
        f"| {public_connect:.1f} s |"
    )
    print(
        f"| {count} signed in, JWT | {signed_in_median:.0f} ms ({max(signed_in):.0f} ms) "
        f"| {signed_in_connect:.1f} s |"
    )
    print(
        f"| public key / signed in | **{public_median / signed_in_median:.2f}x** "
        f"| {public_connect / signed_in_connect:.2f}x |"
    )
    print(f"<!-- all rounds, public: {[round(t) for t in public]} -->")
    print(f"<!-- all rounds, signed in: {[round(t) for t in signed_in]} -->")
    print(f"<!-- server log: {len(errors)} error/warning lines -->")
    for line in errors[:10]:
        print(f"<!-- {line[:200]} -->")


if __name__ == "__main__":
    main()
