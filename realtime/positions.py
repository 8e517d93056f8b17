"""Positions in a channel's history, and the events that carry them. Pure: no Django.

A position is a channel's ``(epoch, offset)``. Every logged event a subscriber receives carries
its own inside its JSON (``"epoch"``, ``"offset"``); a client hands one back (``since`` on an
AppSync subscribe, the SSE ``Last-Event-ID``) to be sent what it missed. ``BEFORE_HISTORY``
(``{"epoch": "", "offset": 0}``) is the position of a channel that has had no event yet: a
client that saw it is sent everything from the channel's first event.
"""

from dataclasses import dataclass

# Offsets are read by JavaScript clients: beyond 2**53 they would not survive a round trip.
MAX_OFFSET = 2**53 - 1
_EPOCH_MAX_LENGTH = 16


class InvalidPosition(ValueError):
    """A position a client sent that is not ``{"epoch": str, "offset": int ≥ 0}``."""


class NotRecovered(Exception):
    """The events after a position cannot all be sent: the history no longer reaches back that
    far, or the channel's epoch changed. The client must reload its state."""

    def __init__(self, message: str, head: "Position | None") -> None:
        super().__init__(message)
        self.message = message
        self.head = head


@dataclass(frozen=True, order=True)
class Position:
    epoch: str
    offset: int

    @classmethod
    def parse(cls, raw: object) -> "Position":
        """A position from a client: ``{"epoch": "…", "offset": n}``."""
        if not isinstance(raw, dict):
            raise InvalidPosition('A position is {"epoch": "…", "offset": n}.')
        epoch, offset = raw.get("epoch"), raw.get("offset")
        if not isinstance(epoch, str) or len(epoch) > _EPOCH_MAX_LENGTH:
            raise InvalidPosition(f"epoch is a string of at most {_EPOCH_MAX_LENGTH} characters.")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise InvalidPosition("offset is a whole number, 0 or more.")
        if offset > MAX_OFFSET:
            raise InvalidPosition(f"offset is at most {MAX_OFFSET}.")
        if not epoch and offset:
            raise InvalidPosition('Only offset 0 has no epoch: {"epoch": "", "offset": 0}.')
        return cls(epoch, offset)

    def as_json(self) -> dict[str, str | int]:
        return {"epoch": self.epoch, "offset": self.offset}

    def event_id(self) -> str:
        """The position as one string: the ``id:`` of an SSE event."""
        return f"{self.epoch}:{self.offset}"

    @classmethod
    def from_event_id(cls, text: str) -> "Position":
        epoch, separator, offset = text.rpartition(":")
        if not separator or not offset.isdigit():
            raise InvalidPosition("An event id is <epoch>:<offset>.")
        return cls.parse({"epoch": epoch, "offset": int(offset)})


# Where a channel that has had no event yet stands.
BEFORE_HISTORY = Position("", 0)


@dataclass(frozen=True)
class LoggedEvent:
    """An event as delivered: its channel, its position, and its JSON text (position included)."""

    channel: str
    position: Position
    event: str


def with_position(payload: str, position: Position) -> str:
    """The event text subscribers get: ``payload`` (a JSON object) with its position added."""
    epoch = position.epoch.replace("\\", "\\\\").replace('"', '\\"')
    return f'{payload[:-1]},"epoch":"{epoch}","offset":{position.offset}}}'
