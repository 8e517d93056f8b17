"""Counters count every concurrent hit once, and keep counting in the process when the cache
is away."""

import threading

import pytest
from django.core.cache.backends.redis import RedisCache

from lib import counters, process_cache


@pytest.fixture
def unreachable_cache(monkeypatch):
    """The counters' cache is a Redis server on a port where nothing listens."""
    dead = RedisCache(
        "redis://127.0.0.1:9/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )
    monkeypatch.setattr(process_cache, "_shared", dead)


def test_concurrent_additions_are_all_counted():
    threads = [
        threading.Thread(target=counters.add, args=("concurrent",), kwargs={"window_seconds": 60})
        for _ in range(40)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counters.add("concurrent", window_seconds=60, amount=0).value == 40


def test_a_refund_takes_one_back():
    counters.add("refunded", window_seconds=60)
    counters.add("refunded", window_seconds=60)

    assert counters.add("refunded", window_seconds=60, amount=-1).value == 1


def test_keys_count_apart():
    counters.add("one", window_seconds=60)

    assert counters.add("two", window_seconds=60).value == 1


def test_the_window_end_is_within_the_window():
    count = counters.add("window", window_seconds=30)

    assert 1 <= count.window_ends_in <= 30


def test_without_the_cache_counting_goes_on_in_the_process(unreachable_cache, caplog):
    values = [counters.add("outage", window_seconds=60).value for _ in range(3)]

    assert values == [1, 2, 3]
    outage_logs = [record for record in caplog.records if "unreachable" in record.getMessage()]
    assert len(outage_logs) == 1
