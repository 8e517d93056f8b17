"""/healthz tells the load balancer whether the site serves: "ok", "degraded" (Redis away, still
200) or "down" (the database away, 503)."""

import threading

import pytest
from channels.layers import channel_layers
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

DEAD_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on port 9


@pytest.fixture
def dead_channel_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [DEAD_REDIS]},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": DEAD_REDIS},
    }


@pytest.fixture
def dead_database(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", refuse)


@pytest.mark.django_db
def test_healthz_is_ok_when_database_channel_layer_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "channel_layer": "ok",
        "cache": "ok",
    }


@pytest.mark.django_db
def test_healthz_is_degraded_but_200_when_the_channel_layer_fails(client, dead_channel_layer):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["channel_layer"] == "failing"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_degraded_but_200_when_the_cache_fails(client, dead_cache):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "failing"


@pytest.mark.django_db
def test_healthz_is_down_503_when_the_database_fails(client, dead_database, dead_cache):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"] == "failing"


def test_healthz_answers_down_at_its_timeout_while_the_database_hangs(client, monkeypatch):
    released = threading.Event()

    def hang(*args, **kwargs):
        released.wait(timeout=30)
        raise OperationalError("gave up")

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", hang)
    monkeypatch.setattr("config.health.CHECK_TIMEOUT_SECONDS", 0.2)
    try:
        response = client.get("/healthz")

        # Answered while the database check is still stuck, not when the pool gives up.
        assert not released.is_set()
        assert response.status_code == 503
        assert response.json()["database"] == "failing"
    finally:
        released.set()
