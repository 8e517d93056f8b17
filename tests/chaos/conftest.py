"""One chaos site per test module: its own PostgreSQL database, Redis server and processes."""

from collections.abc import Iterator

import pytest

from tests.chaos.site import ChaosSite, PrivateRedis


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
