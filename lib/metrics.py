"""This process's Prometheus metrics: the instruments the apps record into, and what is read
only when /metrics is scraped (open connections, the database pool).

Each Daphne process keeps its own figures in memory and is scraped on its own (one scrape
target per process: deploy/grafana/README.md); Prometheus adds them up. Every label takes a
bounded set of values: procedure names from the registry, URL route names, tRPC error codes,
status classes; never a raw path, a user or a name a client made up.
"""

import functools
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, TypeVar

from django.conf import settings
from django.db import connections
from django.http import HttpRequest
from prometheus_client import REGISTRY, Counter, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# The ``_created`` series would double the series count for a timestamp nobody graphs.
disable_created_metrics()

# Seconds, from a cached read (a fraction of a millisecond) to a request that timed out.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

# The label of calls to a path no procedure has: a client's made-up names share this one.
UNKNOWN_PROCEDURE = "(unknown)"
# The page label of requests no URL route matched: static files, and 404s.
STATIC_PAGE = "(static)"
UNMATCHED_PAGE = "(unmatched)"

PROCEDURE_SECONDS = Histogram(
    "inkwell_procedure_duration_seconds",
    "Seconds to run one procedure call, whatever carried it (HTTP or the session channel).",
    ["procedure"],
    buckets=LATENCY_BUCKETS,
)
PROCEDURE_ERRORS = Counter(
    "inkwell_procedure_errors",
    "Procedure calls answered with a tRPC error, by its code.",
    ["procedure", "code"],
)
PAGE_SECONDS = Histogram(
    "inkwell_page_duration_seconds",
    "Seconds to answer one HTTP request, through the whole middleware chain, by URL route.",
    ["page"],
    buckets=LATENCY_BUCKETS,
)
PAGE_RESPONSES = Counter(
    "inkwell_page_responses",
    "HTTP responses by URL route and status class (2xx, 3xx, 4xx, 5xx).",
    ["page", "status"],
)
CONNECTIONS_OPENED = Counter(
    "inkwell_connections_opened",
    "Long-lived connections accepted, by transport.",
    ["transport"],
)
BROADCAST_SECONDS = Histogram(
    "inkwell_broadcast_send_seconds",
    "Seconds from a committed change to its event handed to the channel layer for every group "
    "it reaches (read-version bump included).",
    buckets=LATENCY_BUCKETS,
)
BROADCAST_FAILURES = Counter(
    "inkwell_broadcast_failures",
    "Group sends of committed changes that the channel layer refused (logged; the relay "
    "publishes the event later).",
)
RELAYED_EVENTS = Counter(
    "inkwell_relayed_events",
    "Logged events published by the relay's sweep because the fast path had not published them.",
)
ANSWER_REPLAYS = Counter(
    "inkwell_answer_replays",
    "Kept anonymous answers (api.answer_replays) checked: sent, or not (stale, over the rate, "
    "or the cache away: the request then ran as usual).",
    ["outcome"],
)
RATE_LIMIT_REFUSALS = Counter(
    "inkwell_rate_limit_refusals",
    "Requests refused for their rate: api_user, api_anonymous (procedure calls), "
    "auth_attempts (sign-in, sign-up and password-reset budgets), public_key_key, "
    "public_key_address and public_key_connections (public read keys on the socket).",
    ["limit"],
)

SPAM_REFUSALS = Counter(
    "inkwell_spam_refusals",
    "Submissions refused as spam: honeypot (a hidden form field was filled), checks (the spam "
    "checks of blog.spam refused a comment).",
    ["check"],
)

CallFunction = TypeVar("CallFunction", bound=Callable[..., object])


def time_procedure_calls(
    *, lookup: Callable[[str], object | None]
) -> Callable[[CallFunction], CallFunction]:
    """Time each call of the decorated dispatcher (keyword arguments, ``path`` among them) by
    procedure; an
    outcome with a ``code`` (a tRPC error) also counts as an error. ``lookup`` is the registry's:
    a path it does not know is labelled UNKNOWN_PROCEDURE."""

    def decorate(call: CallFunction) -> CallFunction:
        @functools.wraps(call)
        def timed(**kwargs: Any) -> object:
            started = time.perf_counter()
            outcome = call(**kwargs)
            seconds = time.perf_counter() - started
            path = kwargs["path"]
            procedure = path if lookup(path) is not None else UNKNOWN_PROCEDURE
            _procedure_seconds(procedure).observe(seconds)
            code = getattr(outcome, "code", None)
            if code is not None:
                _procedure_errors(procedure, code).inc()
            return outcome

        return timed  # type: ignore[return-value]  # same signature: functools.wraps

    return decorate


def observe_page(request: HttpRequest, status_code: int, seconds: float) -> None:
    """Record one answered request under its URL route's name."""
    observe_route(page_label(request), status_code, seconds)


def observe_route(page: str, status_code: int, seconds: float) -> None:
    """Record one answered request under ``page``, a URL route's name."""
    _page_seconds(page).observe(seconds)
    _page_responses(page, status_code // 100).inc()


# A labelled child looked up once: ``labels()`` costs more than the observation itself
# (bench/results/metrics_overhead.md). The label values are bounded, and so are these caches.


@functools.cache
def _procedure_seconds(procedure: str) -> Histogram:
    return PROCEDURE_SECONDS.labels(procedure)


@functools.cache
def _procedure_errors(procedure: str, code: str) -> Counter:
    return PROCEDURE_ERRORS.labels(procedure, code)


@functools.cache
def _page_seconds(page: str) -> Histogram:
    return PAGE_SECONDS.labels(page)


@functools.cache
def _page_responses(page: str, status_class: int) -> Counter:
    return PAGE_RESPONSES.labels(page, f"{status_class}xx")


def page_label(request: HttpRequest) -> str:
    """The route's view name (``blog:post-detail``), never the path it was reached by."""
    match = request.resolver_match
    if match is not None:
        return match.view_name
    if request.path.startswith(settings.STATIC_URL):
        return STATIC_PAGE
    return UNMATCHED_PAGE


# --- Open connections, counted at scrape time ---------------------------------------------

Transport = Literal["websocket", "sse"]
# Weak: a connection object that is gone is no longer counted, even if its close was missed.
# The "sse" transport reports 0 until Server-Sent Events exist.
_open_connections: dict[Transport, "weakref.WeakSet[object]"] = {
    "websocket": weakref.WeakSet(),
    "sse": weakref.WeakSet(),
}


def connection_opened(transport: Transport, connection: object) -> None:
    """Count ``connection`` (a consumer) as open from now on."""
    _open_connections[transport].add(connection)
    CONNECTIONS_OPENED.labels(transport).inc()


def connection_closed(transport: Transport, connection: object) -> None:
    """Stop counting ``connection``; closing twice, or a connection never opened, is harmless."""
    _open_connections[transport].discard(connection)


class OpenConnectionsCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "inkwell_open_connections",
            "Long-lived connections open in this process, by transport.",
            labels=["transport"],
        )
        for transport, open_now in _open_connections.items():
            gauge.add_metric([transport], len(open_now))
        yield gauge


# --- The database pool, read at scrape time -----------------------------------------------


# (name, help, psycopg_pool's stat): one family each, labelled by database alias.
_POOL_GAUGES = (
    (
        "inkwell_db_pool_max_connections",
        "The most connections the pool opens (DATABASE_POOL_MAX).",
        "pool_max",
    ),
    (
        "inkwell_db_pool_waiting_requests",
        "Requests waiting for a connection now.",
        "requests_waiting",
    ),
)
# (name, help, psycopg_pool's stat, divisor): totals since the pool opened.
_POOL_COUNTERS = (
    ("inkwell_db_pool_requests", "Connections asked of the pool.", "requests_num", 1),
    (
        "inkwell_db_pool_queued_requests",
        "Connections asked of the pool that had to wait for one.",
        "requests_queued",
        1,
    ),
    (
        "inkwell_db_pool_wait_seconds",
        "Seconds spent waiting for a pooled connection, all requests together.",
        "requests_wait_ms",
        1000,
    ),
    (
        "inkwell_db_pool_request_errors",
        "Connections asked of the pool that were refused (DATABASE_POOL_TIMEOUT passed).",
        "requests_errors",
        1,
    ),
)


class DatabasePoolCollector(Collector):
    """psycopg_pool's figures for each PostgreSQL database with a pool this process opened;
    nothing for SQLite or a pool not opened yet."""

    def describe(self) -> Iterable[Metric]:
        """The families, read from no pool. Registering calls this (at import) instead of
        ``collect``, which would create Django's pool there: with the database settings of that
        moment, kept for the whole process (a test run's database would be the real one)."""
        return _pool_families([])

    def collect(self) -> Iterable[Metric]:
        pools = list(_pool_stats())
        return _pool_families(pools) if pools else []


def _pool_families(pools: list[tuple[str, dict[str, int]]]) -> list[Metric]:
    in_use_or_idle = GaugeMetricFamily(
        "inkwell_db_pool_connections",
        "Pooled database connections: in use, or idle in the pool.",
        labels=["database", "state"],
    )
    for alias, stats in pools:
        in_use_or_idle.add_metric([alias, "in_use"], stats["pool_size"] - stats["pool_available"])
        in_use_or_idle.add_metric([alias, "idle"], stats["pool_available"])
    families: list[Metric] = [in_use_or_idle]
    for name, help_text, stat in _POOL_GAUGES:
        gauge = GaugeMetricFamily(name, help_text, labels=["database"])
        for alias, stats in pools:
            gauge.add_metric([alias], stats.get(stat, 0))
        families.append(gauge)
    for name, help_text, stat, divisor in _POOL_COUNTERS:
        counter = CounterMetricFamily(name, help_text, labels=["database"])
        for alias, stats in pools:
            counter.add_metric([alias], stats.get(stat, 0) / divisor)
        families.append(counter)
    return families


def _pool_stats() -> Iterator[tuple[str, dict[str, int]]]:
    for alias in connections:
        if not connections.settings[alias].get("OPTIONS", {}).get("pool"):
            continue
        # The wrapper's pool is shared by every thread of the process; Django creates it
        # closed, and opens it on the first connection.
        pool = getattr(connections[alias], "pool", None)
        if pool is not None and not pool.closed:
            yield alias, pool.get_stats()


REGISTRY.register(OpenConnectionsCollector())
REGISTRY.register(DatabasePoolCollector())
