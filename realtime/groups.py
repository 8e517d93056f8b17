"""Channel paths (``/subscriptions/comments/<id>``) and the Channels group names that carry them.

Channels group names allow only ASCII letters, digits, ``-``, ``_`` and ``.``, and fewer than
100 characters; AppSync channel paths use ``/``. This module is the one place that maps them.
"""

import hashlib
import re
from dataclasses import dataclass

MAX_SEGMENTS = 5
_SEGMENT = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$")
WILDCARD = "*"
_WILDCARD_GROUP_MARK = "_any"
_GROUP_NAME_LIMIT = 99


class InvalidChannelPath(ValueError):
    """The path is not ``/namespace/segment…`` with 1-5 valid segments."""


@dataclass(frozen=True)
class ChannelPath:
    """A normalised channel path: its segments, and whether it ends in ``/*``."""

    segments: tuple[str, ...]
    is_wildcard: bool = False

    @property
    def namespace(self) -> str:
        return self.segments[0]

    def __str__(self) -> str:
        return "/" + "/".join(self.segments + ((WILDCARD,) if self.is_wildcard else ()))


def parse_channel_path(raw: object) -> ChannelPath:
    """Read a client's channel path; leading and trailing ``/`` are optional."""
    if not isinstance(raw, str) or not raw.strip("/"):
        raise InvalidChannelPath("A channel path is /namespace/segment…")
    segments = raw.strip("/").split("/")
    is_wildcard = segments[-1] == WILDCARD
    if is_wildcard:
        segments = segments[:-1]
    if not segments or len(segments) + is_wildcard > MAX_SEGMENTS:
        raise InvalidChannelPath(f"A channel path has 1 to {MAX_SEGMENTS} segments.")
    for segment in segments:
        if not _SEGMENT.match(segment):
            raise InvalidChannelPath(
                f"Channel segment {segment[:60]!r} must be 1-50 letters, digits or '-', "
                "starting and ending with a letter or digit."
            )
    return ChannelPath(tuple(segments), is_wildcard)


def group_name(path: ChannelPath) -> str:
    """The Channels group a subscription to ``path`` joins."""
    parts = path.segments + ((_WILDCARD_GROUP_MARK,) if path.is_wildcard else ())
    name = "ch." + ".".join(parts)
    if len(name) > _GROUP_NAME_LIMIT:
        name = "ch.h." + hashlib.sha256(name.encode()).hexdigest()
    return name


def delivery_groups(path: ChannelPath) -> list[str]:
    """Every group an event on ``path`` reaches: the path's own and each ``/*`` above it."""
    if path.is_wildcard:
        raise InvalidChannelPath("Events cannot be published to a wildcard channel.")
    groups = [group_name(path)]
    for depth in range(1, len(path.segments)):
        groups.append(group_name(ChannelPath(path.segments[:depth], is_wildcard=True)))
    return groups
