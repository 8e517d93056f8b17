"""CPU per call of post.list's first page (20 items, anonymous), uncached against cached
(blog.read_cache), in-process as hot_outputs_bench.py measures it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_perf [REDIS_URL=redis://…/14] \
        python bench/results/public_read_cache_bench.py [--calls 300] [--rounds 5]

Reads only (the database may be read-only for you): ``call_procedure`` then the tRPC
SuperJSON body, with PUBLIC_READ_CACHE_SECONDS 0 (off: every call reads PostgreSQL) and 3600
(on: every measured call is a hit; at the default 5 s a busy site misses once per 5 s). The
cache is the site's: locmem without REDIS_URL, FailSoftRedisCache with it. CPU is this
process's only (PostgreSQL's and Redis's are not counted); wall time per call (mean) too.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hot_outputs_bench import median_cpu_us  # sets DJANGO_SETTINGS_MODULE


def per_call_us(work: Callable[[], object], calls: int, rounds: int) -> tuple[float, float]:
    """CPU µs per call (median of rounds, after a warm-up), then wall µs per call (mean)."""
    cpu = median_cpu_us(work, calls, rounds)
    started = time.perf_counter()
    for _ in range(calls * rounds):
        work()
    return cpu, (time.perf_counter() - started) / (calls * rounds) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser

    from api import trpc
    from api.dispatch import call_procedure

    anonymous = AnonymousUser()

    def answer() -> bytes:
        outcome = call_procedure(
            path="post.list", kind="query", raw_input={"limit": 20}, user=anonymous
        )
        assert isinstance(outcome, trpc.Success), outcome
        return trpc.dumps(trpc.http_body([outcome], is_batch=False, uses_superjson=True))

    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"post.list first page (20), SuperJSON body, cache backend {backend}")
    print(f"{'pair':<5} {'uncached CPU':>13} {'cached CPU':>11} {'uncached wall':>14} "
          f"{'cached wall':>12}")  # fmt: skip
    for pair in range(1, args.pairs + 1):
        settings.PUBLIC_READ_CACHE_SECONDS = 0
        uncached, uncached_wall = per_call_us(answer, args.calls, args.rounds)
        settings.PUBLIC_READ_CACHE_SECONDS = 3600
        cached, cached_wall = per_call_us(answer, args.calls, args.rounds)
        print(f"{pair:<5} {uncached:>10.0f} µs {cached:>8.0f} µs {uncached_wall:>11.0f} µs "
              f"{cached_wall:>9.0f} µs  CPU x{uncached / cached:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
