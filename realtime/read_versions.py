"""Read versions: a token per broadcast group that changes whenever a change reaching that group
commits, so a cache of what readers see can be keyed by versions and never outlive a change.

``realtime.broadcast`` replaces the tokens of every group an announced event reaches (the
channel's own and each ``/*`` above it: ``/subscriptions/comments/<id>`` also changes
``/subscriptions/comments/*``), after the commit and before the broadcast, so a client that
reads on receiving the broadcast never finds the old version. A read fetches the tokens with
its cached entry in one round trip (``tokens_and``: one MGET); a bump is one ``set_many`` (one
MSET in a MULTI). Tokens are random, never counted: a version lost to eviction or a Redis
restart comes back as a new token, which no entry stored before matches.

The cache is one backend per process (``lib.process_cache``), fail-soft in production
(``config.cache``): while Redis is away a read misses and a bump is skipped, so entries stored
before the outage can outlive a change by at most their own timeout.
"""

import logging
import secrets
from collections.abc import Sequence
from typing import Any

from lib.process_cache import process_cache
from realtime.groups import ChannelPath, delivery_groups, group_name, parse_channel_path

logger = logging.getLogger(__name__)

# A version outlives any entry stored under it (entries live seconds); when it expires the
# next read starts a new one, which no older entry matches.
_VERSION_SECONDS = 24 * 3600

Tokens = tuple[str | None, ...]


# The name the read caches (blog.read_cache) and tests use.
shared_cache = process_cache


def version_key(channel: str) -> str:
    """The cache key of the read version of ``channel`` (a channel, or a ``/*`` wildcard)."""
    return f"read_version.{group_name(parse_channel_path(channel))}"


def bump(path: ChannelPath) -> None:
    """Give every group an event on ``path`` reaches a new version. Never raises: the change
    has committed, and its broadcast must still go."""
    tokens = {f"read_version.{group}": _new_token() for group in delivery_groups(path)}
    try:
        shared_cache().set_many(tokens, timeout=_VERSION_SECONDS)
    except Exception:
        logger.exception("The read versions of %s could not be bumped", path)


def tokens_and(version_keys: Sequence[str], key: str) -> tuple[Tokens, Any]:
    """The current tokens of ``version_keys`` (None for an unknown one) and the value at
    ``key`` (None if absent), in one round trip."""
    found = shared_cache().get_many([*version_keys, key])
    return tuple(found.get(version) for version in version_keys), found.get(key)


def current_tokens(version_keys: Sequence[str]) -> Tokens:
    """The current tokens of ``version_keys`` (None for an unknown one), in one round trip."""
    found = shared_cache().get_many(list(version_keys))
    return tuple(found.get(version) for version in version_keys)


def started(version_keys: Sequence[str], tokens: Tokens) -> tuple[str, ...]:
    """``tokens`` with each unknown one started anew. A read calls this before it reads the
    database: replacing a version is always safe (it only makes older entries miss), so what
    it then stores under these tokens is at least as new as they are."""
    missing = {
        key: _new_token() for key, token in zip(version_keys, tokens, strict=True) if token is None
    }
    if missing:
        shared_cache().set_many(missing, timeout=_VERSION_SECONDS)
    return tuple(
        token if token is not None else missing[key]
        for key, token in zip(version_keys, tokens, strict=True)
    )


def _new_token() -> str:
    return secrets.token_hex(8)
