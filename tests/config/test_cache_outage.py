"""While Redis is away the pages' cache answers misses and skips writes, logging once; a
counter's incr still fails so that lib.counters knows to count in the process."""

import logging

import pytest
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError

from config.cache import FailSoftRedisCache, _Outage


@pytest.fixture
def dead_cache():
    _Outage.is_down = False
    yield FailSoftRedisCache("redis://127.0.0.1:9/0", {"KEY_PREFIX": "t"})
    _Outage.is_down = False


def test_reads_miss_and_writes_are_skipped_while_redis_is_away(dead_cache):
    assert dead_cache.get("key", "fallback") == "fallback"
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.has_key("key") is False
    assert dead_cache.add("key", 1) is False
    dead_cache.set("key", 1)
    dead_cache.set_many({"a": 1})
    assert dead_cache.delete("key") is False
    dead_cache.delete_many(["a"])


def test_the_outage_is_logged_once(dead_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        for _ in range(5):
            dead_cache.get("key")
            dead_cache.set("key", 1)
    assert [record.message for record in caplog.records].count(
        "The cache (Redis) is unreachable: pages answer without it until it is back."
    ) == 1


def test_incr_still_raises_so_counters_fall_back_to_the_process(dead_cache):
    with pytest.raises(RedisConnectionError):
        dead_cache.incr("key")


@pytest.mark.redis
def test_with_redis_up_the_cache_stores_and_logs_that_it_is_back(settings, caplog):
    cache = caches["default"]
    assert isinstance(cache, FailSoftRedisCache)
    _Outage.is_down = True
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        cache.set("healthy", 42)
        assert cache.get("healthy") == 42
    assert "The cache (Redis) answers again." in caplog.text
    assert _Outage.is_down is False
