"""Benchmark post.list (20 items) through Daphne on PostgreSQL against a plain DRF ListAPIView.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inkwell_bench python bench/post_list.py

Seeds the database to --posts published posts (bulk inserts, once), starts Daphne with
bench.settings, then alternates rounds of the two endpoints with the same concurrent clients
and prints requests/s and p50/p99 latency for each, and the envelope's overhead.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# The project root replaces this script's folder, whose markdown.py would shadow the package
# that Django REST framework imports.
sys.path.pop(0)
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from bench.seeding import PostRow, copy_posts  # noqa: E402

ENDPOINTS = {
    "plain DRF ListAPIView": "/bench/plain-posts/",
    "tRPC post.list": '/api/trpc/post.list?input={"limit":20}',
}


def seed(posts: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from blog.models import Post

    call_command("migrate", verbosity=0)
    have = Post.objects.count()
    copy_posts(
        PostRow(
            number=number,
            title=f"Benchmark post {number}",
            content=f"Post {number}. " + "Lorem ipsum dolor sit amet. " * 40,
            excerpt=f"Post {number}, seeded for the benchmark.",
            published=number % 10 != 0,
        )
        for number in range(have, posts)
    )
    if have < posts:
        # The bulk writes leave dead rows and no statistics: until autovacuum gets there a
        # cursor page is planned badly (~1 s per request instead of a few milliseconds).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE blog_post")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        # No access log (verbosity 0): the peers keep none; a deployment logs at its proxy.
        [sys.executable, "-m", "config.serve", "-v", "0", "-b", "127.0.0.1", "-p", str(port),
         "config.asgi:application"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "w"),  # noqa: SIM115
    )  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("Daphne did not start.")


def run_round(url: str, requests_total: int, clients: int) -> tuple[float, list[float]]:
    """(seconds taken, each request's latency in ms)."""
    per_client = requests_total // clients

    def client(_: int) -> list[float]:
        session, latencies = requests.Session(), []
        for _ in range(per_client):
            began = time.perf_counter()
            response = session.get(url, timeout=30)
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}: {response.text[:200]}")
        return latencies

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [ms for part in pool.map(client, range(clients)) for ms in part]
    return time.perf_counter() - began, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database of your own.")

    seed(args.posts)
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        for path in ENDPOINTS.values():  # warm up: connections, pool, code paths
            run_round(base + path, 200, args.clients)
        totals = {name: (0.0, []) for name in ENDPOINTS}
        for _ in range(args.rounds):
            for name, path in ENDPOINTS.items():
                seconds, latencies = run_round(base + path, args.requests, args.clients)
                spent, collected = totals[name]
                totals[name] = (spent + seconds, collected + latencies)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"post.list, 20 items, {args.posts} posts, {args.clients} clients, "
          f"{args.rounds}x{args.requests} requests each")  # fmt: skip
    results = {}
    for name, (seconds, latencies) in totals.items():
        cuts = statistics.quantiles(latencies, n=100)
        results[name] = len(latencies) / seconds
        rate, p50, p99 = results[name], cuts[49], cuts[98]
        print(f"{name:24} {rate:8.1f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    plain, trpc = results.values()
    print(f"envelope overhead: {(plain / trpc - 1) * 100:+.1f}% time per request")


if __name__ == "__main__":
    main()
