"""A client away longer than the kept history, on a live server: it is told "not recovered"
and is live from the head, never left with a silent gap; a client whose last event is just
inside the history gets every event after it."""

import asyncio
import json

import pytest

from tests.chaos.site import UNTHROTTLED, WRITER, chaos_site_in, write_comments
from tests.realtime.servers import ask, open_socket

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

KEPT = 5  # events kept per channel by prune_events


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    settings = UNTHROTTLED | {"REALTIME_EVENT_LOG_MAX_PER_CHANNEL": str(KEPT)}
    with chaos_site_in(tmp_path_factory.mktemp("chaos"), **settings) as site:
        yield site


async def _offsets(socket, count: int) -> list[int]:
    offsets = []
    async with asyncio.timeout(10):
        while len(offsets) < count:
            frame = json.loads(await socket.recv())
            if frame["type"] == "data":
                offsets.append(json.loads(frame["event"])["offset"])
    return offsets


async def _scenario(site, server, token: str) -> dict[str, tuple[dict, list[int]]]:
    channel = f"/subscriptions/comments/{site.post_id}"

    async def write(count: int) -> None:
        await asyncio.to_thread(write_comments, [server], token, site.post_id, count)

    async with await open_socket(server.ws_url, token=token, origin=False) as socket:
        answer = await ask(socket, {"type": "subscribe", "id": "s", "channel": channel})
        assert answer["type"] == "subscribe_success", answer
        await write(3)
        assert await _offsets(socket, 3) == [1, 2, 3]
    # Away while ten more are written and the cron job prunes: offsets 9 to 13 are kept.
    await write(10)
    await asyncio.to_thread(site.manage, "prune_events")
    epoch = json.loads(
        await asyncio.to_thread(
            site.shell,
            "import json; from realtime.event_log import head\n"
            f"print(json.dumps(head({channel!r}).epoch))",
        )
    )
    outcomes = {}
    for name, since in (
        ("too old", {"epoch": epoch, "offset": 7}),
        ("another history", {"epoch": "0badc0de", "offset": 3}),
        ("just inside", {"epoch": epoch, "offset": 8}),
    ):
        async with await open_socket(server.ws_url, token=token, origin=False) as socket:
            frame = {"type": "subscribe", "id": "s", "channel": channel, "since": since}
            answer = await ask(socket, frame)
            head = answer["position"]["offset"]
            backlog = head - since["offset"] if answer.get("recovered") else 0
            await write(1)  # live after the backlog, or straight away
            outcomes[name] = (answer, await _offsets(socket, backlog + 1))
    return outcomes


def test_a_client_older_than_the_history_is_told_not_recovered_never_left_with_a_gap(site):
    token = site.token(WRITER)
    with site.serving() as server:
        outcomes = asyncio.run(_scenario(site, server, token))

    answer, offsets = outcomes["too old"]
    assert (answer["type"], answer["recovered"]) == ("subscribe_success", False)
    assert answer["position"]["offset"] == 13
    assert "no longer reaches back to offset 7" in answer["message"]
    assert offsets == [14]  # live from the head: nothing that would look like a recovery

    answer, offsets = outcomes["another history"]
    assert (answer["recovered"], answer["position"]["offset"]) == (False, 14)
    assert offsets == [15]

    answer, offsets = outcomes["just inside"]
    assert (answer["recovered"], answer["position"]["offset"]) == (True, 15)
    assert offsets == [9, 10, 11, 12, 13, 14, 15, 16]
