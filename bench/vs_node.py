"""post.list (20 items, anonymous) on Inkwell's Daphne against the Node/tRPC peer it replaces,
and against a plain DRF view on the same Daphne.

    python bench/vs_node.py [--database-url postgres://postgres@127.0.0.1:5432/bench_perf]
        [--posts 100000] [--connections 8,32] [--rounds 5] [--seconds 5] [--client auto|wrk|python]
        [--smoke] [--output bench/results/vs_node.md]

Seeds the database like bench/post_list.py (its own ``seed``: 100k posts, reused when there),
starts bench/peers/node-trpc (``npm ci`` first when node_modules is missing) and one Daphne
process with bench.settings (throttling off, no access log) on free ports, checks that the
servers answer the same rows, then drives each with the same load generator (wrk when
installed, else a keep-alive asyncio client) in interleaved rounds: for each round, connection
count and path, each server in turn (the order alternating), for --seconds. Two paths, with
the SuperJSON request a tRPC client sends:

- the first page, ``GET /api/trpc/post.list?input={"json":{"limit":20}}``: served by Inkwell's
  public read cache (a replay, ``api.anonymous_reads``), by the peer from PostgreSQL;
- the next page (its cursor from the first): uncached everywhere; also served by
  ``/bench/plain-posts/?cursor=`` (bench/views.py, a DRF ``ListAPIView`` on the same Daphne).

Reports per round requests/s, p50 latency and server CPU per request (utime + stime of the
server process from /proc/<pid>/stat, before and after the round: every thread of it, so the
psycopg pool's and libuv's too; PostgreSQL's own CPU is not counted, it is the same SQL), and
the medians over rounds of each figure and of the per-round ratios. The load generator shares
the machine's cores with the servers: CPU per request is the steadier figure.
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, sys.path[0] is bench/, whose markdown.py would shadow the markdown package
# DRF imports: put the repository there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

PEER = ROOT / "bench" / "peers" / "node-trpc"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_perf"
FIRST_PAGE = "first page (cached)"
CURSOR_PAGE = "next page (uncached)"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- servers --------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of stat


def wait_for_port(port: int, process: subprocess.Popen, name: str) -> None:
    import socket

    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode} before listening.")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{name} did not start.")


def start_node(port: int, database_url: str, log: str) -> subprocess.Popen:
    npm = shutil.which("npm")
    node = shutil.which("node")
    if node is None or npm is None:
        raise SystemExit("The Node peer needs node and npm (Node 20).")
    if not (PEER / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [node, "server.mjs"],
        cwd=PEER,
        env={**os.environ, "PORT": str(port), "DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=open(log, "a"),  # noqa: SIM115
    )
    wait_for_port(port, server, "The Node peer")
    return server


# --- load generators ------------------------------------------------------------------------


@dataclass
class Round:
    requests: int
    seconds: float
    p50_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


_DURATION = re.compile(r"([\d.]+)(us|ms|s)\b")


def _ms(text: str) -> float:
    value, unit = _DURATION.match(text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, connections: int, seconds: float) -> Round:
    # One thread: the load generator is meant to take as little of the 2 cores as it can.
    # wrk takes whole seconds.
    out = subprocess.run(  # noqa: S603
        [shutil.which("wrk") or "wrk", "-t1", f"-c{connections}",
         f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", out)
    if done is None:
        raise SystemExit(f"wrk said:\n{out}")
    took = float(done[2]) / (1000 if done[3] == "ms" else 1)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    failed = int(errors[1]) if errors else 0
    if socket_errors:
        failed += sum(int(n) for n in socket_errors.groups())
    return Round(int(done[1]), took, _ms(p50[1]) if p50 else float("nan"), failed)


async def _python_round(port: int, path: str, connections: int, seconds: float) -> Round:
    """Keep-alive HTTP/1.1 GETs on ``connections`` sockets for ``seconds`` (Content-Length or
    chunked answers)."""
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Accept: application/json\r\n\r\n").encode()  # fmt: skip
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                lower = head.lower()
                length = re.search(rb"\r\ncontent-length:\s*(\d+)", lower)
                if length:
                    await reader.readexactly(int(length[1]))
                elif b"transfer-encoding: chunked" in lower:
                    while True:
                        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                        await reader.readexactly(size + 2)
                        if size == 0:
                            break
                else:
                    raise SystemExit(f"Cannot frame this answer:\n{head.decode()}")
                latencies.append((time.perf_counter() - began) * 1000)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    took = time.perf_counter() - began
    return Round(len(latencies), took, statistics.median(latencies), errors)


def run_python(url: str, connections: int, seconds: float) -> Round:
    port = int(url.split(":")[2].split("/")[0])
    return asyncio.run(_python_round(port, url.split(str(port), 1)[1], connections, seconds))


# --- the comparison -------------------------------------------------------------------------


def fetch(url: str) -> bytes:
    from urllib.request import urlopen

    with urlopen(url, timeout=30) as answer:  # noqa: S310  (our own servers on 127.0.0.1)
        return answer.read()


def check_same_answer(urls: dict[str, str]) -> str:
    """How the servers' answers compare (they must hold the same JSON)."""
    import json

    bodies = {name: fetch(url) for name, url in urls.items()}
    first, *others = bodies.items()
    if all(body == first[1] for _, body in others):
        return f"identical bodies ({len(first[1])} bytes)"
    # The plain DRF peer answers the bare list, not the tRPC envelope.
    if all(json.loads(body) for _, body in others):
        return "same rows (" + ", ".join(f"{n}: {len(b)} bytes" for n, b in bodies.items()) + ")"
    raise SystemExit(f"The answers differ: {bodies}")


def next_cursor(url: str) -> str:
    import json

    return json.loads(fetch(url))["result"]["data"]["json"]["nextCursor"]


def page_path(cursor: str | None) -> str:
    given = {"limit": 20, **({"cursor": cursor} if cursor else {})}
    import json

    return "/api/trpc/post.list?input=" + quote(json.dumps({"json": given}), safe="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--connections", default="8,32")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="per server per round")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per server")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--output", help="also write the report (Markdown) here")
    args = parser.parse_args()
    if args.smoke:
        args.posts, args.rounds, args.seconds, args.warmup = 300, 1, 1.0, 0.5
        args.connections = "2"
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must be a PostgreSQL database of your own.")
    os.environ["DATABASE_URL"] = args.database_url
    connection_counts = [int(n) for n in args.connections.split(",")]
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    if args.client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --client python.")
    drive = run_wrk if use_wrk else run_python

    from bench.post_list import free_port, seed, start_server

    seed(args.posts)
    log = os.environ.get("BENCH_SERVER_LOG", os.devnull)
    daphne_port, node_port = free_port(), free_port()
    servers: dict[str, subprocess.Popen] = {}
    try:
        servers["Inkwell"] = start_server(daphne_port)
        servers["Node"] = start_node(node_port, args.database_url, log)
        inkwell, node = f"http://127.0.0.1:{daphne_port}", f"http://127.0.0.1:{node_port}"
        cursor = next_cursor(inkwell + page_path(None))
        # targets[path][server] = url
        targets = {
            FIRST_PAGE: {"Inkwell": inkwell + page_path(None), "Node": node + page_path(None)},
            CURSOR_PAGE: {
                "Inkwell": inkwell + page_path(cursor),
                "Node": node + page_path(cursor),
                "plain DRF": f"{inkwell}/bench/plain-posts/?cursor={quote(cursor, safe='')}",
            },
        }
        sameness = {name: check_same_answer(urls) for name, urls in targets.items()}
        for urls in targets.values():  # warm up: pools, code paths, JIT
            for url in urls.values():
                drive(url, max(connection_counts), args.warmup)

        # results[path][connections][server] = [(Round, cpu ms per request), ...]
        results: dict[str, dict[int, dict[str, list[tuple[Round, float]]]]] = {
            name: {n: {server: [] for server in urls} for n in connection_counts}
            for name, urls in targets.items()
        }
        for number in range(args.rounds):
            for connections in connection_counts:
                for name, urls in targets.items():
                    order = list(urls) if number % 2 == 0 else list(reversed(urls))
                    for server in order:
                        pid = servers["Node" if server == "Node" else "Inkwell"].pid
                        cpu_before = cpu_seconds(pid)
                        measured = drive(urls[server], connections, args.seconds)
                        cpu = cpu_seconds(pid) - cpu_before
                        if measured.errors:
                            raise SystemExit(f"{server} answered {measured.errors} non-200s.")
                        per_request = cpu * 1000 / max(measured.requests, 1)
                        results[name][connections][server].append((measured, per_request))
                        print(f"round {number + 1} c={connections:<3} {name:22} {server:9} "
                              f"{measured.rate:8.1f} req/s  p50 {measured.p50_ms:7.2f} ms  "
                              f"cpu {per_request:6.3f} ms/req", flush=True)  # fmt: skip
    finally:
        for server in servers.values():
            server.terminate()
        for server in servers.values():
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()

    report = render(args, results, sameness, "wrk -t1" if use_wrk else "Python asyncio client")
    print(report)
    if args.output:
        Path(args.output).write_text(report)


def _median_ratio(ours: list[tuple[Round, float]], theirs: list[tuple[Round, float]]) -> str:
    """The median over rounds of the per-round ratio of requests per second."""
    pairs = zip(ours, theirs, strict=True)
    return f"{statistics.median(a.rate / b.rate for (a, _), (b, _) in pairs):.2f}"


def render(args: argparse.Namespace, results: dict, sameness: dict[str, str], client: str) -> str:
    lines = [
        f"post.list, 20 items, anonymous, SuperJSON; {args.posts} posts; {args.rounds} rounds x "
        f"{args.seconds:g} s per server; load: {client}",
        "",
        *(f"- {name}: {same}" for name, same in sameness.items()),
        "",
        "| path | connections | server | req/s (median) | p50 ms | CPU ms/request | "
        "Inkwell/Node req/s | Inkwell/plain DRF req/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, by_connections in results.items():
        for connections, by_server in by_connections.items():
            ours = by_server["Inkwell"]
            for server, rows in by_server.items():
                rate = statistics.median(r.rate for r, _ in rows)
                p50 = statistics.median(r.p50_ms for r, _ in rows)
                cpu = statistics.median(c for _, c in rows)
                vs_node = vs_drf = ""
                if server == "Inkwell":
                    vs_node = _median_ratio(ours, by_server["Node"])
                    if "plain DRF" in by_server:
                        vs_drf = _median_ratio(ours, by_server["plain DRF"])
                lines.append(f"| {name} | {connections} | {server} | {rate:.1f} | {p50:.2f} | "
                             f"{cpu:.3f} | {vs_node} | {vs_drf} |")  # fmt: skip
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
