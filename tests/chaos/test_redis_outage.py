"""Redis away for ten seconds: reads and writes keep answering (never a 500), every
acknowledged write is stored, and live delivery comes back by itself when Redis does."""

import asyncio
import json
import threading
import time

import pytest

from tests.chaos.site import WRITER, call
from tests.realtime.servers import ask, open_socket

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

OUTAGE_SECONDS = 10


def _comment(url: str, token: str, post_id: str, content: str):
    return call(
        "POST",
        f"{url}/api/trpc/comment.create",
        token=token,
        json={"postId": post_id, "content": content},
    )


async def _a_new_comment_arrives_live(server, token: str, post_id: str) -> bool:
    """A fresh subscriber to the post's comments receives a comment written after it joined."""
    socket = await open_socket(server.ws_url, token=token, origin=False)
    try:
        channel = f"/subscriptions/comments/{post_id}"
        subscribed = await ask(socket, {"type": "subscribe", "id": "c", "channel": channel})
        assert subscribed["type"] == "subscribe_success", subscribed
        written = await asyncio.to_thread(_comment, server.url, token, post_id, "After the outage")
        assert written.status_code == 200, written.text
        comment_id = written.json()["result"]["data"]["id"]
        async with asyncio.timeout(5):
            while True:
                frame = json.loads(await socket.recv())
                if frame["type"] == "data" and comment_id in json.loads(frame["event"])["ids"]:
                    return True
    finally:
        await socket.close()


def test_a_redis_outage_keeps_reads_and_writes_serving_and_live_delivery_resumes(chaos_site):
    token = chaos_site.token(WRITER)
    post_id = chaos_site.post_id
    reads: list[int] = []
    writes: list[tuple[int, str | None]] = []
    stop = threading.Event()

    with chaos_site.serving() as server:

        def read() -> None:
            while not stop.is_set():
                reads.append(
                    call("GET", f"{server.url}/api/trpc/post.list", token=token).status_code
                )
                time.sleep(0.1)  # a reader's pace, not a measurement

        def write() -> None:
            number = 0
            while not stop.is_set():
                answer = _comment(server.url, token, post_id, f"Written during chaos {number}")
                created = (
                    answer.json()["result"]["data"]["id"] if answer.status_code == 200 else None
                )
                writes.append((answer.status_code, created))
                number += 1
                time.sleep(0.2)  # a writer's pace

        workers = [threading.Thread(target=read), threading.Thread(target=write)]
        for worker in workers:
            worker.start()
        try:
            time.sleep(2)
            chaos_site.redis.stop()
            time.sleep(OUTAGE_SECONDS)
            chaos_site.redis.start()
            time.sleep(3)
        finally:
            stop.set()
            for worker in workers:
                worker.join()
        delivered = asyncio.run(_a_new_comment_arrives_live(server, token, post_id))

    write_statuses = [status for status, _ in writes]
    assert reads and writes
    assert 500 not in reads + write_statuses
    assert set(reads) == {200}, reads
    assert set(write_statuses) == {200}, write_statuses
    acknowledged = {created for _, created in writes if created}
    assert acknowledged <= chaos_site.comment_ids()
    assert delivered
