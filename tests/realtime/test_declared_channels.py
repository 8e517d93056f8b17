"""Broadcast channels are declared by the apps that announce on them; realtime validates
subscriptions against the declarations and knows no app's resource names."""

from pathlib import Path

import pytest

from realtime import namespaces
from realtime.groups import parse_channel_path
from realtime.namespaces import BroadcastChannel, classify, declare_broadcast_channel
from realtime.protocol import ProtocolError

REALTIME = Path(namespaces.__file__).parent


@pytest.fixture
def declarations(monkeypatch):
    monkeypatch.setattr(namespaces, "_broadcast_channels", [])


def test_a_declared_channel_its_instances_and_wildcards_can_be_subscribed(declarations):
    declare_broadcast_channel("/subscriptions/albums/<album-id>/photos")
    for path in ("/subscriptions/albums/a1/photos", "/subscriptions/albums/*", "/subscriptions/*"):
        assert classify(parse_channel_path(path)) == BroadcastChannel()


@pytest.mark.parametrize(
    "path", ["/subscriptions/albums/a1", "/subscriptions/albums/a1/photos/*", "/subscriptions/x"]
)
def test_anything_not_declared_is_refused_naming_what_is(declarations, path):
    declare_broadcast_channel("/subscriptions/albums/<album-id>/photos")
    with pytest.raises(ProtocolError) as raised:
        classify(parse_channel_path(path))
    assert raised.value.error_type == "ResourceNotFoundException"
    assert "/subscriptions/albums/<album-id>/photos" in raised.value.message


def test_nothing_can_be_subscribed_before_an_app_declares_it(declarations):
    with pytest.raises(ProtocolError):
        classify(parse_channel_path("/subscriptions/posts"))


def test_a_channel_outside_the_subscriptions_namespace_cannot_be_declared(declarations):
    with pytest.raises(ValueError):
        declare_broadcast_channel("/trpc/<session>")


@pytest.mark.parametrize("module", ["namespaces.py", "broadcast.py"])
def test_realtime_names_no_blog_resource(module):
    source = (REALTIME / module).read_text()
    assert "posts" not in source
    assert "comments" not in source
