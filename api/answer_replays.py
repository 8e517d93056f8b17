"""Whole HTTP answers kept in the process and sent again to the next anonymous caller who asks
the same thing, while the read versions they were built under are current.

An answer qualifies when every call in it was declared shared (``lib.shared_answers``) by the
read cache that served it: nothing in it depends on who asked. Checking one costs one round
trip to the cache, made from the event loop: the current tokens of its read versions and, when
anonymous calls are rate-limited, the caller's count (``api.rate_limits``), in one pipeline.
A replay is sent only if every token still matches, its time has not passed (the read cache's
bound on unannounced changes) and the caller is within their rate; otherwise the calls counted
are refunded and the request runs as usual, where they are counted again: a caller over the
rate is refused by the usual path, with the usual answer.

The store is per process, bounded in entries and bytes (least recently used out first).
"""

import time
import weakref
from asyncio import AbstractEventLoop, get_running_loop
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisSerializer
from django.utils.module_loading import import_string
from redis.asyncio import Redis

from api.rate_limits import Budget
from lib import counters
from lib.process_cache import process_cache
from lib.shared_answers import SharedAnswer

# Bounds of one process's store: the keys are the callers' query strings, so an attacker can
# fill it, never grow it.
MAX_REPLAYS = 256
MAX_REPLAY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Replay:
    """An answer as sent (status, headers, body), and what keeps it true."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    calls: int  # counted against the caller's rate each time it is sent
    version_keys: tuple[str, ...]
    tokens: tuple[str, ...]
    expires_at: float


def replay_of(
    answers: Sequence[SharedAnswer],
    *,
    calls: int,
    status: int,
    headers: Sequence[tuple[bytes, bytes]],
    body: bytes,
) -> Replay | None:
    """The replay of an answer whose calls declared ``answers``; None unless each of its calls
    declared one, consistently (a version read at two different tokens cannot match both)."""
    if calls == 0 or len(answers) != calls:
        return None
    tokens: dict[str, str] = {}
    for answer in answers:
        for key, token in zip(answer.version_keys, answer.tokens, strict=True):
            if tokens.setdefault(key, token) != token:
                return None
    return Replay(
        status=status,
        headers=tuple(headers),
        body=body,
        calls=calls,
        version_keys=tuple(tokens),
        tokens=tuple(tokens.values()),
        expires_at=min(answer.expires_at for answer in answers),
    )


class ReplayStore:
    """The process's replays by request key, least recently used out first."""

    def __init__(self, *, max_entries: int = MAX_REPLAYS, max_bytes: int = MAX_REPLAY_BYTES):
        self._entries: OrderedDict[tuple[str, ...], Replay] = OrderedDict()
        self._bytes = 0
        self._max_entries = max_entries
        self._max_bytes = max_bytes

    def get(self, key: tuple[str, ...]) -> Replay | None:
        replay = self._entries.get(key)
        if replay is None:
            return None
        if replay.expires_at <= time.time():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return replay

    def put(self, key: tuple[str, ...], replay: Replay) -> None:
        if len(replay.body) > self._max_bytes // 8:
            return  # one answer never takes over the store
        if key in self._entries:
            self._drop(key)
        self._entries[key] = replay
        self._bytes += len(replay.body)
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple[str, ...]) -> None:
        self._bytes -= len(self._entries.pop(key).body)


class VersionReader(Protocol):
    async def read(
        self, replay: Replay, budget: Budget | None
    ) -> tuple[tuple[str | None, ...], int]:
        """The current tokens of the replay's versions, and the caller's count after adding
        the replay's calls (0 when not counted)."""


class RedisVersionReader:
    """Reads versions and counts in one pipelined round trip of an asyncio Redis client, on
    the keys and encoding the site's Django cache uses (``process_cache``)."""

    def __init__(self, url: str, options: dict[str, object]) -> None:
        self._url = url
        self._options = {
            name: value
            for name, value in options.items()
            if name in ("socket_connect_timeout", "socket_timeout")
        }
        # A client belongs to the loop it was made on (Daphne has one; tests make several).
        self._clients: weakref.WeakKeyDictionary[AbstractEventLoop, Redis] = (
            weakref.WeakKeyDictionary()
        )
        self._serializer = RedisSerializer()

    async def read(
        self, replay: Replay, budget: Budget | None
    ) -> tuple[tuple[str | None, ...], int]:
        cache = process_cache()
        loop = get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = Redis.from_url(self._url, **self._options)  # type: ignore[arg-type]
        async with client.pipeline(transaction=False) as pipeline:
            if budget is not None:
                window_key, ends_in = counters.window(budget.counter, budget.window_seconds)
                counter = cache.make_and_validate_key(window_key)
                # What counters.add does: SET NX then INCRBY, each atomic.
                pipeline.set(counter, 0, nx=True, ex=ends_in + 1)
                pipeline.incrby(counter, replay.calls)
            pipeline.mget([cache.make_and_validate_key(key) for key in replay.version_keys])
            results = await pipeline.execute()
        count = int(results[1]) if budget is not None else 0
        tokens = tuple(None if raw is None else self._serializer.loads(raw) for raw in results[-1])
        return tokens, count


class LocalVersionReader:
    """Reads versions and counts in the process's own memory (the local-memory cache of the
    embedded defaults): no I/O, so it runs on the event loop as it is."""

    async def read(
        self, replay: Replay, budget: Budget | None
    ) -> tuple[tuple[str | None, ...], int]:
        found = process_cache().get_many(list(replay.version_keys))
        tokens = tuple(found.get(key) for key in replay.version_keys)
        if budget is None:
            return tokens, 0
        count = counters.add(
            budget.counter, window_seconds=budget.window_seconds, amount=replay.calls
        )
        return tokens, count.value


def version_reader() -> VersionReader | None:
    """The reader for the site's default cache; None when answers cannot be replayed (the
    public read cache is off, or the cache is neither Redis nor local memory)."""
    if settings.PUBLIC_READ_CACHE_SECONDS <= 0:
        return None
    config: dict[str, Any] = settings.CACHES["default"]
    backend = import_string(config["BACKEND"])
    if issubclass(backend, RedisCache):
        location = config["LOCATION"]
        # Django writes to the first server of a list: the one whose versions are current.
        first = location[0] if isinstance(location, list | tuple) else location.split(",")[0]
        return RedisVersionReader(first, dict(config.get("OPTIONS", {})))
    if issubclass(backend, LocMemCache):
        return LocalVersionReader()
    return None


async def still_true(reader: VersionReader, replay: Replay, budget: Budget | None) -> bool:
    """Whether ``replay`` may be sent to a caller with ``budget``: its versions are current,
    its time has not passed, and the caller is within their rate. Its calls are counted here
    either way: the caller of a request that then runs as usual refunds them first
    (``refund``), since the usual path counts them again."""
    tokens, count = await reader.read(replay, budget)
    if budget is not None and count > budget.limit:
        return False
    return tokens == replay.tokens and replay.expires_at > time.time()


def refund(replay: Replay, budget: Budget | None) -> None:
    """Take back the calls ``still_true`` counted for a replay that was not sent."""
    if budget is not None:
        counters.add(budget.counter, window_seconds=budget.window_seconds, amount=-replay.calls)
