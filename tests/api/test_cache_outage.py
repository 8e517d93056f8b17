"""A Redis outage never turns a procedure call into a 500: rates are counted in the process
until the cache answers again (issue 11, finding 3)."""

import pytest

from config.cache import FailSoftRedisCache
from lib import counters, process_cache
from realtime.session_channel import answer_call
from tests.live_server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings, monkeypatch):
    """Every cache (the shared counters' client included) points at a port nobody listens on."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "config.cache.FailSoftRedisCache",
                                   "LOCATION": dead}}  # fmt: skip
    monkeypatch.setattr(process_cache, "_shared", FailSoftRedisCache(dead, {}))
    monkeypatch.setattr(counters, "_cache_is_down", False)
    monkeypatch.setattr(counters, "_local_counts", {})
    yield
    # Back to the local cache before the suite's own teardown clears it.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_anonymous_and_signed_in_http_calls_are_answered(trpc, as_user, author, redis_down):
    assert trpc.query("post.list").status == 200
    assert as_user(author).mutate("post.create", {"title": "Still here"}).status == 200


def test_socket_calls_are_answered(author, redis_down):
    call = {"id": 1, "method": "query", "params": {"path": "post.list"}}
    assert "result" in answer_call(call, user=author)


def test_the_rate_still_holds_in_the_process(trpc, settings, redis_down):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anonymous": "2/minute"}
    statuses = [trpc.query("post.list").status for _ in range(3)]
    assert statuses == [200, 200, 429]
