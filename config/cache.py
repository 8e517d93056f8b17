"""The cache backend pages use: Django's RedisCache that answers a miss, rather than an error,
while Redis is away.

A page that caches must stay a page when Redis is down: reads answer misses, writes are
skipped, the outage is logged once per process (and its end once). ``incr`` still raises:
a counter that cannot count must know it (``lib.counters`` then counts in the process).
"""

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

ResultT = TypeVar("ResultT")
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Outage:
    """Whether this process last found the cache unreachable (so each change is logged once)."""

    lock = threading.Lock()
    is_down = False

    @classmethod
    def note(cls, *, is_down: bool) -> None:
        if cls.is_down == is_down:
            return
        with cls.lock:
            if cls.is_down == is_down:
                return
            cls.is_down = is_down
        if is_down:
            logger.warning(
                "The cache (Redis) is unreachable: pages answer without it until it is back.",
                exc_info=True,
            )
        else:
            logger.warning("The cache (Redis) answers again.")


def _soft(call: Callable[[], ResultT], fallback: ResultT) -> ResultT:
    try:
        result = call()
    except _UNREACHABLE:
        _Outage.note(is_down=True)
        return fallback
    _Outage.note(is_down=False)
    return result


class FailSoftRedisCacheClient(RedisCacheClient):
    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).add(key, value, timeout), False)

    def get(self, key: Any, default: Any) -> Any:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).get(key, default), default)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        _soft(lambda: super(FailSoftRedisCacheClient, self).set(key, value, timeout), None)

    def touch(self, key: Any, timeout: Any) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).touch(key, timeout), False)

    def delete(self, key: Any) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).delete(key), False)

    def get_many(self, keys: Any) -> dict[Any, Any]:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).get_many(keys), {})

    def has_key(self, key: Any) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).has_key(key), False)

    def set_many(self, data: Any, timeout: Any) -> None:
        _soft(lambda: super(FailSoftRedisCacheClient, self).set_many(data, timeout), None)

    def delete_many(self, keys: Any) -> None:
        _soft(lambda: super(FailSoftRedisCacheClient, self).delete_many(keys), None)

    def clear(self) -> bool:
        return _soft(lambda: super(FailSoftRedisCacheClient, self).clear(), False)


class FailSoftRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are skipped while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient

    def ping(self) -> None:
        """Raises unless Redis answers (for /healthz, which must see through the softness)."""
        client: RedisCacheClient = self._cache  # type: ignore[attr-defined]
        client.get_client(write=True).ping()
