"""Inkwell's channel namespaces: which kind of channel a path names, or why it names none.

``/trpc/…`` is realtime's own; the ``/subscriptions/…`` channels are declared by the apps that
announce on them (``declare_broadcast_channel``, from their ``AppConfig.ready``), so realtime
knows no app's resources. Pure: no Django. The consumer decides who may subscribe and publish
from the kind.
"""

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from realtime.groups import ChannelPath
from realtime.protocol import BAD_REQUEST, RESOURCE_NOT_FOUND, ProtocolError

TRPC = "trpc"
SUBSCRIPTIONS = "subscriptions"
SESSION_REQUEST_PREFIX = "session-request-"
# A segment of a declared channel that stands for any one segment: ``<post-id>``.
_PLACEHOLDER = re.compile(r"^<[a-z][a-z0-9-]*>$")

# Declared broadcast channels, each its segments (placeholders included), in declaration order.
_broadcast_channels: list[tuple[str, ...]] = []
# Who may subscribe to a restricted channel: a check of the subscriber (a user), which may use
# the ORM (the consumer calls it through a named database_sync_to_async crossing).
SubscriberCheck = Callable[[Any], bool]
_restricted_channels: dict[tuple[str, ...], SubscriberCheck] = {}

# Whether anyone, signed in or not, may read a channel: given its placeholders' values
# ({"<name>": "…"}), it answers for that one channel (it may read the database).
PublicReadCheck = Callable[[Mapping[str, str]], bool]
# The declared channels that signed-out readers (public read keys) may subscribe to.
_public_read_checks: dict[tuple[str, ...], PublicReadCheck] = {}


def declare_broadcast_channel(
    pattern: str,
    *,
    may_subscribe: SubscriberCheck | None = None,
    readable_by_anyone: PublicReadCheck | None = None,
) -> None:
    """Let clients subscribe to ``pattern`` (``/subscriptions/<resource>`` or with ``<name>``
    segments standing for any one segment), and to the ``/*`` wildcards above it. Declaring a
    pattern twice is harmless.

    With ``may_subscribe`` the channel is restricted: only users it accepts may subscribe, and
    no wildcard reaches it (its events go to its own group only). With ``readable_by_anyone``,
    public read keys may subscribe to the channels it answers True for."""
    segments = tuple(pattern.strip("/").split("/"))
    if segments[0] != SUBSCRIPTIONS or len(segments) < 2:
        raise ValueError(f"A broadcast channel is /{SUBSCRIPTIONS}/…, not {pattern!r}.")
    if segments not in _broadcast_channels:
        _broadcast_channels.append(segments)
    if may_subscribe is not None:
        _restricted_channels[segments] = may_subscribe
    if readable_by_anyone is not None:
        _public_read_checks[segments] = readable_by_anyone


def subscriber_check(path: ChannelPath) -> SubscriberCheck | None:
    """Who may subscribe to ``path``: its check if it is a restricted channel, else None."""
    if path.is_wildcard:
        return None
    for declared, check in _restricted_channels.items():
        if _matches(path.segments, declared):
            return check
    return None


def is_restricted(path: ChannelPath) -> bool:
    return subscriber_check(path) is not None


def is_readable_by_anyone(path: ChannelPath) -> bool:
    """Whether ``path`` is one concrete channel that its declaration lets anyone read. Never a
    wildcard: one would cover channels (those of a draft) that are not everyone's."""
    if path.is_wildcard:
        return False
    for declared, check in _public_read_checks.items():
        if _matches(path.segments, declared):
            placeholders = {
                expected[1:-1]: segment
                for segment, expected in zip(path.segments, declared, strict=True)
                if _PLACEHOLDER.match(expected)
            }
            return check(placeholders)
    return False


def is_declared(path: ChannelPath) -> bool:
    """Whether events may be sent on ``path``: it is one of the declared channels."""
    return not path.is_wildcard and any(
        _matches(path.segments, declared) for declared in _broadcast_channels
    )


def _matches(segments: tuple[str, ...], declared: tuple[str, ...]) -> bool:
    return len(segments) == len(declared) and all(
        _PLACEHOLDER.match(expected) or segment == expected
        for segment, expected in zip(segments, declared, strict=True)
    )


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
    """A declared channel, or a ``/*`` wildcard over part of one."""
    for declared in _broadcast_channels:
        if path.is_wildcard and declared in _restricted_channels:
            continue
        if path.is_wildcard:
            covered = len(path.segments) < len(declared) and _matches(
                path.segments, declared[: len(path.segments)]
            )
        else:
            covered = _matches(path.segments, declared)
        if covered:
            return BroadcastChannel()
    known = ", ".join("/" + "/".join(declared) for declared in _broadcast_channels)
    raise ProtocolError(
        RESOURCE_NOT_FOUND, f"No channel {path}: there are {known} and their /* wildcards."
    )


def _is_canonical_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False
