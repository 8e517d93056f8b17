"""A Daphne process killed (SIGKILL) and started again while 1,000 comments are written: its
client reconnects with ``since`` and gets every event exactly once and in offset order, and a
client of the process that stayed up gets them all too, without reconnecting."""

import asyncio
import time

import pytest

from tests.chaos.site import UNTHROTTLED, WRITER, chaos_site_in, server_errors, write_comments
from tests.chaos.subscriber import Subscriber

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

EVENTS = 1000
KILL_AFTER = 300  # events the killed process's client has received when the process dies
DOWN_SECONDS = 1  # from the kill to the restart, which itself takes a few seconds
DELIVERY_SECONDS = 60  # for everything: writing, the restart, the recovery


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with chaos_site_in(tmp_path_factory.mktemp("chaos"), **UNTHROTTLED) as site:
        yield site


async def _restart_while_writing(site, restarted, survivor, token: str):
    channel = f"/subscriptions/comments/{site.post_id}"
    # Each reconnects to the same address: the restarted process listens on its old port.
    on_restarted = Subscriber(lambda: restarted.ws_url, token, channel)
    on_survivor = Subscriber(lambda: survivor.ws_url, token, channel)
    stored: list[int] = []  # how many comments the database holds, once the writers are done

    def is_complete(subscriber: Subscriber) -> bool:
        return bool(stored) and len(subscriber.received) >= stored[0]

    tasks = [
        asyncio.create_task(s.run(lambda s=s: is_complete(s))) for s in (on_restarted, on_survivor)
    ]
    for subscriber in (on_restarted, on_survivor):
        await asyncio.wait_for(subscriber.subscribed.wait(), 10)
    # Writers on both processes; those of the killed one go to the other while it is away.
    writing = asyncio.create_task(
        asyncio.to_thread(write_comments, [restarted, survivor], token, site.post_id, EVENTS)
    )
    async with asyncio.timeout(DELIVERY_SECONDS):
        while len(on_restarted.received) < KILL_AFTER:
            await asyncio.sleep(0.01)
    await asyncio.to_thread(restarted.kill)
    killed_at = len(on_restarted.received)
    await asyncio.sleep(DOWN_SECONDS)
    await asyncio.to_thread(restarted.start)
    acknowledged = await writing
    # A comment whose request the kill cut short may be stored without an answer: the
    # database, not the writers, says how many events there are.
    stored.append(len(await asyncio.to_thread(site.comment_ids)))
    await asyncio.wait_for(asyncio.gather(*tasks), DELIVERY_SECONDS)
    return on_restarted, on_survivor, acknowledged, killed_at


def test_a_client_of_a_killed_process_recovers_every_event_once_in_order(site):
    token = site.token(WRITER)
    with site.serving() as restarted, site.serving() as survivor:
        started = time.monotonic()
        on_restarted, on_survivor, acknowledged, killed_at = asyncio.run(
            _restart_while_writing(site, restarted, survivor, token)
        )
        took = time.monotonic() - started
        survivor_errors = server_errors(survivor)

    stored = site.comment_ids()
    assert len(acknowledged) == EVENTS
    assert set(acknowledged) <= stored
    recovered = on_restarted.answers[1:]
    backlog = recovered[0]["position"]["offset"] - killed_at if recovered else 0
    print(
        f"{len(stored)} events in {took:.1f} s; killed after {killed_at}, "
        f"{backlog} recovered from the log on subscribing again"
    )
    assert killed_at < len(stored) - 100, "the restart came too late to miss anything"
    for subscriber in (on_restarted, on_survivor):
        assert subscriber.offsets() == list(range(1, len(stored) + 1))
        assert set(subscriber.ids()) == stored
        assert subscriber.not_recovered == []
        assert subscriber.errors == []
    assert on_survivor.reconnects == 0
    # The client of the killed process subscribed again once, recovering from its last event.
    assert on_restarted.reconnects >= 1
    assert recovered, "no subscription after the restart"
    assert all(answer.get("recovered") is True for answer in recovered), recovered
    assert survivor_errors == []
