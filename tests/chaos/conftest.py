"""One chaos site per test module: its own PostgreSQL database, Redis server and processes."""

from collections.abc import Iterator

import pytest

from tests.chaos.site import ChaosSite, PrivatePostgres, PrivateRedis


@pytest.fixture(autouse=True)
def _test_settings():
    # Replaces the suite-wide fixture: the chaos site has its own database and Redis.
    yield


@pytest.fixture(scope="module")
def chaos_site(tmp_path_factory) -> Iterator[ChaosSite]:
    folder = tmp_path_factory.mktemp("chaos")
    redis = PrivateRedis(folder)
    redis.start()
    try:
        yield ChaosSite(folder, redis)
    finally:
        redis.stop()


@pytest.fixture(scope="module")
def chaos_site_on_private_postgres(tmp_path_factory) -> Iterator[ChaosSite]:
    """A chaos site whose PostgreSQL the test may restart: a cluster of its own, since the
    shared server serves everyone else (and this test process)."""
    folder = tmp_path_factory.mktemp("chaos")
    postgres = PrivatePostgres()
    redis = PrivateRedis(folder)
    try:
        postgres.start()
        redis.start()
        # Shorter than the outage, so requests meet both of its faces: pooled connections
        # PostgreSQL closed, and a pool that cannot connect in time.
        yield ChaosSite(folder, redis, postgres, DATABASE_POOL_TIMEOUT="2")
    finally:
        redis.stop()
        postgres.remove()
