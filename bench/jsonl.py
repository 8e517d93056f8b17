"""A streamed batch (tRPC's JSON Lines, ``httpBatchStreamLink``) of one slow call and one fast
call: the fast call's answer arrives long before the slow call is done.

    python bench/jsonl.py [--slow-ms 1000] [--rounds 10] [--database-url postgres://...]
        [--smoke] [--output bench/results/jsonl.md]

One Daphne process (bench.jsonl_settings: bench.settings plus ``bench.slow``, a query that
holds its database connection for --slow-ms, as a slow search would) on a fresh site: SQLite
in a temporary folder, or with --database-url an emptied PostgreSQL database
``<name>_jsonl``; 20 published posts. Each round sends, one after another on new connections,
in an order that alternates between rounds:

- streamed: ``GET /api/trpc/bench.slow,post.list?batch=1`` with
  ``trpc-accept: application/jsonl``: the time until post.list's answer is whole (its last
  line read), and until the stream ends;
- batched: the same batch without the header (``httpBatchLink``): one JSON body, which
  carries the fast answer only once the slow call is done;
- fast alone: post.list streamed in a batch of its own (what the fast call costs by itself).

Reports the medians over rounds and, per round, the ratios of the streamed fast answer to the
stream's end and to the batched answer.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, sys.path[0] is bench/, whose markdown.py would shadow the markdown package
# DRF imports: put the repository there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.live_site import Site, fresh_postgres_database  # noqa: E402

STREAM = {"trpc-accept": "application/jsonl"}
SEED = (
    "from accounts.models import User\n"
    "from blog import services\n"
    "author = User.objects.create_user('bench-jsonl@example.com', 'pw-not-used')\n"
    "for number in range(20):\n"
    "    services.create_post(author=author, title=f'Post {number}', content='Some *text*.',"
    " published=True)\n"
)


def batch_path(slow_ms: int) -> str:
    inputs = {"0": {"milliseconds": slow_ms}, "1": {"limit": 20}}
    return f"/api/trpc/bench.slow,post.list?batch=1&input={quote(json.dumps(inputs))}"


MEASURES = (
    "streamed fast answer",
    "streamed slow answer",
    "streamed end",
    "batched answer (fast and slow)",
    "fast call alone (streamed)",
)
ALONE_PATH = "/api/trpc/post.list?batch=1&input=" + quote(json.dumps({"0": {"limit": 20}}))


def streamed(port: int, path: str) -> tuple[dict[int, float], float]:
    """(seconds until each call's answer was whole, by call index; seconds until the end)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    connection.request("GET", path, headers=STREAM)
    response = connection.getresponse()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}: {response.read()[:200]!r}")
    head = json.loads(response.readline())
    owner = {value[1][2]: int(index) for index, value in head.items()}  # chunk id -> call
    whole: dict[int, float] = {}
    for line in iter(response.readline, b""):
        chunk_id, _, value = json.loads(line)
        call = owner.pop(chunk_id)
        promises = value[1:]
        for _, _, next_id in promises:
            owner[next_id] = call
        if not promises:  # its data, or its error: the call's answer is whole
            whole[call] = time.perf_counter() - start
            if "error" in json.dumps(value[0]):
                raise SystemExit(f"{path}: call {call} failed: {value}")
    total = time.perf_counter() - start
    connection.close()
    if owner:
        raise SystemExit(f"{path}: the stream ended with chunks {sorted(owner)} unsettled.")
    return whole, total


def batched(port: int, path: str) -> float:
    """Seconds until the whole JSON body of the batch was read."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = json.loads(response.read())
    elapsed = time.perf_counter() - start
    connection.close()
    if response.status != 200 or any("error" in envelope for envelope in body):
        raise SystemExit(f"{path} answered {response.status}: {body!r:.200}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slow-ms", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", help="PostgreSQL server (its database name + _jsonl)")
    parser.add_argument("--smoke", action="store_true", help="small sizes, for make bench")
    parser.add_argument("--output", help="also write the report (Markdown) here")
    args = parser.parse_args()
    if args.smoke:
        args.slow_ms, args.rounds = 300, 3

    with tempfile.TemporaryDirectory(prefix="inkwell-jsonl-bench-") as state:
        settings = {"DJANGO_SETTINGS_MODULE": "bench.jsonl_settings"}
        if args.database_url:
            settings["DATABASE_URL"] = fresh_postgres_database(args.database_url, suffix="jsonl")
        site = Site(Path(state), **settings)
        site.shell(SEED)
        with site.daphne() as server:
            rows = run_rounds(server.port, args.slow_ms, args.rounds)
    database = "PostgreSQL" if args.database_url else "SQLite"
    report = render(rows, args.slow_ms, args.rounds, database)
    print(report)
    if args.output:
        Path(args.output).write_text(report)


def run_rounds(port: int, slow_ms: int, rounds: int) -> list[dict[str, float]]:
    path = batch_path(slow_ms)
    streamed(port, path), batched(port, path), streamed(port, ALONE_PATH)  # warm up
    rows = []
    for number in range(rounds):
        row: dict[str, float] = {}

        def measure_stream(row: dict[str, float] = row) -> None:
            whole, total = streamed(port, path)
            row["streamed fast answer"], row["streamed slow answer"] = whole[1], whole[0]
            row["streamed end"] = total

        def measure_batch(row: dict[str, float] = row) -> None:
            row["batched answer (fast and slow)"] = batched(port, path)

        def measure_alone(row: dict[str, float] = row) -> None:
            row["fast call alone (streamed)"] = streamed(port, ALONE_PATH)[0][0]

        steps = [measure_stream, measure_batch, measure_alone]
        for step in steps if number % 2 == 0 else reversed(steps):
            step()
        print(
            f"round {number + 1}: "
            + ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in row.items()),
            flush=True,
        )
        rows.append(row)
    return rows


def render(rows: list[dict[str, float]], slow_ms: int, rounds: int, database: str) -> str:
    def median_ms(name: str) -> float:
        return statistics.median(row[name] for row in rows) * 1000

    def median_ratio(numerator: str, denominator: str) -> float:
        return statistics.median(row[numerator] / row[denominator] for row in rows)

    lines = [
        f"A batch of bench.slow ({slow_ms} ms) and post.list (20 items), anonymous, one Daphne "
        f"process, {database}; {rounds} rounds (medians).",
        "",
        "| measure | median ms |",
        "|---|---|",
        *(f"| {name} | {median_ms(name):.1f} |" for name in MEASURES),
        "",
        "| ratio (median of per-round ratios) | value |",
        "|---|---|",
        "| streamed fast answer / streamed end | "
        f"{median_ratio('streamed fast answer', 'streamed end'):.3f} |",
        "| streamed fast answer / batched answer | "
        f"{median_ratio('streamed fast answer', 'batched answer (fast and slow)'):.3f} |",
        "| streamed fast answer / fast call alone | "
        f"{median_ratio('streamed fast answer', 'fast call alone (streamed)'):.2f} |",
        "| streamed end / batched answer | "
        f"{median_ratio('streamed end', 'batched answer (fast and slow)'):.2f} |",
        "",
        f"Command: `python bench/jsonl.py --slow-ms {slow_ms} --rounds {rounds}"
        + (" --database-url postgres://…`" if database == "PostgreSQL" else "`"),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
