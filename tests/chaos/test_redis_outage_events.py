"""Redis away for ten seconds while 500 changes commit: once it is back, every subscriber gets
all 500, each once and in offset order, and none is reported lost.

What the pub/sub layer does: the subscribers' sockets stay open through the outage (nothing
tells a client to reconnect), and redis-py subscribes again by itself once Redis answers. The
relay may publish the 500 before that, so the layer tells its consumers it reconnected and
each subscription reads what it missed from the log (``realtime.layers``). A client that
reconnected anyway would subscribe with ``since``; these never need to."""

import asyncio
import time

import pytest

from tests.chaos.site import UNTHROTTLED, WRITER, chaos_site_in, write_comments
from tests.chaos.subscriber import Subscriber

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

OUTAGE_SECONDS = 10
CHANGES = 500
DELIVERY_SECONDS = 30  # from Redis' return until every subscriber has every event


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with chaos_site_in(tmp_path_factory.mktemp("chaos"), **UNTHROTTLED) as site:
        yield site


async def _outage(site, servers, token: str) -> tuple[list[Subscriber], list[str]]:
    channel = f"/subscriptions/comments/{site.post_id}"
    subscribers = [Subscriber(lambda s=server: s.ws_url, token, channel) for server in servers]
    expected = 1 + CHANGES
    tasks = [
        asyncio.create_task(s.run(lambda s=s: len(s.received) >= expected)) for s in subscribers
    ]
    for subscriber in subscribers:
        await asyncio.wait_for(subscriber.subscribed.wait(), 10)
    # Live before the outage.
    (before,) = await asyncio.to_thread(write_comments, servers, token, site.post_id, 1)
    async with asyncio.timeout(10):
        while not all(s.received for s in subscribers):
            await asyncio.sleep(0.05)
    await asyncio.to_thread(site.redis.stop)
    went_down = time.monotonic()
    during = await asyncio.to_thread(
        write_comments, servers, token, site.post_id, CHANGES, writers=8
    )
    # Away for OUTAGE_SECONDS, or longer on a machine too slow to commit them all by then.
    await asyncio.sleep(max(0.0, went_down + OUTAGE_SECONDS - time.monotonic()))
    await asyncio.to_thread(site.redis.start)
    came_back = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*tasks), DELIVERY_SECONDS)
    print(
        f"Redis away {came_back - went_down:.1f} s; all delivered "
        f"{time.monotonic() - came_back:.1f} s after it returned; "
        f"reconnects {[s.reconnects for s in subscribers]}"
    )
    return subscribers, [before, *during]


def test_changes_committed_while_redis_is_away_reach_every_subscriber_once_in_order(site):
    token = site.token(WRITER)
    with site.serving() as server_a, site.serving() as server_b:
        subscribers, written = asyncio.run(_outage(site, [server_a, server_b], token))

    assert set(written) == site.comment_ids()
    for subscriber in subscribers:
        assert subscriber.offsets() == list(range(1, 2 + CHANGES))
        assert sorted(subscriber.ids()) == sorted(written)
        assert subscriber.not_recovered == []
        assert subscriber.errors == []
