"""What the Prometheus instrumentation (lib.metrics) costs a request: CPU per call with and
without it, interleaved in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf_metrics \
        python bench/results/metrics_overhead_bench.py [--seed 2000] [--calls 400] [--rounds 7]

In process: ``call_procedure`` (timed by ``lib.metrics.time_procedure_calls``) against the
function it wraps, for ``post.list`` (its first page served from the read cache: the cheapest
real call, so the worst ratio), ``post.bySlug`` and a made-up path (answered NOT_FOUND at once).
Through Django's test client: ``GET /api/trpc/post.list`` with the page-latency middleware and
the timed dispatcher, against a chain without the middleware and the views calling the bare
dispatcher. Then the cost of one scrape (``generate_latest``) of what these calls recorded.

CPU time is ``time.process_time`` (this process only); each figure is the median of
``--rounds`` rounds of ``--calls`` calls, the two variants alternating round by round.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"


def cpu_us_per_call(work: Callable[[], object], calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        work()
    return (time.process_time() - started) / calls * 1e6


def compare(
    bare: Callable[[], object], timed: Callable[[], object], calls: int, rounds: int
) -> tuple[float, float, float]:
    """Median CPU µs per call of each, and the median of the rounds' ratios (timed / bare: each
    round runs both, back to back, so load from other processes hits both alike), after a
    warm-up, alternating which goes first."""
    for work in (bare, timed):
        for _ in range(max(20, calls // 10)):
            work()
    bare_runs: list[float] = []
    timed_runs: list[float] = []
    for number in range(rounds):
        order = [(bare, bare_runs), (timed, timed_runs)]
        for work, runs in order if number % 2 == 0 else reversed(order):
            runs.append(cpu_us_per_call(work, calls))
    ratios = [timed / bare for bare, timed in zip(bare_runs, timed_runs, strict=True)]
    return statistics.median(bare_runs), statistics.median(timed_runs), statistics.median(ratios)


def row(name: str, figures: tuple[float, float, float]) -> str:
    bare, timed, ratio = figures
    return f"| {name} | {bare:.1f} µs | {timed:.1f} µs | {timed - bare:+.1f} µs | {ratio:.3f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import Client, RequestFactory, override_settings
    from django.urls import resolve
    from prometheus_client import REGISTRY, generate_latest

    import api.views
    from api import dispatch, trpc
    from blog.models import Post
    from config.page_latency import page_latency
    from lib import metrics

    if args.seed:
        from bench.post_list import seed

        seed(args.seed)

    anonymous = AnonymousUser()
    timed_call = dispatch.call_procedure
    bare_call = timed_call.__wrapped__  # type: ignore[attr-defined]
    slug = Post.objects.filter(published=True).order_by("id").values_list("slug", flat=True)[0]
    calls = {
        "post.list": {"limit": 20},
        "post.bySlug": {"slug": slug},
        "no.such.procedure": None,
    }

    print("| CPU per call (median) | without metrics | with metrics | difference | ratio |")
    print("|---|---|---|---|---|")
    for path, given in calls.items():

        def run(call: Callable[..., object], path: str = path, given: object = given) -> object:
            outcome = call(path=path, kind="query", raw_input=given, user=anonymous)
            assert isinstance(outcome, trpc.Success) == (given is not None), outcome
            return outcome

        figures = compare(
            lambda run=run: run(bare_call), lambda run=run: run(timed_call), args.calls, args.rounds
        )
        print(row(f"`call_procedure` {path}", figures))

    # The instrumentation alone, around work that costs nothing: what it adds to any call.
    def no_op(**kwargs: object) -> object:
        return kwargs

    timed_no_op = metrics.time_procedure_calls(lookup=dispatch.get_procedure)(no_op)
    figures = compare(
        lambda: no_op(path="post.list"), lambda: timed_no_op(path="post.list"), 20000, args.rounds
    )
    print(row("the procedure timer alone (around a no-op)", figures))
    page = RequestFactory().get("/api/trpc/post.list")
    page.resolver_match = resolve("/api/trpc/post.list")
    answered = HttpResponse()
    timed_page = page_latency(lambda request: answered)
    figures = compare(lambda: answered, lambda: timed_page(page), 20000, args.rounds)
    print(row("the page middleware alone (around a no-op)", figures))

    without_middleware = [
        name for name in settings.MIDDLEWARE if name != "config.page_latency.page_latency"
    ]
    with override_settings(MIDDLEWARE=without_middleware):
        bare_client = Client(HTTP_HOST="localhost")
        bare_client.get("/api/trpc/post.list")  # loads this client's chain without it
    timed_client = Client(HTTP_HOST="localhost")

    def request(client: Client, call: Callable[..., object]) -> object:
        api.views.call_procedure = call  # the same assignment on both sides
        return client.get("/api/trpc/post.list")

    def bare_request() -> object:
        return request(bare_client, bare_call)

    def timed_request() -> object:
        return request(timed_client, timed_call)

    figures = compare(bare_request, timed_request, args.calls, args.rounds)
    print(row("test client `GET /api/trpc/post.list`", figures))

    text = generate_latest(REGISTRY)
    series = sum(1 for line in text.splitlines() if line and not line.startswith(b"#"))
    scrape = statistics.median(
        cpu_us_per_call(lambda: generate_latest(REGISTRY), 20) for _ in range(args.rounds)
    )
    print(f"\none scrape: {scrape / 1000:.2f} ms CPU, {len(text)} bytes, {series} series")


if __name__ == "__main__":
    main()
