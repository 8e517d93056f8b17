"""A soak run (issue 11): one Daphne process on PostgreSQL and Redis under steady mixed traffic
for minutes, its resident memory read as it goes. A leak shows as a curve that keeps rising.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inkwell_bench \
    REDIS_URL=redis://127.0.0.1:6379/3 python bench/soak.py [--minutes 10] \
        [--sample-seconds 60] [--warm-up-minutes 2] [--results bench/results/soak]

The site runs as in production (DEBUG off, static files collected, rate limits raised out of
the way) on a fresh database `<name>_soak` next to DATABASE_URL's. From this process, on the
same machine: anonymous readers call post.list and post.bySlug over HTTP and view pages; a few
signed-in writers create comments on five hot posts; WebSocket subscribers to those posts'
comments (signed in: subscribing needs an identity) stay 10-40 s each, close, and come back.
Writes <results>.md and, when matplotlib is installed, <results>.png. Exits 1 on any HTTP 5xx,
any failed WebSocket, or any broadcast owed and not received; the memory verdict is reported,
not enforced (a short run has little after warm-up).
"""

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import requests
import websockets

# The project root replaces this script's folder, whose markdown.py would shadow the package
# that Django REST framework imports.
sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appsync import open_socket, subscribe
from bench.live_site import Daphne, Site, fresh_postgres_database
from bench.soak_report import (
    Deliveries,
    Interval,
    Subscription,
    WrittenComment,
    account_broadcasts,
    intervals_table,
    memory_verdict,
    plot_rss,
)

POSTS = 50
HOT_POSTS = 5  # the posts that get comments and subscribers
WRITERS = 3
LISTENERS = 5  # signed-in accounts the subscribers share (subscribing needs an identity)
STAY_SECONDS = (10.0, 40.0)  # how long a subscriber stays before it closes and comes back
GRACE_SECONDS = 5.0  # a comment answered this long before a subscriber closed is owed to it
TIMEOUT = 30  # seconds a request may take before it counts as failed


class Tally:
    """Counts per sampling interval, from every worker thread; interval k covers the seconds
    [k * length, (k + 1) * length) of the run."""

    def __init__(self, started: float, length: float) -> None:
        self.started, self.length = started, length
        self.counts: dict[int, Counter[str]] = {}
        self.statuses: Counter[str] = Counter()
        self.lock = threading.Lock()

    def add(self, what: str) -> None:
        index = int((time.monotonic() - self.started) // self.length)
        with self.lock:
            self.counts.setdefault(index, Counter())[what] += 1

    def answer(self, status: int | None, label: str) -> None:
        """One HTTP request's outcome: its status, or None when no answer came."""
        self.add("requests")
        if status is not None and 200 <= status < 300:
            return
        self.add("server_errors" if status is not None and status >= 500 else "other_failures")
        with self.lock:
            self.statuses[f"{label} → {status or 'no answer'}"] += 1

    def of(self, index: int) -> Counter[str]:
        with self.lock:
            return Counter(self.counts.get(index, Counter()))


def seed(site: Site) -> list[dict[str, str]]:
    """An author with POSTS published posts (some Markdown, like real ones); [{id, slug}]."""
    return json.loads(
        site.shell(
            "import json\n"
            "from accounts.models import User\n"
            "from blog.services import create_post\n"
            "author = User.objects.create_user('soak-author@example.com', 'pw-not-used')\n"
            "body = '## A heading\\n\\nSome *words*, a [link](https://example.com) and a list:\\n"
            "\\n- one\\n- two\\n\\n' * 20\n"
            "posts = [create_post(author=author, title=f'Soak post {n}', content=body, "
            f"published=True) for n in range({POSTS})]\n"
            "print(json.dumps([{'id': str(p.id), 'slug': p.slug} for p in posts]))"
        )
    )


def pace(next_at: float) -> float:
    """Sleep until ``next_at``; the next start, never in the past (a late client does not burst)."""
    delay = next_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    return max(next_at, time.monotonic())


def read(
    server: Daphne, posts: list[dict[str, str]], tally: Tally, deadline: float, rate: float
) -> None:
    """An anonymous reader: post.list, post.bySlug and pages, ``rate`` requests a second."""
    rng = random.Random(threading.get_ident())
    session = requests.Session()
    next_at = time.monotonic()
    while next_at < deadline:
        next_at = pace(next_at) + 1 / rate
        slug = rng.choice(posts)["slug"]
        label, path = rng.choice(
            [
                ("post.list", "/api/trpc/post.list?input=" + quote('{"limit":20}')),
                ("post.bySlug", "/api/trpc/post.bySlug?input=" + quote(json.dumps({"slug": slug}))),
                ("page /", "/"),
                ("page /posts/<slug>/", f"/posts/{slug}/"),
            ]
        )
        try:
            status: int | None = session.get(server.http_url + path, timeout=TIMEOUT).status_code
        except requests.RequestException:
            status = None
        tally.answer(status, label)


def write(
    server: Daphne,
    tokens: list[str],
    hot: list[str],
    tally: Tally,
    deadline: float,
    rate: float,
    written: list[WrittenComment],
) -> None:
    """Signed-in writers in turn, each comment.create on one of the hot posts."""
    rng = random.Random(7)
    session = requests.Session()
    next_at, number = time.monotonic(), 0
    while next_at < deadline:
        next_at = pace(next_at) + 1 / rate
        number += 1
        post_id = rng.choice(hot)
        sent_at = time.monotonic()
        try:
            response = session.post(
                f"{server.http_url}/api/trpc/comment.create",
                headers={"Authorization": f"Bearer {tokens[number % len(tokens)]}"},
                json={"postId": post_id, "content": f"Soak comment {number}, still reading."},
                timeout=TIMEOUT,
            )
        except requests.RequestException:
            tally.answer(None, "comment.create")
            continue
        tally.answer(response.status_code, "comment.create")
        if response.status_code == 200:
            comment_id = response.json()["result"]["data"]["id"]
            written.append(WrittenComment(post_id, comment_id, sent_at, time.monotonic()))


async def subscribe_in_turns(
    ws_url: str,
    token: str,
    post_id: str,
    rng: random.Random,
    tally: Tally,
    deadline: float,
    subscriptions: list[Subscription],
) -> None:
    """One signed-in reader of a post's live comments: connect, subscribe, stay, close, again."""
    while time.monotonic() + STAY_SECONDS[0] < deadline:
        received: set[str] = set()
        subscribed_at = None
        try:
            socket = await open_socket(ws_url, token=token)
            tally.add("sockets_opened")
            try:
                await subscribe(socket, f"/subscriptions/comments/{post_id}")
                subscribed_at = time.monotonic()
                closing = min(subscribed_at + rng.uniform(*STAY_SECONDS), deadline)
                with_timeout = asyncio.timeout(closing - time.monotonic())
                try:
                    async with with_timeout:
                        while True:
                            frame = json.loads(await socket.recv())
                            if frame["type"] == "data":
                                received.update(json.loads(frame["event"])["ids"])
                                tally.add("broadcasts_received")
                except TimeoutError:
                    pass
            finally:
                closed_at = time.monotonic()
                await socket.close()
        except (OSError, AssertionError, websockets.exceptions.WebSocketException) as error:
            tally.add("socket_failures")
            with tally.lock:
                tally.statuses[f"socket: {type(error).__name__} {str(error)[:120]}"] += 1
            await asyncio.sleep(1)
        if subscribed_at is not None:
            subscriptions.append(
                Subscription(post_id, subscribed_at, closed_at, frozenset(received))
            )


def listen(
    server: Daphne,
    tokens: list[str],
    hot: list[str],
    subscribers: int,
    tally: Tally,
    deadline: float,
    subscriptions: list[Subscription],
) -> None:
    async def everyone() -> None:
        await asyncio.gather(
            *(
                subscribe_in_turns(
                    server.ws_url,
                    tokens[number % len(tokens)],
                    hot[number % len(hot)],
                    random.Random(number),
                    tally,
                    deadline,
                    subscriptions,
                )
                for number in range(subscribers)
            )
        )

    asyncio.run(everyone())


def sample(server: Daphne, started: float, length: float, count: int) -> list[tuple[float, int]]:
    """The server's RSS at the start and at the end of each of ``count`` intervals."""
    readings = [(0.0, server.rss_kib())]
    for index in range(1, count + 1):
        pace(started + index * length)
        readings.append((time.monotonic() - started, server.rss_kib()))
    return readings


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sample-seconds", type=float, default=60)
    parser.add_argument("--warm-up-minutes", type=float, default=2)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--reads-per-second", type=float, default=5, help="per reader")
    parser.add_argument("--comments-per-second", type=float, default=1)
    parser.add_argument("--subscribers", type=int, default=25)
    parser.add_argument("--results", type=Path, default=Path("bench/results/soak"))
    options = parser.parse_args()
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL")
    if not database_url.startswith("postgres") or not redis_url:
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the soak runs on both.")

    with tempfile.TemporaryDirectory(prefix="inkwell-soak-") as state_dir:
        site = Site(
            Path(state_dir),
            DEBUG="false",
            DATABASE_URL=fresh_postgres_database(database_url, suffix="soak"),
            REDIS_URL=redis_url,
            REDIS_PREFIX=f"soak-{uuid.uuid4().hex[:8]}",
            LOG_LEVEL="WARNING",
            API_THROTTLE_ANONYMOUS="1000000/minute",
            API_THROTTLE_USER="1000000/minute",
        )
        site.manage("collectstatic", "--no-input", "-v", "0")
        posts = seed(site)
        hot = [post["id"] for post in posts[:HOT_POSTS]]
        ttl_seconds = int(options.minutes * 60) + 30 * 60
        writers = site.tokens(
            *(f"soak-writer-{n}@example.com" for n in range(WRITERS)), ttl_seconds=ttl_seconds
        )
        listeners = site.tokens(
            *(f"soak-listener-{n}@example.com" for n in range(LISTENERS)), ttl_seconds=ttl_seconds
        )
        with site.daphne() as server:
            load_at_start = load_average()
            intervals_count = round(options.minutes * 60 / options.sample_seconds)
            started = time.monotonic()
            deadline = started + intervals_count * options.sample_seconds
            tally = Tally(started, options.sample_seconds)
            written: list[WrittenComment] = []
            subscriptions: list[Subscription] = []
            workers = [
                threading.Thread(
                    target=read, args=(server, posts, tally, deadline, options.reads_per_second)
                )
                for _ in range(options.readers)
            ]
            workers.append(
                threading.Thread(
                    target=write,
                    args=(server, writers, hot, tally, deadline, options.comments_per_second),
                    kwargs={"written": written},
                )
            )
            workers.append(
                threading.Thread(
                    target=listen,
                    args=(server, listeners, hot, options.subscribers, tally, deadline),
                    kwargs={"subscriptions": subscriptions},
                )
            )
            for worker in workers:
                worker.start()
            readings = sample(server, started, options.sample_seconds, intervals_count)
            for worker in workers:
                worker.join()
            load_at_end = load_average()
            log_errors = server.log_lines(" ERROR ", "Traceback")

    intervals = [
        interval(seconds, rss, tally.of(index - 1)) for index, (seconds, rss) in enumerate(readings)
    ]
    run = SoakRun(
        options=options,
        load=(load_at_start, load_at_end),
        intervals=intervals,
        failures=tally.statuses,
        socket_failures=sum(tally.of(index)["socket_failures"] for index in range(intervals_count)),
        log_errors=log_errors,
        deliveries=account_broadcasts(written, subscriptions, grace_seconds=GRACE_SECONDS),
        subscriptions=len(subscriptions),
        comments=len(written),
    )
    text = "\n".join(render(run)) + "\n"
    print(text)
    options.results.parent.mkdir(parents=True, exist_ok=True)
    options.results.with_suffix(".md").write_text(text)
    plotted = plot_rss(
        intervals,
        warm_up_seconds=options.warm_up_minutes * 60,
        path=options.results.with_suffix(".png"),
    )
    print(f"plot: {options.results.with_suffix('.png') if plotted else 'matplotlib not installed'}")
    server_errors = sum(interval.server_errors for interval in intervals)
    if server_errors or run.socket_failures or not run.deliveries.is_complete:
        raise SystemExit(1)


def interval(seconds: float, rss_kib: int, counts: Counter[str]) -> Interval:
    return Interval(
        seconds,
        rss_kib,
        requests=counts["requests"],
        server_errors=counts["server_errors"],
        other_failures=counts["other_failures"],
        sockets_opened=counts["sockets_opened"],
        broadcasts_received=counts["broadcasts_received"],
    )


@dataclass(frozen=True)
class SoakRun:
    """What one run did and found, for its report."""

    options: argparse.Namespace
    load: tuple[str, str]  # the load average at the start and at the end
    intervals: list[Interval]
    failures: Counter[str]  # "what → status" of every failed request or socket
    socket_failures: int
    log_errors: list[str]
    deliveries: Deliveries
    subscriptions: int
    comments: int


def render(run: SoakRun) -> list[str]:
    """The results as Markdown."""
    options, intervals, deliveries = run.options, run.intervals, run.deliveries
    warm_up = options.warm_up_minutes * 60
    verdict = memory_verdict(intervals, warm_up_seconds=warm_up)
    total = Counter[str]()
    for interval in intervals:
        total.update(
            requests=interval.requests,
            server_errors=interval.server_errors,
            other_failures=interval.other_failures,
            sockets_opened=interval.sockets_opened,
        )
    lines = [
        f"# Soak run, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {options.minutes:g} min",
        "",
        "One Daphne process (DEBUG off) on PostgreSQL and Redis (pub/sub layer), driven from the "
        f"same 2-core machine by {options.readers} anonymous readers at "
        f"{options.reads_per_second:g} requests/s each (post.list, post.bySlug, the home page, "
        f"post pages), {options.comments_per_second:g} comment.create/s by {WRITERS} signed-in "
        f"writers on {HOT_POSTS} hot posts, and {options.subscribers} signed-in WebSocket "
        "subscribers to those posts' comments, each staying 10-40 s, then closing and coming back.",
        f"Load average (1, 5, 15 min) at the start: {run.load[0]}; at the end: "
        f"{run.load[1]}. Other engineers' work shared the machine.",
        "",
        "## Memory (VmRSS of the Daphne process)",
        "",
    ]
    if verdict is None:
        lines.append(f"Too few readings after the {warm_up:g} s warm-up to judge.")
    else:
        lines.append(
            f"After warm-up ({warm_up:g} s): baseline {verdict.baseline_kib / 1024:.1f} MiB, "
            f"range {verdict.lowest_kib / 1024:.1f}-{verdict.highest_kib / 1024:.1f} MiB, "
            f"largest deviation {verdict.largest_deviation:.1%}: "
            + (
                f"**flat** (within {verdict.tolerance:.0%})."
                if verdict.is_flat
                else f"**not flat** (over {verdict.tolerance:.0%})."
            )
        )
    lines += ["", *intervals_table(intervals), "", "## Errors", ""]
    lines.append(
        f"{total['requests']} HTTP requests: **{total['server_errors']} HTTP 5xx**, "
        f"{total['other_failures']} other failures; {total['sockets_opened']} WebSocket "
        f"connections, {run.socket_failures} failed; "
        f"{len(run.log_errors)} ERROR/Traceback lines in the server's log."
    )
    lines += [f"- {what}: {count}" for what, count in sorted(run.failures.items())]
    lines += [f"- log: `{line[:160]}`" for line in run.log_errors[:5]]
    lines += [
        "",
        "## Broadcasts",
        "",
        f"{run.comments} comments created, {run.subscriptions} subscriber stays. "
        f"Owed (comment sent after the subscription was confirmed and answered at least "
        f"{GRACE_SECONDS:g} s before the subscriber closed): **{deliveries.expected}**; "
        f"received: **{deliveries.received}**; missing: **{deliveries.missing}**; "
        f"on another post's channel: {deliveries.misrouted}. A further {deliveries.at_edges} "
        "arrived at the edges of a stay, where delivery is not owed.",
    ]
    return lines


if __name__ == "__main__":
    main()
