"""Scale-out on one machine: post.list through one Daphne process against two, behind nginx or
on one port with SO_REUSEPORT, on the same PostgreSQL database, in interleaved rounds.

    python bench/scale_out.py [--database-url postgres://postgres@127.0.0.1:5432/perf_deploy_bench]
        [--redis-url redis://127.0.0.1:6379/10] [--posts 100000] [--connections 32]
        [--rounds 5] [--seconds 5] [--smoke] [--output bench/results/scale_out.md]

Seeds the database like bench/post_list.py, starts four Daphne processes with bench.settings
(throttling off; bench/live_site.py): A and B on ports of their own, C and D sharing one
SO_REUSEPORT socket; and two nginx instances with deploy/nginx/inkwell.conf, one in front of A,
one in front of A and B. Four setups, each driven by wrk (one thread) on the second page of
post.list (a cursor page: the first page is served from the cache, blog/read_cache.py):

- "1 process": A, directly;
- "1 behind nginx", "2 behind nginx": A, or A and B, through nginx;
- "2 SO_REUSEPORT": C and D on one port, the kernel spreading connections.

Rounds interleave the setups (the order rotating each round). For each round: requests/s, p50,
and CPU per request from /proc: the Daphne processes, nginx, wrk (RUSAGE_CHILDREN) and the
PostgreSQL backends of the benchmark's database; and the CPU everything else on the machine
used meanwhile (/proc/stat), since the load generator, PostgreSQL and other people's work
share the same cores. The ratios are medians of per-round ratios: 2 behind nginx / 1 behind
nginx, 2 behind nginx / 1 process, 2 SO_REUSEPORT / 1 process.
"""

import argparse
import contextlib
import json
import os
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, sys.path[0] is bench/, whose markdown.py would shadow the markdown package
# DRF imports: put the repository there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.live_site import Daphne, Nginx, Site, shared_port_socket  # noqa: E402
from bench.vs_node import Round, cpu_seconds, fetch, run_wrk  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/perf_deploy_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SETUPS = ("1 process", "1 behind nginx", "2 behind nginx", "2 SO_REUSEPORT")
RATIOS = {
    "2 behind nginx / 1 behind nginx": ("2 behind nginx", "1 behind nginx"),
    "2 behind nginx / 1 process": ("2 behind nginx", "1 process"),
    "2 SO_REUSEPORT / 1 process": ("2 SO_REUSEPORT", "1 process"),
}
GOAL = 1.7


def post_list_path(body: dict) -> str:
    """post.list's URL path for ``body``, SuperJSON-wrapped as a tRPC client sends it."""
    return "/api/trpc/post.list?input=" + quote(json.dumps({"json": body}), safe="")


def second_page_path(base_url: str) -> str:
    """The path of post.list's second page: its cursor, from the first page's answer."""
    first = json.loads(fetch(base_url + post_list_path({"limit": 20})))
    cursor = first["result"]["data"]["json"]["nextCursor"]
    if not cursor:
        raise SystemExit("The database holds one page of posts only: seed more (--posts).")
    return post_list_path({"limit": 20, "cursor": cursor})


# --- CPU accounting -------------------------------------------------------------------------


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all cores; not idle, not waiting on I/O)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks[:8]) - idle) / CLOCK_TICKS


def wait_for_quiet(max_cores: float, timeout: float) -> float:
    """Wait until the rest of the machine used at most ``max_cores`` over one second (our
    servers idle meanwhile), or ``timeout`` seconds passed; the cores it used last."""
    deadline = time.monotonic() + timeout
    while True:
        before = machine_busy_seconds()
        time.sleep(1)  # a one-second sample of the machine's load, not a timing
        used = machine_busy_seconds() - before
        if used <= max_cores or time.monotonic() > deadline:
            return used


def children_cpu_seconds() -> float:
    """CPU seconds of this process's finished children (wrk, once it is waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postgres_backends(database_url: str) -> Callable[[], dict[int, float]]:
    """A function giving the CPU seconds of each backend serving ``database_url``'s database
    now (the servers' pooled connections), this script's own excepted."""
    import psycopg

    connection = psycopg.connect(database_url, autocommit=True)

    def cpu_by_backend() -> dict[int, float]:
        pids = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
        found: dict[int, float] = {}
        for (pid,) in pids:
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                found[pid] = cpu_seconds(pid)
        return found

    return cpu_by_backend


@dataclass
class Measured:
    """One setup's round: the load generator's figures and the CPU seconds each part used."""

    round: Round
    daphne: list[float]
    nginx: float
    wrk: float
    postgres: float
    others: float

    def per_request_ms(self, seconds: float) -> float:
        return seconds * 1000 / max(self.round.requests, 1)


@dataclass
class Setup:
    url: str
    daphne_pids: list[int]
    nginx: Nginx | None = None
    rounds: list[Measured] = field(default_factory=list)


def measure(setup: Setup, connections: int, seconds: float, backends: Callable) -> Measured:
    """Drive ``setup`` with wrk for ``seconds`` and account for the CPU used meanwhile."""
    nginx_pids = setup.nginx.pids if setup.nginx else []
    daphne_before = [cpu_seconds(pid) for pid in setup.daphne_pids]
    nginx_before = sum(cpu_seconds(pid) for pid in nginx_pids)
    postgres_before = backends()
    wrk_before, machine_before = children_cpu_seconds(), machine_busy_seconds()
    measured = run_wrk(setup.url, connections, seconds)
    machine = machine_busy_seconds() - machine_before
    wrk = children_cpu_seconds() - wrk_before
    daphne = [
        cpu_seconds(pid) - before
        for pid, before in zip(setup.daphne_pids, daphne_before, strict=True)
    ]
    nginx = sum(cpu_seconds(pid) for pid in nginx_pids) - nginx_before
    postgres_after = backends()
    postgres = sum(cpu - postgres_before.get(pid, 0.0) for pid, cpu in postgres_after.items())
    if measured.errors:
        raise SystemExit(f"{setup.url} answered {measured.errors} errors.")
    ours = sum(daphne) + nginx + wrk + postgres
    return Measured(measured, daphne, nginx, wrk, postgres, max(machine - ours, 0.0))


# --- the servers ----------------------------------------------------------------------------


@contextlib.contextmanager
def servers(site: Site, folder: Path) -> Iterator[dict[str, Setup]]:
    """The four setups' servers, started; stopped on the way out."""
    with contextlib.ExitStack() as stack:
        single = stack.enter_context(site.daphne())
        second = stack.enter_context(site.daphne())
        # A socket each, on one port: two accept queues the kernel spreads connections over
        # (one socket shared by both would be one queue, emptied by whichever wakes first).
        first = shared_port_socket()
        shared_port = first.getsockname()[1]
        pair: list[Daphne] = []
        for listener in (first, shared_port_socket(shared_port)):
            pair.append(stack.enter_context(site.daphne(shared_socket=listener)))
            listener.close()  # the process holds its copy
        nginx_one = Nginx(folder / "nginx-1", [single.port])
        stack.callback(nginx_one.stop)
        nginx_two = Nginx(folder / "nginx-2", [single.port, second.port])
        stack.callback(nginx_two.stop)
        yield {
            "1 process": Setup(single.http_url, [single.pid]),
            "1 behind nginx": Setup(nginx_one.http_url, [single.pid], nginx_one),
            "2 behind nginx": Setup(nginx_two.http_url, [single.pid, second.pid], nginx_two),
            "2 SO_REUSEPORT": Setup(
                f"http://127.0.0.1:{shared_port}", [server.pid for server in pair]
            ),
        }


def check_same_answer(setups: dict[str, Setup], path: str) -> int:
    """Every setup answers ``path`` with the same bytes; their length."""
    bodies = {name: fetch(setup.url + path) for name, setup in setups.items()}
    if len(set(bodies.values())) != 1:
        raise SystemExit(
            f"The setups answer differently: { {k: v[:200] for k, v in bodies.items()} }"
        )
    return len(next(iter(bodies.values())))


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="per setup per round")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per setup")
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=0.3,
        help="cores the rest of the machine may use for a round to count as quiet, and to "
        "start one without waiting",
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=60.0, help="seconds to wait for quiet per round"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for a quick check")
    parser.add_argument("--output", help="also write the report (Markdown) here")
    args = parser.parse_args()
    if args.smoke:
        args.posts, args.rounds, args.seconds, args.warmup, args.connections = 300, 1, 1, 1, 4
        args.quiet_wait = 0
    # Stopped with SIGTERM, the servers are stopped too (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must be a PostgreSQL database of your own.")
    os.environ["DATABASE_URL"] = args.database_url

    from bench.post_list import seed

    seed(args.posts)
    backends = postgres_backends(args.database_url)
    with tempfile.TemporaryDirectory(prefix="inkwell-scale-out-") as temporary:
        folder = Path(temporary)
        (folder / "site").mkdir()
        site = Site(
            folder / "site",
            DATABASE_URL=args.database_url,
            REDIS_URL=args.redis_url,
            DJANGO_SETTINGS_MODULE="bench.settings",
        )
        with servers(site, folder) as setups:
            path = second_page_path(setups["1 process"].url)
            body_bytes = check_same_answer(setups, path)
            for setup in setups.values():
                setup.url += path
                run_wrk(setup.url, args.connections, args.warmup)
            for number in range(args.rounds):
                load = wait_for_quiet(args.quiet_below, args.quiet_wait)
                print(f"round {number + 1}: the rest of the machine used {load:.2f} cores")
                order = SETUPS[number % len(SETUPS) :] + SETUPS[: number % len(SETUPS)]
                for name in order:
                    measured = measure(setups[name], args.connections, args.seconds, backends)
                    setups[name].rounds.append(measured)
                    print(f"round {number + 1} {name:16} {measured.round.rate:7.1f} req/s  "
                          f"p50 {measured.round.p50_ms:7.2f} ms  daphne cpu "
                          f"{measured.per_request_ms(sum(measured.daphne)):.2f} ms/req  "
                          f"others {measured.others / measured.round.seconds:.2f} cores",
                          flush=True)  # fmt: skip
    report = render(args, setups, body_bytes)
    print(report)
    if args.output:
        Path(args.output).write_text(report)


def render(args: argparse.Namespace, setups: dict[str, Setup], body_bytes: int) -> str:
    database = urlsplit(args.database_url).path.lstrip("/")
    lines = [
        f"post.list second page (cursor; 20 items, anonymous, SuperJSON, {body_bytes} bytes); "
        f"{args.posts} posts in `{database}`; {args.rounds} rounds x {args.seconds:g} s per setup; "
        f"wrk -t1 -c{args.connections}; {os.cpu_count()} cores shared with everything else.",
        "",
        "| setup | req/s (median) | p50 ms | Daphne CPU ms/req | nginx | wrk | PostgreSQL | "
        "Daphne cores | others' cores |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def median(rows: list[Measured], value: Callable[[Measured], float]) -> float:
        return statistics.median(value(row) for row in rows)

    def daphne_cores(rows: list[Measured]) -> str:
        """Cores each Daphne process used (median over rounds), "a + b" for two."""
        processes = range(len(rows[0].daphne))
        return " + ".join(
            f"{median(rows, lambda m, i=i: m.daphne[i] / m.round.seconds):.2f}" for i in processes
        )

    for name in SETUPS:
        rows = setups[name].rounds
        lines.append(
            f"| {name} | {median(rows, lambda m: m.round.rate):.1f} "
            f"| {median(rows, lambda m: m.round.p50_ms):.2f} "
            f"| {median(rows, lambda m: m.per_request_ms(sum(m.daphne))):.2f} "
            f"| {median(rows, lambda m: m.per_request_ms(m.nginx)):.2f} "
            f"| {median(rows, lambda m: m.per_request_ms(m.wrk)):.2f} "
            f"| {median(rows, lambda m: m.per_request_ms(m.postgres)):.2f} "
            f"| {daphne_cores(rows)} "
            f"| {median(rows, lambda m: m.others / m.round.seconds):.2f} |"
        )
    quiet = args.quiet_below * args.seconds
    lines += [
        "",
        "| ratio of req/s (median of per-round ratios) | all rounds | quiet rounds "
        f"(the rest of the machine under {args.quiet_below:g} cores in both) | per round |",
        "|---|---|---|---|",
    ]
    for label, (top, bottom) in RATIOS.items():
        pairs = list(zip(setups[top].rounds, setups[bottom].rounds, strict=True))
        per_round = [a.round.rate / b.round.rate for a, b in pairs]
        calm = [a.round.rate / b.round.rate for a, b in pairs if max(a.others, b.others) <= quiet]
        calm_text = f"{statistics.median(calm):.2f}x ({len(calm)} rounds)" if calm else "none"
        lines.append(
            f"| {label} | **{statistics.median(per_round):.2f}x** | {calm_text} "
            f"| {', '.join(f'{r:.2f}' for r in per_round)} |"
        )
    lines += ["", *capacity_estimate(setups, median)]
    return "\n".join(lines) + "\n"


def capacity_estimate(
    setups: dict[str, Setup], median: Callable[[list[Measured], Callable], float]
) -> list[str]:
    """What the setups would serve if the machine's cores were theirs alone: arithmetic on the
    measured CPU per request, not a measurement. A Daphne process runs Python on one core at a
    time (the GIL); everything a request costs (Daphne, nginx, wrk, PostgreSQL) shares them."""
    cores = os.cpu_count() or 1
    capacity = {}
    for name in SETUPS:
        rows = setups[name].rounds
        daphne = median(rows, lambda m: m.per_request_ms(sum(m.daphne)))
        total = median(
            rows, lambda m: m.per_request_ms(sum(m.daphne) + m.nginx + m.wrk + m.postgres)
        )
        processes = len(rows[0].daphne)
        capacity[name] = min(processes * 1000 / daphne, cores * 1000 / total)
    lines = [
        f"Estimate, not a measurement: req/s if the {cores} cores were the benchmark's alone, "
        "from the CPU per request above (each process at most one core; all parts sharing "
        "the cores):",
        "",
        "| setup | estimated req/s |",
        "|---|---|",
        *(f"| {name} | {value:.0f} |" for name, value in capacity.items()),
        "",
        *(
            f"- {label}: {capacity[top] / capacity[bottom]:.2f}x"
            for label, (top, bottom) in RATIOS.items()
        ),
    ]
    return lines


if __name__ == "__main__":
    main()
