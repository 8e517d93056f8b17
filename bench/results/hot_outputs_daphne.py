"""post.bySlug and comment.list (200 comments) through Daphne: this checkout against peer
checkouts of the same repository (older commits), all serving the same database in one run.

    git worktree add --detach /tmp/reads-base 2f98923   # main before the hot outputs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf_reads \
    REDIS_URL=redis://127.0.0.1:6379/11 \
        python bench/results/hot_outputs_daphne.py --peer issue=/tmp/reads-base \
            [--peer other=DIR …] [--rounds 3] [--seconds 5] [--connections 8] [--output FILE]

The database must hold hot_outputs_bench.py's seed (``--seed``: its post with 200 comments);
post.bySlug counts views, so it is written to. Each checkout runs in one Daphne process
(``bench.settings``: the site's settings without throttling; the same ``REDIS_URL``, a
``REDIS_PREFIX`` each), answering the SuperJSON GET a tRPC client sends. Before measuring, every
peer's answer is checked to be this checkout's (byte for byte for comment.list; for
post.bySlug, the same JSON apart from ``viewCount``, which they count at different moments).

wrk (``-t1``) drives each server in turn, the order reversing every round, for ``--seconds``;
per round: requests/s, p50 latency and the server's CPU per request (utime + stime from
/proc/<pid>/stat: every thread of the process; PostgreSQL's and Redis's own CPU not counted).
The summary is the median of each over rounds and of the per-round ratios this/peer.
"""
# ruff: noqa: S603 (our own interpreter and arguments)

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench" / "results"]
sys.path.insert(0, str(ROOT))

from bench.live_site import free_port, wait_for_port  # noqa: E402
from bench.vs_node import Round, cpu_seconds, fetch, run_wrk  # noqa: E402

THREAD_SLUG = "hot-outputs-200-comments"  # hot_outputs_bench.seed_thread's post


def trpc_path(procedure: str, given: dict[str, str]) -> str:
    return f"/api/trpc/{procedure}?input=" + quote(json.dumps({"json": given}), safe="")


def thread_id(database_url: str) -> str:
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT id FROM blog_post WHERE slug = %s AND published", (THREAD_SLUG,)
        ).fetchone()
    if row is None:
        raise SystemExit("No 200-comment post: seed with hot_outputs_bench.py --seed N first.")
    return str(row[0])


def start_daphne(checkout: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    with log.open("a") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "config.asgi:application"],
            cwd=checkout, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    wait_for_port(port, server, f"Daphne of {checkout} (log: {log})")
    return server, port


def check_same_answers(urls: dict[str, str], procedure: str) -> str:
    return "; ".join(
        f"{name}: {check_same_answer(urls['this'], url, procedure)}"
        for name, url in urls.items()
        if name != "this"
    )


def check_same_answer(this: str, peer: str, procedure: str) -> str:
    ours, theirs = fetch(this), fetch(peer)
    if procedure == "post.bySlug":
        mine, base = json.loads(ours), json.loads(theirs)
        for answer in (mine, base):
            answer["result"]["data"]["json"].pop("viewCount")
        if mine != base:
            raise SystemExit(f"post.bySlug answers differ:\n{ours[:400]!r}\n{theirs[:400]!r}")
        return f"same JSON but viewCount ({len(ours)} bytes)"
    if ours != theirs:
        raise SystemExit(f"{procedure} answers differ:\n{ours[:400]!r}\n{theirs[:400]!r}")
    return f"identical bodies ({len(ours)} bytes)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--peer", action="append", required=True, help="NAME=DIR: an older checkout to compare"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--procedures", default="post.bySlug,comment.list")
    parser.add_argument("--output", type=Path, help="also write the summary here")
    args = parser.parse_args()
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not (database_url and database_url.startswith("postgres") and redis_url):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL to your own.")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk).")

    post_id = thread_id(database_url)
    paths = {
        "post.bySlug": trpc_path("post.bySlug", {"slug": THREAD_SLUG}),
        "comment.list": trpc_path("comment.list", {"postId": post_id}),
    }
    procedures = args.procedures.split(",")
    state = Path(tempfile.mkdtemp(prefix="hot-outputs-daphne-"))
    checkouts = {name: Path(path).resolve() for name, path in (p.split("=", 1) for p in args.peer)}
    checkouts["this"] = ROOT
    servers: dict[str, tuple[subprocess.Popen, int]] = {}
    try:
        for name, checkout in checkouts.items():
            env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
            env |= {
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "STATE_DIR": str(state / name),
                "SECRET_KEY": "benchmarks-only",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "REDIS_PREFIX": f"hot-outputs-{name}",
            }
            servers[name] = start_daphne(checkout, env, state / f"{name}.log")
        # results[procedure][server] = [(Round, CPU ms per request), ...]
        results: dict[str, dict[str, list[tuple[Round, float]]]] = {}
        notes: dict[str, str] = {}
        for procedure in procedures:
            urls = {
                name: f"http://127.0.0.1:{port}{paths[procedure]}"
                for name, (_, port) in servers.items()
            }
            notes[procedure] = check_same_answers(urls, procedure)
            for url in urls.values():
                run_wrk(url, args.connections, args.warmup)
            results[procedure] = {name: [] for name in urls}
            for number in range(args.rounds):
                order = list(urls) if number % 2 == 0 else list(reversed(urls))
                for name in order:
                    pid = servers[name][0].pid
                    before = cpu_seconds(pid)
                    measured = run_wrk(urls[name], args.connections, args.seconds)
                    per_request = (cpu_seconds(pid) - before) * 1000 / max(measured.requests, 1)
                    if measured.errors:
                        raise SystemExit(f"{name} answered {measured.errors} errors.")
                    results[procedure][name].append((measured, per_request))
                    print(f"{procedure:<13} round {number + 1} {name:<8} {measured.rate:8.1f} "
                          f"req/s  p50 {measured.p50_ms:7.2f} ms  cpu {per_request:6.3f} ms/req",
                          flush=True)  # fmt: skip
    finally:
        for server, _ in servers.values():
            server.terminate()
        for server, _ in servers.values():
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)

    summary = render(args, results, notes)
    print(summary)
    if args.output:
        args.output.write_text(summary)


def render(
    args: argparse.Namespace,
    results: dict[str, dict[str, list[tuple[Round, float]]]],
    notes: dict[str, str],
) -> str:
    peers = [name for name in next(iter(results.values())) if name != "this"]
    lines = [
        f"{args.rounds} rounds x {args.seconds:g} s per server, wrk -t1 -c{args.connections}; "
        + ", ".join(f"{name} = {path}" for name, path in (p.split("=", 1) for p in args.peer)),
        "",
        "| procedure | server | req/s | p50 ms | CPU ms/request | "
        + " | ".join(f"this/{peer} req/s | {peer}/this CPU" for peer in peers)
        + " |",
        "|---|---|---|---|---|" + "---|---|" * len(peers),
    ]
    for procedure, by_server in results.items():
        ratios = []
        for peer in peers:
            pairs = list(zip(by_server["this"], by_server[peer], strict=True))
            rate = statistics.median(a.rate / b.rate for (a, _), (b, _) in pairs)
            cpu = statistics.median(b / a for (_, a), (_, b) in pairs if a > 0)
            ratios.append(f"{rate:.2f}x | {cpu:.2f}x")
        for name, rows in by_server.items():
            rate = statistics.median(r.rate for r, _ in rows)
            p50 = statistics.median(r.p50_ms for r, _ in rows)
            cpu = statistics.median(c for _, c in rows)
            shown = " | ".join(ratios) if name == "this" else " | ".join([" | "] * len(peers))
            lines.append(f"| {procedure} | {name} | {rate:.1f} | {p50:.2f} | {cpu:.2f} | {shown} |")
    lines += ["", *(f"- {procedure}: {note}" for procedure, note in notes.items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
