"""The container stays healthy while /healthz says ok or degraded, and not when it is down."""

from urllib.parse import urlsplit

import pytest
from channels.layers import channel_layers
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from config import container_healthcheck

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server, monkeypatch):
    monkeypatch.setenv("PORT", str(urlsplit(live_server.url).port))
    monkeypatch.setenv("ALLOWED_HOSTS", "localhost")


def test_ok_is_healthy(site):
    assert container_healthcheck.main() == 0


def test_degraded_is_healthy(site, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]},
        }
    }
    channel_layers.backends.clear()
    try:
        assert container_healthcheck.main() == 0
    finally:
        channel_layers.backends.clear()


def test_down_is_unhealthy(site, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", refuse)
    assert container_healthcheck.main() == 1
