"""Inkwell's channel namespaces: which kind of channel a path names, or why it names none.

Pure: no Django. The consumer decides who may subscribe and publish from the kind.
"""

import uuid
from dataclasses import dataclass

from realtime.groups import ChannelPath
from realtime.protocol import BAD_REQUEST, RESOURCE_NOT_FOUND, ProtocolError

TRPC = "trpc"
SUBSCRIPTIONS = "subscriptions"
SESSION_REQUEST_PREFIX = "session-request-"


@dataclass(frozen=True)
class SessionRequestChannel:
    """``/trpc/session-request-<ts>``: where a client asks for its session id."""


@dataclass(frozen=True)
class SessionChannel:
    """``/trpc/<session-id>``: one browser's procedure calls and their answers."""

    session_id: str


@dataclass(frozen=True)
class BroadcastChannel:
    """``/subscriptions/…``: committed changes, published by the server only."""


ChannelKind = SessionRequestChannel | SessionChannel | BroadcastChannel


def classify(path: ChannelPath) -> ChannelKind:
    """The kind of ``path``; ProtocolError when it is in no namespace Inkwell serves."""
    if path.namespace == TRPC:
        return _classify_trpc(path)
    if path.namespace == SUBSCRIPTIONS:
        return _classify_subscriptions(path)
    raise ProtocolError(
        RESOURCE_NOT_FOUND,
        f"Unknown namespace {path.namespace!r}: use /trpc/… or /subscriptions/….",
    )


def _classify_trpc(path: ChannelPath) -> ChannelKind:
    if path.is_wildcard or len(path.segments) != 2:
        raise ProtocolError(
            BAD_REQUEST,
            "A trpc channel is /trpc/<session-id> or /trpc/session-request-<timestamp>.",
        )
    segment = path.segments[1]
    if segment.startswith(SESSION_REQUEST_PREFIX) and len(segment) > len(SESSION_REQUEST_PREFIX):
        return SessionRequestChannel()
    if _is_canonical_uuid(segment):
        return SessionChannel(segment)
    raise ProtocolError(BAD_REQUEST, f"{segment!r} is not a session id (a lower-case UUID).")


def _classify_subscriptions(path: ChannelPath) -> ChannelKind:
    below = path.segments[1:]
    if (
        (not below and path.is_wildcard)
        or (below == ("posts",) and not path.is_wildcard)
        or (below == ("comments",) and path.is_wildcard)
        or (len(below) == 2 and below[0] == "comments" and not path.is_wildcard)
    ):
        return BroadcastChannel()
    raise ProtocolError(
        RESOURCE_NOT_FOUND,
        f"No channel {path}: there are /subscriptions/posts, /subscriptions/comments/<post-id> "
        "and their /* wildcards.",
    )


def _is_canonical_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False
