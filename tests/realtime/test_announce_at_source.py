"""announce builds and checks the event where the change is raised: a payload JSON cannot
carry, or a channel no app declared, fails in the service's transaction, where the event is
logged; only sending waits for the commit."""

import json

import pytest
from django.db import transaction

from realtime.broadcast import Change, UndeclaredChannel, announce
from realtime.models import ChannelEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_unserialisable_payload_fails_when_announced_not_at_commit():
    with pytest.raises(TypeError), transaction.atomic():
        announce(Change("/subscriptions/posts", "posts", "created", ["1"], {"bad": object()}))


def test_an_undeclared_channel_fails_when_announced():
    with pytest.raises(UndeclaredChannel), transaction.atomic():
        announce(Change("/subscriptions/nothing", "nothing", "created", ["1"]))


def test_the_event_sent_is_the_one_built_and_logged_at_announce_time(monkeypatch):
    sent = []
    monkeypatch.setattr("realtime.broadcast.send_logged", lambda logged: sent.append(logged))
    data = {"title": "before"}
    with transaction.atomic():
        announce(Change("/subscriptions/posts", "posts", "updated", ["1"], data))
        data["title"] = "after"  # a later change to the dict is not what was announced
    [logged] = sent
    assert logged.channel == "/subscriptions/posts"
    assert json.loads(logged.event) == {
        "resource": "posts",
        "type": "updated",
        "ids": ["1"],
        "data": {"title": "before"},
        "epoch": logged.position.epoch,
        "offset": 1,
    }
    row = ChannelEvent.objects.get()
    assert (row.epoch, row.offset, json.loads(row.payload)["data"]) == (
        logged.position.epoch,
        1,
        {"title": "before"},
    )


def test_a_rolled_back_change_leaves_no_event_and_no_offset_taken(monkeypatch):
    sent = []
    monkeypatch.setattr("realtime.broadcast.send_logged", lambda logged: sent.append(logged))
    with pytest.raises(RuntimeError), transaction.atomic():
        announce(Change("/subscriptions/posts", "posts", "created", ["1"]))
        raise RuntimeError("the change fails after announcing")
    with transaction.atomic():
        announce(Change("/subscriptions/posts", "posts", "created", ["2"]))
    assert [logged.position.offset for logged in sent] == [1]
    assert list(ChannelEvent.objects.values_list("offset", flat=True)) == [1]
