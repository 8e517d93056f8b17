"""PostgreSQL restarted under load: while it is away every answer is 200 or 503 with Retry-After
(the 503 page for pages, SERVICE_UNAVAILABLE for procedures; never a 500) and /healthz says
"down"; every acknowledged write is stored, and within seconds of its return the pool has
recovered by itself and everything answers 200 again."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from tests.chaos.site import READER, WRITER, call

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

OUTAGE_SECONDS = 5
RECOVERY_SECONDS = 10  # from PostgreSQL accepting connections to the last refused request
STEADY_SECONDS = 3  # every kind of request answering 200 this long after the last refusal


@dataclass(frozen=True)
class Answer:
    started: float  # time.monotonic() when the request was sent
    status: int
    retry_after: str | None
    comment_id: str | None = None
    health: str | None = None  # /healthz's "ok", "degraded" or "down"


def _answer(kind: str, started: float, response: requests.Response) -> Answer:
    comment_id = health = None
    if kind == "comment" and response.status_code == 200:
        comment_id = response.json()["result"]["data"]["id"]
    if kind == "healthz":
        health = response.json()["status"]
    retry_after = response.headers.get("Retry-After")
    return Answer(started, response.status_code, retry_after, comment_id, health)


def _quiet_since(answers: dict[str, list[Answer]], came_back: float) -> float:
    """When the last refusal was sent, or PostgreSQL came back if none was sent after."""
    refused = [a.started for kind in answers.values() for a in list(kind) if a.status != 200]
    return max([came_back, *refused])


def _is_steady(answers: dict[str, list[Answer]], came_back: float) -> bool:
    quiet_since = _quiet_since(answers, came_back)
    return time.monotonic() - quiet_since >= STEADY_SECONDS and all(
        any(answer.started > quiet_since for answer in list(kind)) for kind in answers.values()
    )


def test_a_postgresql_restart_answers_503_never_500_and_everything_recovers_by_itself(
    chaos_site_on_private_postgres,
):
    site = chaos_site_on_private_postgres
    assert site.postgres is not None
    writer_token = site.token(WRITER)
    reader_token = site.token(READER)
    post_id = site.post_id
    answers: dict[str, list[Answer]] = {
        kind: [] for kind in ("page", "list", "me", "comment", "healthz")
    }
    stop = threading.Event()

    with site.serving() as server:
        requests_by_kind: dict[str, Callable[[int], requests.Response]] = {
            "page": lambda n: call("GET", f"{server.url}/"),
            "list": lambda n: call("GET", f"{server.url}/api/trpc/post.list"),
            "me": lambda n: call("GET", f"{server.url}/api/trpc/user.me", token=reader_token),
            "comment": lambda n: call(
                "POST",
                f"{server.url}/api/trpc/comment.create",
                token=writer_token,
                json={"postId": post_id, "content": f"Written while PostgreSQL restarts {n}"},
            ),
            "healthz": lambda n: call("GET", f"{server.url}/healthz"),
        }

        def keep_calling(kind: str) -> None:
            number = 0
            while not stop.is_set():
                started = time.monotonic()
                answers[kind].append(_answer(kind, started, requests_by_kind[kind](number)))
                number += 1
                time.sleep(0.2)  # a client's pace, not a measurement

        workers = [threading.Thread(target=keep_calling, args=(kind,)) for kind in answers]
        for worker in workers:
            worker.start()
        try:
            time.sleep(2)
            went_down = time.monotonic()  # requests from here on may meet it stopping
            site.postgres.stop()
            time.sleep(OUTAGE_SECONDS)
            site.postgres.start()  # returns once PostgreSQL accepts connections
            came_back = time.monotonic()
            deadline = came_back + RECOVERY_SECONDS + STEADY_SECONDS
            while time.monotonic() < deadline and not _is_steady(answers, came_back):
                time.sleep(0.2)  # watching the answers come in
        finally:
            stop.set()
            for worker in workers:
                worker.join()

    everything = [answer for kind in answers.values() for answer in kind]
    assert not [answer for answer in everything if answer.status == 500]
    refusals = [
        answer
        for kind in ("page", "list", "me", "comment")
        for answer in answers[kind]
        if answer.status != 200
    ]
    assert refusals, "no request met the outage"
    assert all(answer.status == 503 and answer.retry_after for answer in refusals), refusals

    quiet_since = _quiet_since(answers, came_back)
    assert quiet_since - came_back < RECOVERY_SECONDS
    for kind, made in answers.items():
        assert any(answer.started > quiet_since for answer in made), f"no {kind} after recovery"

    health_while_down = [
        (answer.status, answer.health)
        for answer in answers["healthz"]
        if went_down < answer.started < came_back
    ]
    assert (503, "down") in health_while_down, health_while_down
    assert set(health_while_down) <= {(503, "down"), (200, "ok")}, health_while_down
    assert (answers["healthz"][-1].status, answers["healthz"][-1].health) == (200, "ok")

    acknowledged = {answer.comment_id for answer in answers["comment"] if answer.comment_id}
    assert acknowledged, "no write was acknowledged"
    assert acknowledged <= site.comment_ids()
