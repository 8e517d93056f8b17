"""An announced change bumps the read versions of every group it reaches, after the commit and
before its broadcast is sent (realtime.read_versions, through realtime.broadcast.announce)."""

import pytest

from realtime import broadcast
from realtime.broadcast import Change, announce
from realtime.read_versions import shared_cache, version_key

pytestmark = pytest.mark.django_db

POST_ID = "6f1c2a8e-0000-4000-8000-000000000001"
COMMENTS = f"/subscriptions/comments/{POST_ID}"
REACHED = (COMMENTS, "/subscriptions/comments/*", "/subscriptions/*")


def versions(channels) -> list[str | None]:
    found = shared_cache().get_many([version_key(channel) for channel in channels])
    return [found.get(version_key(channel)) for channel in channels]


def test_a_change_bumps_every_group_it_reaches_and_no_other(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        announce(Change("/subscriptions/posts", "posts", "created", ["1"]))
    before = versions((*REACHED, "/subscriptions/posts"))

    with django_capture_on_commit_callbacks(execute=True):
        announce(Change(COMMENTS, "comments", "created", ["2"]))

    after = versions((*REACHED, "/subscriptions/posts"))
    assert None not in after
    assert [old != new for old, new in zip(before, after, strict=True)] == [True] * 3 + [False]


def test_nothing_is_bumped_before_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        announce(Change(COMMENTS, "comments", "created", ["2"]))
    assert versions(REACHED) == [None, None, None]
    callbacks[0]()
    assert None not in versions(REACHED)


def test_the_versions_are_bumped_before_the_broadcast_is_sent(
    monkeypatch, django_capture_on_commit_callbacks
):
    seen_at_send: list[str | None] = []

    class RecordingLayer:
        async def group_send(self, group: str, message: dict) -> None:
            seen_at_send.append(versions([COMMENTS])[0])

    monkeypatch.setattr(broadcast, "get_channel_layer", RecordingLayer)
    with django_capture_on_commit_callbacks(execute=True):
        announce(Change(COMMENTS, "comments", "created", ["2"]))
    bumped = versions([COMMENTS])[0]
    assert bumped is not None
    assert seen_at_send == [bumped] * len(REACHED)


def test_a_cache_that_fails_does_not_stop_the_broadcast(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[str] = []

    class BrokenCache:
        def set_many(self, *args, **kwargs):
            raise RuntimeError("cache broken")

    class RecordingLayer:
        async def group_send(self, group: str, message: dict) -> None:
            sent.append(group)

    monkeypatch.setattr("lib.process_cache._shared", BrokenCache())
    monkeypatch.setattr(broadcast, "get_channel_layer", RecordingLayer)
    with django_capture_on_commit_callbacks(execute=True):
        announce(Change(COMMENTS, "comments", "created", ["2"]))
    assert len(sent) == len(REACHED)
