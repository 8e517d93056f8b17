"""Channel paths name a session request, a session, a broadcast channel, or nothing we serve."""

import uuid

import pytest

from realtime.groups import parse_channel_path
from realtime.namespaces import (
    BroadcastChannel,
    SessionChannel,
    SessionRequestChannel,
    classify,
)
from realtime.protocol import ProtocolError

SESSION = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/trpc/session-request-1700000000000", SessionRequestChannel()),
        ("trpc/session-request-abc", SessionRequestChannel()),
        (f"/trpc/{SESSION}", SessionChannel(SESSION)),
        ("/subscriptions/posts", BroadcastChannel()),
        ("/subscriptions/*", BroadcastChannel()),
        ("/subscriptions/comments/*", BroadcastChannel()),
        (f"/subscriptions/comments/{SESSION}", BroadcastChannel()),
    ],
)
def test_inkwell_channels_are_recognised(path, kind):
    assert classify(parse_channel_path(path)) == kind


@pytest.mark.parametrize(
    ("path", "error_type"),
    [
        ("/chat/room", "ResourceNotFoundException"),
        ("/subscriptions/users", "ResourceNotFoundException"),
        ("/subscriptions/posts/*", "ResourceNotFoundException"),
        ("/subscriptions/comments", "ResourceNotFoundException"),
        ("/trpc/*", "BadRequestException"),
        ("/trpc", "BadRequestException"),
        ("/trpc/session-request", "BadRequestException"),
        (f"/trpc/{SESSION.upper()}", "BadRequestException"),
        (f"/trpc/{SESSION}/x", "BadRequestException"),
    ],
)
def test_other_paths_are_refused_with_a_clear_error(path, error_type):
    with pytest.raises(ProtocolError) as raised:
        classify(parse_channel_path(path))
    assert raised.value.error_type == error_type
