"""The chunk store before issue 12 against now, in the same run: in process and over the
WebSocket, chunk by chunk in turn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inkwell_bench \
    REDIS_URL=redis://127.0.0.1:6379/3 python bench/results/chunks_before_after.py \
        [--before 25309fa] [--mebibytes 5] [--rounds 3]

The code before is read from git (``--before``, the last commit before the change):
in process, its ``chunking/store.py`` and ``chunking/codec.py`` run as modules of their own on
the current schema (they use only the tables that stayed); over the WebSocket, ``git archive``
of that commit serves its own fresh database with its own Daphne, beside one serving this
tree. Each chunk is published to one server then the other. Markdown-like text as in
bench/chunks.py. Prints Markdown rows for bench/results/chunks.md.
"""
# ruff: noqa: S603, S607 (git, with our own arguments)

import argparse
import asyncio
import contextlib
import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import types
import uuid
from pathlib import Path

sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.appsync import open_session_channel, open_socket
from bench.chunks import message, publish, summary
from bench.live_site import Site, fresh_postgres_database
from chunking import codec

ROOT = Path(__file__).resolve().parents[2]


def source_before(revision: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def store_before(revision: str) -> types.ModuleType:
    """The store of ``revision`` as a module, importing the codec of ``revision``."""
    old_codec = types.ModuleType("codec_before")
    exec(source_before(revision, "chunking/codec.py"), old_codec.__dict__)  # noqa: S102
    old_store = types.ModuleType("store_before")
    source = source_before(revision, "chunking/store.py")
    source = source.replace("from chunking import codec\n", "")
    old_store.__dict__["codec"] = old_codec
    exec(source, old_store.__dict__)  # noqa: S102
    return old_store


def in_process(revision: str, mebibytes: float, rounds: int) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import User
    from chunking import store
    from sessions_app.models import ClientSession

    before = store_before(revision)

    def new_session() -> ClientSession:
        user = User.objects.create_user(f"{uuid.uuid4().hex[:12]}@example.com", "pw-not-used")
        return ClientSession.objects.create(
            session_id=str(uuid.uuid4()),
            user=user,
            client_uuid=uuid.uuid4(),
            last_used_at=timezone.now(),
        )

    sessions = {"before": new_session(), "now": new_session()}
    stores = {"before": before, "now": store}
    middle: dict[str, list[float]] = {"before": [], "now": []}
    last: dict[str, list[float]] = {"before": [], "now": []}
    for number in range(rounds):
        chunks = codec.split(message("text", mebibytes, number), message_id=f"m-{number}")
        order = ["before", "now"] if number % 2 else ["now", "before"]
        for index, chunk in enumerate(chunks):
            for name in order:
                started = time.perf_counter()
                stores[name].add_chunk(session=sessions[name], payload=chunk.to_event())
                took = (time.perf_counter() - started) * 1000
                (last if index == len(chunks) - 1 else middle)[name].append(took)
    ratio = statistics.median(middle["before"]) / statistics.median(middle["now"])
    print(f"| in process, {mebibytes:g} MiB of text x {rounds} | before ({revision}) | now |")
    print("|---|---|---|")
    print(
        f"| a chunk that does not complete its message | {summary(middle['before'])} "
        f"| **{summary(middle['now'])}** ({ratio:.1f}x faster) |"
    )
    print(
        "| the last chunk (reassemble, record) "
        f"| median {statistics.median(last['before']):.0f} ms "
        f"| median {statistics.median(last['now']):.0f} ms |"
    )


async def end_to_end(urls: dict[str, str], tokens: dict[str, str], mebibytes: float, rounds: int):
    timings: dict[str, list[float]] = {name: [] for name in urls}
    async with contextlib.AsyncExitStack() as stack:
        sockets = {
            name: await stack.enter_async_context(await open_socket(url, token=tokens[name]))
            for name, url in urls.items()
        }
        channels = {name: await open_session_channel(socket) for name, socket in sockets.items()}
        for number in range(rounds):
            chunks = codec.split(message("text", mebibytes, 100 + number), message_id=f"w{number}")
            for chunk in chunks[:-1]:
                for name in urls:
                    took, answer = await publish(sockets[name], channels[name], chunk.to_event())
                    assert answer["successful"], answer
                    timings[name].append(took)
            for name in urls:
                await publish(sockets[name], channels[name], chunks[-1].to_event())
                while json.loads(await sockets[name].recv())["type"] != "data":
                    pass  # the NOT_FOUND answer to the call
    ratio = statistics.median(timings["before"]) / statistics.median(timings["now"])
    print()
    print(f"| over the WebSocket, {mebibytes:g} MiB of text x {rounds} | before | now |")
    print("|---|---|---|")
    print(
        f"| publish → publish_success of a chunk that does not complete its message "
        f"| {summary(timings['before'])} | **{summary(timings['now'])}** ({ratio:.1f}x faster) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", default="25309fa")
    parser.add_argument("--mebibytes", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        sys.exit("chunks_before_after.py needs DATABASE_URL (PostgreSQL) and REDIS_URL.")
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-") as folder:
        old_tree = Path(folder) / "before"
        archive = subprocess.run(
            ["git", "archive", options.before], cwd=ROOT, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(old_tree, filter="data")
        # The tree before serves itself with its own copy of live_site.py.
        spec = importlib.util.spec_from_file_location(
            "live_site_before", old_tree / "bench" / "live_site.py"
        )
        assert spec and spec.loader
        live_site_before = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(live_site_before)
        for name in ("before", "now"):
            (Path(folder) / f"state-{name}").mkdir()
        sites = {
            "before": live_site_before.Site(
                Path(folder) / "state-before",
                DATABASE_URL=fresh_postgres_database(database_url, suffix="chunks_before"),
                REDIS_URL=redis_url,
            ),
            "now": Site(
                Path(folder) / "state-now",
                DATABASE_URL=fresh_postgres_database(database_url, suffix="chunks_now"),
                REDIS_URL=redis_url,
            ),
        }
        tokens = {name: site.tokens("bench@example.com")[0] for name, site in sites.items()}
        os.environ.clear()
        os.environ.update(sites["now"].env)
        in_process(options.before, options.mebibytes, options.rounds)
        with sites["before"].daphne() as before, sites["now"].daphne() as now:
            urls = {"before": before.ws_url, "now": now.ws_url}
            asyncio.run(end_to_end(urls, tokens, options.mebibytes, options.rounds))


if __name__ == "__main__":
    main()
