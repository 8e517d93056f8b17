"""The process's one client of the default cache.

Under ASGI ``django.core.cache.caches`` is per task, so ``caches["default"]`` builds a new
backend, and a new Redis client with its own connection pool, for every request. Code that
reads or counts on every request uses this one instead (redis-py's pool is thread-safe).
"""

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

_shared: BaseCache | None = None


def process_cache() -> BaseCache:
    """The default cache, one backend per process."""
    global _shared
    if _shared is None:
        _shared = caches.create_connection("default")
    return _shared
