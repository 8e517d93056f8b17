"""Opaque cursors: keyset positions for listings (stable under inserts, constant cost at any
depth) and offsets for ranked search results.

A position's time is the one its listing orders by: ``published_at`` for published posts,
``created_at`` for drafts. Cursors made before listings ordered by ``published_at`` hold a
``created_at``; they decode the same and stay valid, read as a publication time (which is what
the migration gave every post published then), so a page already open goes on from about where
it was.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from lib.errors import InvalidInput

T = TypeVar("T")
# Items on a page of posts (listings, the feed, search results), and the most one may ask for.
PAGE_SIZE = 20
PAGE_SIZE_MAX = 50
_INVALID = {"cursor": ["This cursor is not valid."]}


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class Position:
    """Where a newest-first listing stopped: the last item's time (the one the listing orders
    by) and id."""

    at: datetime
    id: UUID


def _pack(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _unpack(cursor: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInput(_INVALID) from None


def encode_position(position: Position) -> str:
    return _pack({"t": position.at.isoformat(), "id": str(position.id)})


def decode_position(cursor: str) -> Position:
    """The position inside ``cursor``; anything ``encode_position`` did not make is InvalidInput."""
    value = _unpack(cursor)
    try:
        at = datetime.fromisoformat(value["t"])
        if at.tzinfo is None:
            raise ValueError("naive")
        # In UTC, as stored; a far-off offset near year 1 or 9999 overflows here, not in SQL.
        position = Position(at.astimezone(UTC), UUID(value["id"]))
    except (KeyError, TypeError, ValueError, OverflowError):
        raise InvalidInput(_INVALID) from None
    return position


def encode_offset(offset: int) -> str:
    return _pack({"o": offset})


def decode_offset(cursor: str) -> int:
    value = _unpack(cursor)
    offset = value.get("o") if isinstance(value, dict) else None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise InvalidInput(_INVALID)
    return offset
