"""Opaque cursors: keyset positions for listings (stable under inserts, constant cost at any
depth) and offsets for ranked search results."""

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
    """Where a newest-first listing stopped: the last item's creation time and id."""

    created_at: datetime
    id: UUID


def _pack(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _unpack(cursor: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInput(_INVALID) from None


def encode_position(position: Position) -> str:
    return _pack({"t": position.created_at.isoformat(), "id": str(position.id)})


def decode_position(cursor: str) -> Position:
    """The position inside ``cursor``; anything ``encode_position`` did not make is InvalidInput."""
    value = _unpack(cursor)
    try:
        created_at = datetime.fromisoformat(value["t"])
        if created_at.tzinfo is None:
            raise ValueError("naive")
        # In UTC, as stored; a far-off offset near year 1 or 9999 overflows here, not in SQL.
        position = Position(created_at.astimezone(UTC), UUID(value["id"]))
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
