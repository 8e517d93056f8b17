"""Subscribers of new posts on one Daphne process, over Server-Sent Events (tRPC's
``httpSubscriptionLink``) against AppSync WebSocket subscribers, in the same run: the time
until the last subscriber of each kind has a post just published, and the server's memory per
open stream and per subscribed socket.

    REDIS_URL=redis://127.0.0.1:6379/11 python bench/sse.py \
        [--subscribers 1000] [--rounds 5] [--cycles 2] [--database-url postgres://...]

One Daphne process (``bench.settings``: rate limits off; ``API_SSE_MAX_STREAMS_PER_USER`` raised
above the run's streams, which are all one user's) on a fresh site: SQLite in a temporary
folder, or with --database-url an emptied PostgreSQL database ``<name>_sse``; the channel
layer on REDIS_URL. Every subscriber is the same signed-in reader (a Bearer token): an SSE
stream is ``GET /api/trpc/post.onCreate`` with ``Accept: text/event-stream`` on a raw asyncio
socket, counted open at its ``connected`` event; a WebSocket subscriber is an acknowledged
``/event/realtime`` connection subscribed to ``/subscriptions/posts`` (``bench.appsync``).

- **Memory**: after a warm-up (--warm-up of each kind open, one post received by all), the
  server's RSS and thread count, then after opening the SSE streams, then after opening the
  WebSocket subscribers as well (nothing is closed in between, so neither reuses what the
  other freed); the growth divided by --subscribers.
- **Time until the last one has it**: with one kind open at a time (the other closed, the
  server idle again), --rounds posts published by an author (``post.create`` over HTTP, as a
  tRPC client does), each timed from the request until the last subscriber has read it
  (``bench.realtime.fan_out``); --cycles alternations of the two kinds, medians over all rounds.
  Also the server's CPU per post, and this client's (reading every subscriber's copy): far
  below the time measured, it says the client kept up.

Prints Markdown rows for bench/README.md ("SSE subscribers against WebSocket subscribers").
"""

import argparse
import asyncio
import http.client
import itertools
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, sys.path[0] is bench/, whose markdown.py would shadow the markdown package
# DRF imports: put the repository there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.appsync import open_socket, subscribe  # noqa: E402
from bench.live_site import Daphne, Site, fresh_postgres_database  # noqa: E402
from bench.realtime import CONNECT_BATCH, connected, fan_out, raise_open_files_limit  # noqa: E402

POSTS_CHANNEL = "/subscriptions/posts"
EVENT_END = b"\n\n\n"
IDLE_CPU_SHARE = 0.05  # the server counts as idle below this share of one core
IDLE_WAIT_SECONDS = 30
TICKS = os.sysconf("SC_CLK_TCK")


class EventStream:
    """One open SSE stream on a raw socket, read as ``bench.realtime.fan_out`` reads an AppSync
    socket: ``recv()`` is the next event as a JSON frame, of type ``data`` for a message event
    (a published post), ``ka`` for a ping."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self._body = b""  # the stream's body, de-chunked, not yet parsed into events

    @classmethod
    async def open(cls, port: int, token: str) -> "EventStream":
        """A stream of post.onCreate, returned once its ``connected`` event is read."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"GET /api/trpc/post.onCreate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Accept: text/event-stream\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n\r\n"
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"post.onCreate was refused: {head!r} {await reader.read(500)!r}")
        if b"transfer-encoding: chunked" not in head.lower():
            raise RuntimeError(f"Expected a chunked stream: {head!r}")
        stream = cls(reader, writer)
        if (event := await stream._event()).startswith(b"event: connected") is False:
            raise RuntimeError(f"The stream began with {event!r}, not connected.")
        return stream

    async def recv(self) -> str:
        event = await self._event()
        kind = "data" if event.startswith(b"data: ") else "ka"
        return json.dumps({"type": kind, "event": event.decode()})

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()

    async def _event(self) -> bytes:
        while EVENT_END not in self._body:
            size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                raise ConnectionError("The server ended the stream.")
            self._body += (await self.reader.readexactly(size + 2))[:-2]
        event, _, self._body = self._body.partition(EVENT_END)
        return event


class Publisher:
    """post.create by the author over HTTP, each post titled by a new number."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.numbers = itertools.count()

    async def __call__(self, _event: str = "") -> None:
        await asyncio.to_thread(self.publish)

    def publish(self) -> None:
        body = json.dumps(
            {"title": f"Bench post {next(self.numbers)}", "content": "Body.", "published": True}
        )
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(
                "POST",
                "/api/trpc/post.create",
                body,
                {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            )
            answer = connection.getresponse()
            if answer.status != 200:
                raise RuntimeError(f"post.create answered {answer.status}: {answer.read()!r}")
        finally:
            connection.close()


class Server:
    """The Daphne process's memory, threads and CPU time, from /proc."""

    def __init__(self, daphne: Daphne) -> None:
        self.pid = daphne.pid

    def status(self) -> dict[str, float]:
        """VmRSS (KiB) and Threads."""
        lines = Path(f"/proc/{self.pid}/status").read_text().splitlines()
        fields = dict(line.split(":", 1) for line in lines)
        return {name: int(fields[name].split()[0]) for name in ("VmRSS", "Threads")}

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime

    async def idle(self) -> None:
        """Return once the server used under IDLE_CPU_SHARE of a core for half a second (it
        has finished with what it was sent: streams closing, sockets opening)."""
        deadline = time.monotonic() + IDLE_WAIT_SECONDS
        while time.monotonic() < deadline:
            used = self.cpu_seconds()
            await asyncio.sleep(0.5)
            if self.cpu_seconds() - used < 0.5 * IDLE_CPU_SHARE:
                return
        print(f"<!-- the server was still busy after {IDLE_WAIT_SECONDS} s -->")


async def close_all(subscribers: list) -> None:
    await asyncio.gather(*(subscriber.close() for subscriber in subscribers))


class Run:
    """The two kinds of subscriber of one server, opened and timed as the module says."""

    def __init__(self, daphne: Daphne, reader_token: str, publish: Publisher) -> None:
        self.daphne = daphne
        self.server = Server(daphne)
        self.reader_token = reader_token
        self.publish = publish

    async def sse(self) -> EventStream:
        return await EventStream.open(self.daphne.port, self.reader_token)

    async def websocket(self):
        socket = await open_socket(self.daphne.ws_url, token=self.reader_token)
        await subscribe(socket, POSTS_CHANNEL)
        return socket

    async def opened(self, connect: Callable[[], Awaitable], count: int) -> tuple[list, float]:
        """``count`` subscribers, and the seconds they took to open."""
        started = time.perf_counter()
        subscribers = await connected(connect, count)
        return subscribers, time.perf_counter() - started

    async def timed_rounds(self, subscribers: list, rounds: int) -> dict[str, list[float]]:
        """fan_out's timings, with the server's and this client's CPU milliseconds, per round."""
        measures: dict[str, list[float]] = {"ms": [], "server_cpu_ms": [], "client_cpu_ms": []}
        for _ in range(rounds):
            server_before = self.server.cpu_seconds()
            client_before = _client_cpu_seconds()
            (milliseconds,) = await fan_out(subscribers, self.publish, 1)
            measures["ms"].append(milliseconds)
            measures["server_cpu_ms"].append((self.server.cpu_seconds() - server_before) * 1000)
            measures["client_cpu_ms"].append((_client_cpu_seconds() - client_before) * 1000)
        return measures

    async def memory(self, count: int, warm_up: int) -> dict[str, dict[str, float]]:
        """The server's status after the warm-up, with ``count`` streams opened, then with
        ``count`` WebSocket subscribers as well, and the seconds each kind took to open; the
        subscribers are left open."""
        warm = await connected(self.sse, warm_up) + await connected(self.websocket, warm_up)
        await fan_out(warm, self.publish, 1)
        await self.server.idle()
        statuses: dict[str, dict[str, float]] = {"warm": self.server.status()}
        self.streams, seconds = await self.opened(self.sse, count)
        await self.server.idle()
        statuses["sse"] = self.server.status() | {"open_seconds": seconds}
        self.sockets, seconds = await self.opened(self.websocket, count)
        await self.server.idle()
        statuses["websocket"] = self.server.status() | {"open_seconds": seconds}
        await close_all(warm)
        return statuses

    async def fan_outs(self, count: int, rounds: int, cycles: int) -> dict[str, dict]:
        """Each kind alone, ``cycles`` times in alternation, ``rounds`` posts each time."""
        results: dict[str, dict[str, list[float]]] = {"sse": {}, "websocket": {}}

        def add(kind: str, measures: dict[str, list[float]]) -> None:
            for name, values in measures.items():
                results[kind].setdefault(name, []).extend(values)

        for cycle in range(cycles):
            await close_all(self.sockets)
            await self.server.idle()
            add("sse", await self.timed_rounds(self.streams, rounds))
            self.sockets, _ = await self.opened(self.websocket, count)
            await close_all(self.streams)
            await self.server.idle()
            add("websocket", await self.timed_rounds(self.sockets, rounds))
            if cycle < cycles - 1:
                self.streams, _ = await self.opened(self.sse, count)
                await self.server.idle()  # the next cycle closes the sockets only now
        await close_all(self.sockets)
        return results


def _client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def report(count: int, statuses: dict[str, dict[str, float]], timings: dict[str, dict]) -> None:
    """The Markdown table: each measure for both kinds, and their ratio."""

    def growth(kind: str, previous: str, field: str) -> float:
        return (statuses[kind][field] - statuses[previous][field]) / count

    sse, websocket = timings["sse"], timings["websocket"]
    median = statistics.median
    rows = [
        ("time until the last one has the post, median", median(sse["ms"]),
         median(websocket["ms"]), "{:.0f} ms"),
        ("time until the last one has the post, max", max(sse["ms"]), max(websocket["ms"]),
         "{:.0f} ms"),
        # Both: a post costs ~0.3 s more when a full garbage collection falls in it.
        ("server CPU per post, median", median(sse["server_cpu_ms"]),
         median(websocket["server_cpu_ms"]), "{:.0f} ms"),
        ("server CPU per post, mean", statistics.mean(sse["server_cpu_ms"]),
         statistics.mean(websocket["server_cpu_ms"]), "{:.0f} ms"),
        ("server RSS per open subscriber", growth("sse", "warm", "VmRSS"),
         growth("websocket", "sse", "VmRSS"), "{:.1f} KiB"),
        ("server threads per open subscriber", growth("sse", "warm", "Threads"),
         growth("websocket", "sse", "Threads"), "{:.2f}"),
        (f"opening {count}, {CONNECT_BATCH} at a time", statuses["sse"]["open_seconds"],
         statuses["websocket"]["open_seconds"], "{:.1f} s"),
        ("client CPU per post (reading every copy), median", median(sse["client_cpu_ms"]),
         median(websocket["client_cpu_ms"]), "{:.0f} ms"),
    ]  # fmt: skip
    print(f"| {count} subscribers of each kind | SSE | WebSocket | SSE / WebSocket |")
    print("|---|---|---|---|")
    for label, mine, theirs, shape in rows:
        ratio = f"**{mine / theirs:.2f}x**" if theirs else ""
        print(f"| {label} | {shape.format(mine)} | {shape.format(theirs)} | {ratio} |")
    print(f"<!-- server after warm-up, with the streams, with the sockets too: {statuses} -->")
    print(f"<!-- SSE rounds (ms): {[round(t) for t in sse['ms']]} -->")
    print(f"<!-- WebSocket rounds (ms): {[round(t) for t in websocket['ms']]} -->")
    print(f"<!-- SSE server CPU per post (ms): {[round(t) for t in sse['server_cpu_ms']]} -->")
    print(
        f"<!-- WebSocket server CPU per post (ms): "
        f"{[round(t) for t in websocket['server_cpu_ms']]} -->"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000, help="of each kind")
    parser.add_argument("--rounds", type=int, default=5, help="posts per kind and cycle")
    parser.add_argument("--cycles", type=int, default=2, help="alternations of the two kinds")
    parser.add_argument("--warm-up", type=int, default=50, help="subscribers of each kind")
    parser.add_argument("--database-url", help="PostgreSQL server (default: SQLite)")
    options = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("bench/sse.py needs REDIS_URL (the channel layer and the stream caps).")
    raise_open_files_limit()
    # Every stream is the same reader's: the per-user cap must let them all open.
    streams_cap = str(options.subscribers + options.warm_up + 10)
    settings = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "REDIS_URL": redis_url,
        "API_SSE_MAX_STREAMS_PER_USER": streams_cap,
        "API_SSE_MAX_STREAMS_PER_ADDRESS": streams_cap,
    }
    if options.database_url:
        settings["DATABASE_URL"] = fresh_postgres_database(options.database_url, suffix="sse")
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-sse-") as state_dir:
        site = Site(Path(state_dir), **settings)
        author_token, reader_token = site.tokens(
            "bench-author@example.com", "bench-reader@example.com"
        )
        with site.daphne() as daphne:
            run = Run(daphne, reader_token, Publisher(daphne.port, author_token))

            async def measure() -> tuple[dict, dict]:
                statuses = await run.memory(options.subscribers, options.warm_up)
                timings = await run.fan_outs(options.subscribers, options.rounds, options.cycles)
                return statuses, timings

            statuses, timings = asyncio.run(measure())
            report(options.subscribers, statuses, timings)
            tracebacks = daphne.log_lines("Traceback")
            print(f"<!-- server log: {len(tracebacks)} tracebacks -->")
            for line in sorted(set(daphne.log_lines("Error: ", "Exception: ")))[:10]:
                print(f"<!-- {line[:200]} -->")


if __name__ == "__main__":
    main()
