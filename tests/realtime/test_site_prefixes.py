"""Two sites on one Redis server never hear each other: every channel, group and cache key
carries the site's REDIS_PREFIX (Redis pub/sub ignores the database number)."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from realtime.layers import CoreChannelLayer, PubSubChannelLayer

ROOT = Path(__file__).resolve().parents[2]


def _layer(layer_class, prefix: str):
    # One Redis database for both: only the prefix can keep them apart.
    url = settings.REDIS_URL or os.environ.get("REDIS_URL", "")
    return layer_class(hosts=[{"address": url, "socket_timeout": 15}], prefix=f"{prefix}.")


async def _hears(listener, speaker, group: str) -> bool:
    channel = await listener.new_channel()
    await listener.group_add(group, channel)
    await asyncio.sleep(0.1)  # the SUBSCRIBE reaches Redis
    await speaker.group_send(group, {"type": "post.created", "id": 1})
    try:
        await asyncio.wait_for(listener.receive(channel), 1)
    except TimeoutError:
        return False
    return True


@pytest.mark.redis
@pytest.mark.asyncio
@pytest.mark.parametrize("layer_class", [PubSubChannelLayer, CoreChannelLayer])
async def test_layers_with_different_prefixes_on_one_redis_do_not_see_each_others_groups(
    layer_class,
):
    site_a, site_b = _layer(layer_class, "inkwell-a"), _layer(layer_class, "inkwell-b")
    try:
        assert not await _hears(site_a, site_b, "ch.subscriptions.posts")
    finally:
        await site_a.flush()
        await site_b.flush()


@pytest.mark.redis
@pytest.mark.asyncio
@pytest.mark.parametrize("layer_class", [PubSubChannelLayer, CoreChannelLayer])
async def test_layers_with_the_same_prefix_share_their_groups(layer_class):
    process_1, process_2 = _layer(layer_class, "inkwell-a"), _layer(layer_class, "inkwell-a")
    try:
        assert await _hears(process_1, process_2, "ch.subscriptions.posts")
    finally:
        await process_1.flush()
        await process_2.flush()


@pytest.mark.redis
@pytest.mark.asyncio
async def test_channel_names_carry_the_prefix():
    layer = _layer(PubSubChannelLayer, "inkwell-a")
    try:
        channel = await layer.new_channel()
        assert channel.startswith("inkwell-a.specific.")
        assert len(channel) < 100
    finally:
        await layer.flush()


def _settings_of(env: dict[str, str], tmp_path: Path) -> list[str]:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.REDIS_PREFIX); print(s.CACHES['default'].get('KEY_PREFIX')); "
        "print(s.CHANNEL_LAYERS['default']['CONFIG']['prefix'])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_PREFIX")}
    result = subprocess.run(  # noqa: S603 - this interpreter and a fixed script
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "STATE_DIR": str(tmp_path),
            "REDIS_URL": "redis://cache.invalid:6379/0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_prefix_is_derived_from_the_database_name_and_prefixes_cache_and_layer(tmp_path):
    prefix, key_prefix, layer_prefix = _settings_of(
        {"DATABASE_URL": "postgres://u@db.invalid:5432/blog_one"}, tmp_path
    )
    assert prefix == key_prefix == "inkwell-blog_one"
    assert layer_prefix == "inkwell-blog_one."


def test_two_sqlite_sites_get_different_prefixes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _settings_of({}, tmp_path / "a")[0]
    second = _settings_of({}, tmp_path / "b")[0]
    assert first.startswith("inkwell-db-")
    assert first != second


def test_an_explicit_prefix_wins_and_a_malformed_one_stops_start_up(tmp_path):
    assert _settings_of({"REDIS_PREFIX": "blog-eu"}, tmp_path)[0] == "blog-eu"
    with pytest.raises(AssertionError, match="REDIS_PREFIX must be 1-40 letters"):
        _settings_of({"REDIS_PREFIX": "blog:eu"}, tmp_path)
