"""The event log's cost and what it buys (not tests: numbers, not assertions).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inkwell_bench \
    REDIS_URL=redis://127.0.0.1:6379/3 python bench/event_log.py [--creates 600] \
        [--events 1000] [--subscribers 1000] [--rounds 6] [--profile-creates 300]

Makes a fresh database ``<name>_event_log`` beside DATABASE_URL's and one site on it (the Redis
pub/sub layer, the per-user rate limit out of the way), then in one run:

- **post.create with and without the log**: ``POST /api/trpc/post.create`` (a published post,
  600 characters of Markdown, JWT, one kept-alive connection per server) against two Daphne
  processes of the site: one as deployed, one serving ``bench.event_log_off:application``, the
  same code without the log's two statements (the channel head's upsert and the event's insert,
  one statement in the write's transaction; the fast path's ``mark_relayed`` UPDATE after the
  commit). ``--rounds`` rounds of ``--creates / --rounds`` calls to each, the order swapped
  every round, after a warm-up.
- **replay**: one client subscribes with ``since`` offset 0 to a channel holding ``--events``
  comment events (written first through ``blog.services.create_comment``), until the last one
  is received; ``--rounds`` times.
- **fan-out with offsets**: ``--subscribers`` sockets subscribed to /subscriptions/posts; a
  logged announcement (committed in this process through the log and published by the fast
  path; every subscription orders it by offset) against bench/realtime.py's measure, an
  unlogged ``asend_event`` to the same sockets; ``--rounds`` of each, alternating.
- **where post.create's time goes**: ``--profile-creates`` requests in this process (Django's
  test client, in a thread as Daphne runs a view), once with the log's two calls timed and
  once under cProfile.

Prints Markdown for bench/results/event_log.md.
"""

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

# The project root replaces this script's folder, whose markdown.py would shadow the package
# that Django REST framework imports.
sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appsync import ask, open_socket
from bench.live_site import ROOT, Site, free_port, fresh_postgres_database, stop, wait_for_port
from bench.realtime import connected, fan_out, raise_open_files_limit

POSTS = "/subscriptions/posts"
CONTENT = (
    "A short post about **durable events**, with a [link](https://example.com) and a list:\n\n"
    + "".join(f"- item {n}: offsets, epochs and a relay that catches up\n" for n in range(8))
    + "\nAnd a closing paragraph, long enough to be a real post's first screen of text."
)[:600]
WARM_UP = 20
SETTLE_SECONDS = 2.0


def cuts(timings: list[float]) -> str:
    quantiles = statistics.quantiles(timings, n=100)
    return f"{quantiles[49]:.2f} ms | {quantiles[89]:.2f} ms | {quantiles[98]:.2f} ms"


async def in_a_thread(function: Callable[..., Any], *args: Any) -> Any:
    """Run sync ORM code as Daphne runs a view: in the one sync thread, the fast path's publish
    going back to this loop's channel layer."""
    from channels.db import database_sync_to_async

    return await database_sync_to_async(function)(*args)


@contextlib.contextmanager
def daphne_without_log(site: Site) -> Iterator[str]:
    """A Daphne process of ``site`` serving bench.event_log_off:application; its HTTP URL."""
    port = free_port()
    command = [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port)]
    with (site.state_dir / f"daphne-{port}.log").open("a") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [*command, "bench.event_log_off:application"],
            cwd=ROOT,
            env=site.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, "Daphne without the event log")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


# --- post.create with and without the log ------------------------------------------------


def create_posts(session: requests.Session, url: str, count: int) -> list[float]:
    """Milliseconds per ``post.create`` of a published post, one after the other."""
    timings = []
    for _ in range(count):
        body = {"title": "Bench post", "content": CONTENT, "published": True}
        started = time.perf_counter()
        answer = session.post(f"{url}/api/trpc/post.create", json=body, timeout=30)
        timings.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return timings


def post_create_cost(urls: dict[str, str], token: str, creates: int, rounds: int) -> None:
    per_round = max(1, creates // rounds)
    timings: dict[str, list[float]] = {variant: [] for variant in urls}
    sessions = {variant: requests.Session() for variant in urls}
    try:
        for variant, session in sessions.items():
            session.headers["Authorization"] = f"Bearer {token}"
            create_posts(session, urls[variant], WARM_UP)
        for round_number in range(rounds):
            order = list(urls) if round_number % 2 == 0 else list(reversed(urls))
            for variant in order:
                timings[variant] += create_posts(sessions[variant], urls[variant], per_round)
    finally:
        for session in sessions.values():
            session.close()
    with_log, without_log = timings["with the log"], timings["without"]
    print("| post.create over HTTP | calls | p50 | p90 | p99 | mean |")
    print("|---|---|---|---|---|---|")
    for variant, made in timings.items():
        print(f"| {variant} | {len(made)} | {cuts(made)} | {statistics.mean(made):.2f} ms |")
    ratio = statistics.median(with_log) / statistics.median(without_log)
    mean_ratio = statistics.mean(with_log) / statistics.mean(without_log)
    print(f"| **with / without** | | **{ratio:.3f}x** | | | {mean_ratio:.3f}x |")


# --- Replay --------------------------------------------------------------------------------


def seed_comment_events(count: int) -> tuple[str, str]:
    """A published post with ``count`` comments, each an event on its channel; the channel and
    its epoch."""
    from accounts.models import User
    from blog.announcements import comments_channel
    from blog.services import create_comment, create_post
    from realtime.event_log import head

    author = User.objects.get(email="bench@example.com")
    post = create_post(author=author, title="Replayed", content=CONTENT, published=True)
    for number in range(count):
        create_comment(author=author, post=post, content=f"Comment {number}: {CONTENT[:200]}")
    channel = comments_channel(post.id)
    position = head(channel)
    assert position is not None and position.offset == count
    return channel, position.epoch


async def replay(ws_url: str, token: str, channel: str, epoch: str, count: int) -> float:
    """Seconds from a subscribe with since offset 0 to the last recovered event."""
    async with await open_socket(ws_url, token=token) as socket:
        frame = {
            "type": "subscribe",
            "id": "r",
            "channel": channel,
            "since": {"epoch": epoch, "offset": 0},
        }
        started = time.perf_counter()
        await socket.send(json.dumps(frame))
        answer = json.loads(await socket.recv())
        assert answer.get("recovered") is True, answer
        offsets = []
        while len(offsets) < count:
            received = json.loads(await socket.recv())
            if received["type"] == "data":
                offsets.append(json.loads(received["event"])["offset"])
        finished = time.perf_counter()
    assert offsets == list(range(1, count + 1))
    return finished - started


async def replay_throughput(ws_url: str, token: str, count: int, rounds: int) -> None:
    channel, epoch = await in_a_thread(seed_comment_events, count)
    seconds = [await replay(ws_url, token, channel, epoch, count) for _ in range(rounds)]
    median = statistics.median(seconds)
    print(
        f"| replay: subscribe with since 0, {count} events | {rounds} | "
        f"median {median * 1000:.0f} ms, **{count / median:,.0f} events/s** "
        f"(best {count / min(seconds):,.0f}, worst {count / max(seconds):,.0f}) |"
    )


# --- Fan-out with offsets ------------------------------------------------------------------


def announce_logged(event: str) -> None:
    from django.db import transaction

    from realtime.broadcast import Change, announce

    with transaction.atomic():
        announce(Change(POSTS, "posts", "created", ["bench"], {"bench": event}))


async def fan_out_with_offsets(ws_url: str, token: str, subscribers: int, rounds: int) -> None:
    from realtime.broadcast import asend_event
    from realtime.groups import parse_channel_path

    path = parse_channel_path(POSTS)

    async def subscriber() -> Any:
        socket = await open_socket(ws_url, token=token)
        answer = await ask(socket, {"type": "subscribe", "id": "s", "channel": POSTS})
        assert answer["type"] == "subscribe_success", answer
        return socket

    async def logged(event: str) -> None:
        await in_a_thread(announce_logged, event)

    async def unlogged(event: str) -> None:
        await asend_event(path, event)

    sockets = await connected(subscriber, subscribers)
    await asyncio.sleep(SETTLE_SECONDS)
    kinds = {"logged, with offsets": logged, "unlogged (bench/realtime.py)": unlogged}
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    try:
        for round_number in range(rounds):
            order = list(kinds) if round_number % 2 == 0 else list(reversed(kinds))
            for kind in order:
                timings[kind] += await fan_out(sockets, kinds[kind], 1)
    finally:
        await asyncio.gather(*(socket.close() for socket in sockets))
    for kind, made in timings.items():
        print(
            f"| fan-out to {subscribers}: {kind} | {rounds} | median "
            f"{statistics.median(made):.0f} ms, max {max(made):.0f} ms |"
        )
    ratio = statistics.median(timings["logged, with offsets"]) / statistics.median(
        timings["unlogged (bench/realtime.py)"]
    )
    print(f"| fan-out: logged / unlogged, medians | | **{ratio:.2f}x** |")


# --- Where post.create's time goes ---------------------------------------------------------


def requests_in_process(token: str, count: int) -> Callable[[], float]:
    """A function making ``count`` post.create requests through Django's test client; its
    seconds."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", SERVER_NAME="localhost")

    def make() -> float:
        started = time.perf_counter()
        for _ in range(count):
            body = {"title": "Profiled post", "content": CONTENT, "published": True}
            answer = client.post("/api/trpc/post.create", body, content_type="application/json")
            assert answer.status_code == 200, answer.content
        return time.perf_counter() - started

    return make


def timed_calls(count: int, make: Callable[[], float]) -> None:
    """Each request's time, and what ``event_log.append`` and ``mark_relayed`` took in it."""
    from realtime import event_log

    spent = {"append": 0.0, "mark_relayed": 0.0}

    def timing(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args)
            finally:
                spent[name] += time.perf_counter() - started

        return timed

    saved = event_log.append, event_log.mark_relayed
    event_log.append = timing("append", event_log.append)  # type: ignore[assignment]
    event_log.mark_relayed = timing("mark_relayed", event_log.mark_relayed)
    try:
        total = make()
    finally:
        event_log.append, event_log.mark_relayed = saved
    per_request = total / count * 1000
    print(f"| post.create in process, timed | {count} | {per_request:.2f} ms per request |")
    for name, seconds in spent.items():
        share = seconds / total * 100
        print(f"| `event_log.{name}` | | {seconds / count * 1000:.3f} ms ({share:.1f} %) |")


def profiled_calls(count: int, make: Callable[[], float]) -> None:
    """The same under cProfile: the cumulative share of the log's calls and their neighbours."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        total = make()
    finally:
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    wanted = {
        ("realtime/event_log.py", "append"): "`event_log.append` (head upsert + insert)",
        ("realtime/event_log.py", "mark_relayed"): "`event_log.mark_relayed` (UPDATE)",
        ("realtime/broadcast.py", "send_logged"): "`broadcast.send_logged` (bump + publish)",
        ("blog/services.py", "create_post"): "`services.create_post` (all of the write)",
        ("django/db/backends/base/base.py", "commit"): "the transaction's COMMIT",
    }
    print(f"| post.create in process, cProfile | {count} | {total / count * 1000:.2f} ms |")
    for (filename, _, name), (_, _, _, cumulative, _) in stats.items():
        for (suffix, wanted_name), label in wanted.items():
            if filename.endswith(suffix) and name == wanted_name:
                share = cumulative / total * 100
                print(f"| {label} | | {cumulative / count * 1000:.3f} ms ({share:.1f} %) |")


async def where_the_time_goes(token: str, count: int) -> None:
    make = await in_a_thread(requests_in_process, token, count)
    await in_a_thread(make)  # warm-up: templates, the JWT keys, connections
    await in_a_thread(timed_calls, count, make)
    await in_a_thread(profiled_calls, count, make)


# --- The run -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creates", type=int, default=600, help="post.create calls per variant")
    parser.add_argument("--events", type=int, default=1000, help="events replayed")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--profile-creates", type=int, default=300)
    options = parser.parse_args()
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        sys.exit("bench/event_log.py needs DATABASE_URL (PostgreSQL) and REDIS_URL.")
    raise_open_files_limit()
    database_url = fresh_postgres_database(database_url, suffix="event_log")
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-") as state_dir:
        site = Site(
            Path(state_dir),
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            API_THROTTLE_USER="1000000/minute",
            # One fresh account writes every comment, as fast as it can: none may be held or
            # refused, or the channel would not carry them all.
            MODERATION_HOLD_FIRST_COMMENTS="0",
            SPAM_NEW_ACCOUNT_SECONDS="0",
            SPAM_COMMENTS_PER_ACCOUNT="1000000",
            SPAM_COMMENTS_PER_ADDRESS="1000000",
        )
        (token,) = site.tokens("bench@example.com")
        # This process announces and seeds: the same site as the servers, down to the Redis
        # prefix.
        os.environ.clear()
        os.environ.update(site.env)
        import django

        django.setup()
        from realtime.models import ChannelEvent

        with site.daphne() as server, daphne_without_log(site) as without_log:
            urls = {"with the log": server.http_url, "without": without_log}
            post_create_cost(urls, token, options.creates, options.rounds)
            logged = ChannelEvent.objects.filter(channel=POSTS).count()
            print(f"<!-- {logged} post events logged: the calls with the log and no others -->")
            print()
            print("| measure | rounds | result |")
            print("|---|---|---|")
            asyncio.run(replay_throughput(server.ws_url, token, options.events, options.rounds))
            asyncio.run(
                fan_out_with_offsets(server.ws_url, token, options.subscribers, options.rounds)
            )
            print()
            print("| where post.create's time goes | requests | per request (share) |")
            print("|---|---|---|")
            asyncio.run(where_the_time_goes(token, options.profile_creates))
            errors = server.log_lines(" ERROR ", "Traceback")
            print(f"<!-- server log: {len(errors)} error lines -->")
            for line in errors[:10]:
                print(f"<!-- {line[:200]} -->")


if __name__ == "__main__":
    main()
