"""Open WebSocket connections are a gauge that rises on connect and falls on disconnect; the
SSE transport is reported (0) before it exists."""

import pytest
from asgiref.sync import sync_to_async

from tests.realtime.conftest import connect

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

OPEN = "inkwell_open_connections"
OPENED = "inkwell_connections_opened_total"


async def test_sockets_are_counted_while_open(scrape):
    read = sync_to_async(scrape)
    before = await read()

    first, second = await connect(), await connect()
    while_open = await read()
    await first.disconnect()
    one_closed = await read()
    await second.disconnect()
    after = await read()

    assert (
        while_open.value(OPEN, transport="websocket")
        == before.value(OPEN, transport="websocket") + 2
    )
    assert (
        one_closed.value(OPEN, transport="websocket")
        == before.value(OPEN, transport="websocket") + 1
    )
    assert after.value(OPEN, transport="websocket") == before.value(OPEN, transport="websocket")
    assert (
        after.value(OPENED, transport="websocket")
        == before.value(OPENED, transport="websocket") + 2
    )
    assert (OPEN, frozenset({("transport", "sse")})) in after.samples
