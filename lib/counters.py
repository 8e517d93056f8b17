"""Atomic counters over fixed time windows, shared by every process through the cache, that
keep counting in the process when the cache is away.

Rate limits and sign-in attempts count here. Two things the plain cache API gets wrong:
- under ASGI ``django.core.cache.caches`` is per task, so each request builds a new backend
  and a new Redis client; here one backend serves the whole process (``lib.process_cache``);
- when Redis is unreachable every cache call raises, and a limit check that raises turns
  every request into a 500; here the count moves to a per-process table (limits then hold
  per process rather than per site), the outage is logged once, and counting returns to the
  cache as soon as it answers again.
"""

import logging
import threading
import time
from dataclasses import dataclass

from lib.process_cache import process_cache

logger = logging.getLogger(__name__)

_local_counts: dict[str, tuple[float, int]] = {}  # key: (expires at, count)
_lock = threading.Lock()
_cache_is_down = False


@dataclass(frozen=True)
class Count:
    """A key's count in the current window, and the seconds until the window ends."""

    value: int
    window_ends_in: int


def add(key: str, *, window_seconds: int, amount: int = 1) -> Count:
    """Add ``amount`` (negative to refund) to ``key`` in the current window, atomically across
    processes while the cache answers; the count after the addition."""
    window_key, ends_in = window(key, window_seconds)
    try:
        value = _cache_add(window_key, amount, timeout=ends_in + 1)
    except Exception:
        _note_cache_down()
        value = _local_add(window_key, amount, ttl=ends_in + 1)
    else:
        _note_cache_up()
    return Count(value, ends_in)


def window(key: str, window_seconds: int) -> tuple[str, int]:
    """The cache key of ``key``'s current fixed window (an int, added to atomically), and the
    whole seconds left in it (at least 1). ``api.answer_replays`` counts there too, in its own
    Redis round trip."""
    now = time.time()
    number = int(now // window_seconds)
    ends_in = max(1, int((number + 1) * window_seconds - now + 0.999))
    return f"counters.{key}.{window_seconds}.{number}", ends_in


def _cache_add(key: str, amount: int, *, timeout: int) -> int:
    cache = process_cache()
    # add (SET NX) then incr (INCRBY) are each atomic: concurrent callers all count.
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key, amount))
    except ValueError:
        # The key expired between the two calls: this caller opens the next window.
        cache.set(key, amount, timeout=timeout)
        return amount


def _local_add(key: str, amount: int, *, ttl: int) -> int:
    now = time.monotonic()
    with _lock:
        for stale in [name for name, (expires, _) in _local_counts.items() if expires <= now]:
            del _local_counts[stale]
        expires, value = _local_counts.get(key, (now + ttl, 0))
        _local_counts[key] = (expires, value + amount)
        return value + amount


def _note_cache_down() -> None:
    global _cache_is_down
    if not _cache_is_down:
        _cache_is_down = True
        logger.warning(
            "The cache is unreachable: counting in this process until it answers again.",
            exc_info=True,
        )


def _note_cache_up() -> None:
    global _cache_is_down
    if _cache_is_down:
        _cache_is_down = False
        logger.warning("The cache answers again: counting is shared between processes again.")
