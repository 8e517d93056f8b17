"""Chunk upload cost on PostgreSQL (not tests: numbers, not assertions).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inkwell_bench \
    REDIS_URL=redis://127.0.0.1:6379/3 python bench/chunks.py [--mebibytes 5] [--rounds 5]

Makes a fresh database ``<name>_chunks`` beside DATABASE_URL's and migrates it, then measures
what one 200 KB chunk costs the server, each against a peer timed in the same run, chunk by
chunk in turn (the machine is shared: compare rows of one run):

- in process: ``chunking.store.add_chunk`` per chunk, against PostgreSQL's floor, a bare
  one-statement INSERT of the same row into the same table (and into a table compressed with
  PostgreSQL's default pglz, the chunk table's compression before lz4);
- end to end: one Daphne process, a chunk published on the session channel until its
  ``publish_success``, against the same 200 KB frame refused before the database (a chunk index
  out of range): the WebSocket, the JSON and the session check without the store.

Messages are Markdown-like text (words of a fixed vocabulary) and, as in bench/realtime.py,
3-byte characters. Prints Markdown rows for bench/results/chunks.md.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

# The project root replaces this script's folder, whose markdown.py would shadow the package
# that Django REST framework imports.
sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.appsync import ask, open_session_channel, open_socket
from bench.live_site import Site, fresh_postgres_database
from chunking import codec

WORDS = [
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "post",
    "comment",
    "markdown",
    "editor",
    "draft",
    "publish",
    "reader",
    "author",
    "session",
    "channel",
    "chunk",
    "message",
    "server",
    "client",
    "database",
    "row",
    "index",
    "query",
    "answer",
    "render",
    "page",
    "link",
    "#",
    "##",
    "-",
    "*",
    ">",
    "`code`",
    "**bold**",
    "_em_",
    "[link](https://example.com)",
    "1.",
    "2.",
    "3.",
    "|",
    "table",
    "|",
    "cell",
    "|",
]


def markdown_like(size: int, seed: int) -> str:
    """``size`` characters of words and Markdown marks, lines of ~12 words: what posts hold."""
    pick = random.Random(seed).choice
    words: list[str] = []
    length = 0
    while length < size:
        word = pick(WORDS) + ("\n" if len(words) % 12 == 11 else " ")
        words.append(word)
        length += len(word)
    return "".join(words)[:size]


def message(kind: str, mebibytes: float, seed: int) -> str:
    """The JSON text of a call carrying ``mebibytes`` of content to a procedure that does not
    exist: it answers NOT_FOUND at once, so only the upload is timed."""
    size = int(mebibytes * 2**20)
    content = markdown_like(size, seed) if kind == "text" else "€" * (size // 3)
    call = {"id": seed, "method": "mutation", "params": {"path": "bench.upload", "input": content}}
    return json.dumps(call, ensure_ascii=False)


def summary(timings: list[float]) -> str:
    """Median and p90, and p10: on a busy machine the least disturbed tenth is the nearest to
    what the work costs alone."""
    cuts = statistics.quantiles(timings, n=10)
    return f"median {statistics.median(timings):.2f} ms, p10 {cuts[0]:.2f} ms, p90 {cuts[8]:.2f} ms"


def ratio(numerator: list[float], denominator: list[float]) -> str:
    return f"{statistics.median(numerator) / statistics.median(denominator):.2f}x"


# --- In process ------------------------------------------------------------------------------


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def in_process(kinds: list[str], mebibytes: float, rounds: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from chunking import store
    from sessions_app.models import ClientSession

    user = User.objects.create_user("chunks@example.com", "pw-not-used")
    session = ClientSession.objects.create(
        session_id=str(uuid.uuid4()),
        user=user,
        client_uuid=uuid.uuid4(),
        last_used_at=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_pglz (id bigserial PRIMARY KEY, data text)")
        cursor.execute("ALTER TABLE bench_pglz ALTER COLUMN data SET COMPRESSION pglz")

    def bare_insert(chunk: codec.Chunk) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO chunking_messagechunk (session_id, message_id, chunk_index, "
                "total_chunks, chunk_data, created_at) VALUES (%s, %s, %s, %s, %s, now())",
                [session.session_id, "floor", chunk.chunk_index, chunk.total_chunks, chunk.data],
            )

    def pglz_insert(chunk: codec.Chunk) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_pglz (data) VALUES (%s)", [chunk.data])

    def clear_floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM chunking_messagechunk WHERE message_id = 'floor'")
            cursor.execute("TRUNCATE bench_pglz")

    print("| in process, PostgreSQL | content | per 200 KB chunk | against the floor |")
    print("|---|---|---|---|")
    for kind in kinds:
        stored: list[float] = []
        last: list[float] = []
        floor: list[float] = []
        floor_pglz: list[float] = []
        chunk_count = 0
        for number in range(rounds):
            chunks = codec.split(message(kind, mebibytes, number), message_id=f"{kind}-{number}")
            chunk_count = len(chunks)
            for chunk in chunks[:-1]:
                # In turn, so the store and its floor see the same machine.
                floor.append(timed(lambda chunk=chunk: bare_insert(chunk)))
                stored.append(
                    timed(
                        lambda chunk=chunk: store.add_chunk(
                            session=session, payload=chunk.to_event()
                        )
                    )
                )
                floor_pglz.append(timed(lambda chunk=chunk: pglz_insert(chunk)))
            final = chunks[-1].to_event()
            last.append(timed(lambda final=final: store.add_chunk(session=session, payload=final)))
            clear_floor()
        size = f"{kind}, {mebibytes:g} MiB, {chunk_count} chunks x {rounds}"
        print(
            f"| `add_chunk`, a chunk that does not complete its message | {size} "
            f"| **{summary(stored)}** | {ratio(stored, floor)} |"
        )
        print(
            f"| floor: bare INSERT of the same row, one statement, lz4 | | {summary(floor)} | 1x |"
        )
        print(
            f"| bare INSERT into a pglz column | | {summary(floor_pglz)} "
            f"| {ratio(floor_pglz, floor)} |"
        )
        print(f"| `add_chunk`, the last chunk: reassemble, record the call | | {summary(last)} | |")
    # Which statements one chunk costs, for the record.
    chunks = codec.split(message("text", 0.5, 99), message_id="statements")
    with CaptureQueriesContext(connection) as queries:
        store.add_chunk(session=session, payload=chunks[0].to_event())
    print(f"<!-- statements for a chunk that does not complete its message: {len(queries)} -->")
    for query in queries:
        print(f"<!--   {' '.join(query['sql'].split())[:100]} -->")


# --- End to end ------------------------------------------------------------------------------


async def publish(socket, channel: str, event: dict) -> tuple[float, dict]:
    frame = {"type": "publish", "id": "c", "channel": channel, "events": [json.dumps(event)]}
    started = time.perf_counter()
    answer = await ask(socket, frame)
    return (time.perf_counter() - started) * 1000, answer


async def end_to_end(url: str, token: str, kinds: list[str], mebibytes: float, rounds: int):
    print()
    print(
        "| over the WebSocket, one Daphne | content | publish → publish_success | "
        "against the refused frame |"
    )
    print("|---|---|---|---|")
    async with await open_socket(url, token=token) as socket:
        channel = await open_session_channel(socket)
        for kind in kinds:
            stored: list[float] = []
            refused: list[float] = []
            for number in range(rounds):
                text = message(kind, mebibytes, 1000 + number)
                chunks = codec.split(text, message_id=f"ws-{kind}-{number}")
                for chunk in chunks[:-1]:
                    bad = chunk.to_event() | {"chunkIndex": chunk.total_chunks}
                    took, answer = await publish(socket, channel, bad)
                    assert answer["failed"], answer
                    refused.append(took)
                    took, answer = await publish(socket, channel, chunk.to_event())
                    assert answer["successful"], answer
                    stored.append(took)
                took, answer = await publish(socket, channel, chunks[-1].to_event())
                assert answer["successful"], answer
                while json.loads(await socket.recv())["type"] != "data":
                    pass  # the NOT_FOUND answer to the call
            size = f"{kind}, {mebibytes:g} MiB x {rounds}"
            print(f"| a chunk stored | {size} | **{summary(stored)}** | {ratio(stored, refused)} |")
            print(f"| the same frame refused before the store | | {summary(refused)} | 1x |")
            extra = statistics.median(stored) - statistics.median(refused)
            print(f"<!-- the store's share end to end ({kind}): {extra:.2f} ms per chunk -->")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mebibytes", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--kinds", default="text,euro", help="text, euro or both")
    options = parser.parse_args()
    kinds = options.kinds.split(",")
    database_url = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        sys.exit("bench/chunks.py needs DATABASE_URL (PostgreSQL) and REDIS_URL.")
    database_url = fresh_postgres_database(database_url, suffix="chunks")
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-") as state_dir:
        site = Site(Path(state_dir), DATABASE_URL=database_url, REDIS_URL=redis_url)
        (token,) = site.tokens("bench@example.com")
        os.environ.clear()
        os.environ.update(site.env)
        in_process(kinds, options.mebibytes, options.rounds)
        with site.daphne() as server:
            asyncio.run(end_to_end(server.ws_url, token, kinds, options.mebibytes, options.rounds))
            errors = server.log_lines(" ERROR ", "Traceback")
            print(f"<!-- server log: {len(errors)} error lines -->")


if __name__ == "__main__":
    main()
