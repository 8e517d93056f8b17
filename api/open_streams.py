"""Open subscription streams per caller, counted across every process of the site, so that one
user (or one anonymous address) cannot hold an unbounded share of the site's connections.

Each open stream holds a lease: a member of its caller's Redis sorted set, scored by when it
expires. Taking one drops the expired members, counts the rest and adds the new one, in one
script (atomic against every other process); the stream renews it while it runs and removes
it when it ends. A process that dies without saying goodbye leaves leases that lapse within
``LEASE_SECONDS``, never a count that stays high for good.

Without Redis (the embedded defaults), or while it is away, leases are counted in the
process: the cap then holds per process, and no stream is refused for the cache's outage.
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from lib.process_cache import process_cache

logger = logging.getLogger(__name__)

# How long a lease lasts unless renewed; a stream renews it every RENEW_SECONDS.
LEASE_SECONDS = 60
RENEW_SECONDS = LEASE_SECONDS // 3

# KEYS[1]: the caller's set; ARGV: now, limit, lease seconds, member. 1 when taken, else 0.
_TAKE = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])))
return 1
"""


@dataclass(frozen=True)
class Lease:
    """One open stream's place in its caller's count."""

    key: str
    member: str
    seconds: float


class _LocalLeases:
    """The process's own count, for when there is no Redis to share it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._leases: dict[str, dict[str, float]] = {}  # key: {member: expires at}

    def take(self, lease: Lease, limit: int) -> bool:
        now = time.time()
        with self._lock:
            held = {
                member: expires
                for member, expires in self._leases.get(lease.key, {}).items()
                if expires > now
            }
            if len(held) >= limit:
                self._leases[lease.key] = held
                return False
            held[lease.member] = now + lease.seconds
            self._leases[lease.key] = held
            return True

    def renew(self, lease: Lease) -> None:
        with self._lock:
            held = self._leases.setdefault(lease.key, {})
            held[lease.member] = time.time() + lease.seconds

    def count(self, key: str) -> int:
        now = time.time()
        with self._lock:
            return sum(expires > now for expires in self._leases.get(key, {}).values())

    def release(self, lease: Lease) -> None:
        with self._lock:
            held = self._leases.get(lease.key, {})
            held.pop(lease.member, None)
            if not held:
                self._leases.pop(lease.key, None)


_local = _LocalLeases()


def take(*, caller: str, limit: int, seconds: float = LEASE_SECONDS) -> Lease | None:
    """A lease for one more open stream of ``caller`` (``user.<id>``, ``address.<digest>``);
    None when ``limit`` streams of theirs are open already."""
    lease = Lease(f"sse.streams.{caller}", uuid.uuid4().hex, seconds)
    redis = _redis()
    if redis is not None:
        try:
            taken = redis.eval(_TAKE, 1, _key(lease), time.time(), limit, seconds, lease.member)
        except Exception:
            logger.warning("Counting open streams in this process: Redis is away.", exc_info=True)
        else:
            return lease if taken == 1 else None
    return lease if _local.take(lease, limit) else None


def renew(lease: Lease) -> None:
    """Keep ``lease`` for another ``lease.seconds``."""
    redis = _redis()
    if redis is None:
        _local.renew(lease)
        return
    try:
        with redis.pipeline(transaction=False) as pipeline:
            pipeline.zadd(_key(lease), {lease.member: time.time() + lease.seconds})
            pipeline.expire(_key(lease), int(lease.seconds) + 1)
            pipeline.execute()
    except Exception:
        _local.renew(lease)


def release(lease: Lease) -> None:
    """Give ``lease`` back: its stream has ended."""
    _local.release(lease)
    redis = _redis()
    if redis is None:
        return
    try:
        redis.zrem(_key(lease), lease.member)
    except Exception:
        logger.warning("Could not release an open stream's lease; it lapses.", exc_info=True)


def count(caller: str) -> int:
    """How many streams of ``caller`` hold a lease now (for tests and operators)."""
    key = f"sse.streams.{caller}"
    redis = _redis()
    if redis is not None:
        return int(redis.zcount(_key(Lease(key, "", 0)), time.time(), "+inf"))
    return _local.count(key)


def _redis() -> Any:
    """The process cache's Redis client; None when the cache is not Redis."""
    cache = process_cache()
    if not isinstance(cache, RedisCache):
        return None
    client: RedisCacheClient = cache._cache  # type: ignore[attr-defined]
    return client.get_client(write=True)


def _key(lease: Lease) -> str:
    return process_cache().make_and_validate_key(lease.key)
