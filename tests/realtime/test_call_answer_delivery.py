"""A call's answer is written straight to the tab that asked, once, and reaches the browser's
other tabs through the channel layer; a broken layer costs the other tabs, never the asker."""

import asyncio
import json
import uuid

import pytest
from channels.layers import get_channel_layer

from tests.realtime.conftest import call, connect, open_session, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

QUERY = {"id": "q1", "method": "query", "params": {"path": "post.list"}}


async def _tabs(cookie: str, count: int):
    """``count`` connections of one browser, each subscribed to the shared session channel."""
    client_uuid = uuid.uuid4()
    tabs = [await connect(cookie) for _ in range(count)]
    channel = ""
    for tab in tabs:
        channel = f"/trpc/{await open_session(tab, client_uuid)}"
        assert (await subscribe(tab, channel, "calls"))["type"] == "subscribe_success"
    return tabs, channel


async def test_the_asking_tab_gets_its_answer_once_and_the_other_tab_gets_it_too(author_cookie):
    (asking, other), channel = await _tabs(author_cookie, 2)
    answer = await call(asking, channel, QUERY)
    assert answer["id"] == "q1"
    frame = await other.receive_json_from(timeout=5)
    assert frame["type"] == "data"
    assert frame["id"] == "calls"
    assert json.loads(frame["event"]) == answer
    # The layer's copy for the asking tab is skipped: nothing more arrives there.
    await asyncio.sleep(0.3)
    assert await asking.receive_nothing(timeout=0.3)
    for tab in (asking, other):
        await tab.disconnect()


async def test_the_asking_tab_is_answered_when_the_channel_layer_fails(author_cookie, monkeypatch):
    (asking, other), channel = await _tabs(author_cookie, 2)
    layer = get_channel_layer()

    async def layer_down(group, message):
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(layer, "group_send", layer_down)
    answer = await call(asking, channel, QUERY)
    assert answer["id"] == "q1"
    assert "result" in answer
    assert await other.receive_nothing(timeout=0.3)
    for tab in (asking, other):
        await tab.disconnect()


async def test_an_answer_skipped_for_one_connection_still_reaches_its_broadcasts(author_cookie):
    """``skip`` names one consumer: a broadcast without it is delivered to everyone."""
    from realtime.broadcast import asend_event
    from realtime.groups import parse_channel_path

    (asking, other), channel = await _tabs(author_cookie, 2)
    await asend_event(parse_channel_path(channel), json.dumps({"plain": True}))
    for tab in (asking, other):
        frame = await tab.receive_json_from(timeout=5)
        assert json.loads(frame["event"]) == {"plain": True}
        await tab.disconnect()
