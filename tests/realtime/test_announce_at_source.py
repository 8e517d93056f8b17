"""announce builds and checks the event where the change is raised: a payload JSON cannot
carry, or a channel no app declared, fails in the service's transaction; only sending waits
for the commit."""

import pytest
from django.db import transaction

from realtime.broadcast import Change, UndeclaredChannel, announce

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_unserialisable_payload_fails_when_announced_not_at_commit():
    with pytest.raises(TypeError), transaction.atomic():
        announce(Change("/subscriptions/posts", "posts", "created", ["1"], {"bad": object()}))


def test_an_undeclared_channel_fails_when_announced():
    with pytest.raises(UndeclaredChannel), transaction.atomic():
        announce(Change("/subscriptions/nothing", "nothing", "created", ["1"]))


def test_the_event_sent_is_the_one_built_at_announce_time(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "realtime.broadcast._send", lambda path, event, change: sent.append((str(path), event))
    )
    data = {"title": "before"}
    with transaction.atomic():
        announce(Change("/subscriptions/posts", "posts", "updated", ["1"], data))
        data["title"] = "after"  # a later change to the dict is not what was announced
    assert sent == [
        (
            "/subscriptions/posts",
            '{"resource": "posts", "type": "updated", "ids": ["1"], "data": {"title": "before"}}',
        )
    ]
