"""The site without the event log's writes: the ASGI application of bench/event_log.py's
comparison server (``python -m config.serve … bench.event_log_off:application``), never
imported anywhere else.

Importing it replaces the two statements the log adds to an announced write, for the life of
the process: ``event_log.append`` (on PostgreSQL one statement, the channel head's upsert and
the event's insert, in the write's transaction) gives the next position of a counter of this
process and writes nothing; ``event_log.mark_relayed`` (the fast path's UPDATE after the
commit) does nothing. Everything else is as deployed: the event is built, gets a position, and
is published on commit.
"""

import itertools

from config.asgi import application
from realtime import event_log
from realtime.positions import Position

__all__ = ["application"]

_offsets = itertools.count(1)


def _append_nothing(channel: str, payload: str) -> tuple[int, Position]:
    return 0, Position("nolog", next(_offsets))


def _mark_nothing(row_ids: list[int]) -> None:
    return None


event_log.append = _append_nothing  # type: ignore[assignment]
event_log.mark_relayed = _mark_nothing
