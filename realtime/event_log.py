"""Reading and writing the event log (``realtime.models``): positions, appends, backlogs.

A position is a channel's ``(epoch, offset)``. Every event a subscriber receives carries its
own inside its JSON (``"epoch"``, ``"offset"``); a client hands one back (``since`` on an
AppSync subscribe, the SSE ``Last-Event-ID``) to be sent what it missed. The log keeps a bounded
history per channel: what is older cannot be recovered, and the client is told so
(``NotRecovered``), never left with a silent gap.

Everything here is synchronous ORM code; the async twins at the end cross to a thread.
"""

import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from django.db.models import Expression, OuterRef, Subquery
from django.utils import timezone

from realtime.models import ChannelEvent, ChannelHead
from realtime.positions import (
    BEFORE_HISTORY,
    InvalidPosition,
    LoggedEvent,
    NotRecovered,
    Position,
    with_position,
)


def _logged(row: ChannelEvent) -> LoggedEvent:
    position = Position(row.epoch, row.offset)
    return LoggedEvent(row.channel, position, with_position(row.payload, position))


# --- Writing -------------------------------------------------------------------------------


def append(channel: str, payload: str) -> tuple[int, Position]:
    """Log ``payload`` (a JSON object's text) as the next event of ``channel``, in the caller's
    transaction; its row id and position.

    The head's row stays locked until the transaction ends: announcements on one channel take
    their offsets in commit order. On PostgreSQL both writes are one statement.
    """
    new_epoch = secrets.token_hex(4)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                WITH head AS (
                    INSERT INTO realtime_channelhead (channel, epoch, last_offset)
                    VALUES (%s, %s, 1)
                    ON CONFLICT (channel)
                    DO UPDATE SET last_offset = realtime_channelhead.last_offset + 1
                    RETURNING epoch, last_offset
                )
                INSERT INTO realtime_channelevent
                    (channel, epoch, "offset", payload, created_at, relayed)
                SELECT %s, epoch, last_offset, %s, now(), false FROM head
                RETURNING id, epoch, "offset"
                """,
                [channel, new_epoch, channel, payload],
            )
            row_id, epoch, offset = cursor.fetchone()
            return row_id, Position(epoch, offset)
        cursor.execute(
            """
            INSERT INTO realtime_channelhead (channel, epoch, last_offset) VALUES (%s, %s, 1)
            ON CONFLICT (channel) DO UPDATE SET last_offset = last_offset + 1
            RETURNING epoch, last_offset
            """,
            [channel, new_epoch],
        )
        epoch, offset = cursor.fetchone()
    row = ChannelEvent.objects.create(channel=channel, epoch=epoch, offset=offset, payload=payload)
    return row.id, Position(epoch, offset)


def mark_relayed(row_ids: list[int]) -> None:
    """Mark rows as published. On PostgreSQL in one statement whose commit does not wait for
    the disk: a mark lost in a crash only has the relay publish the event again, and
    subscribers drop the repeat. The wait, a second WAL flush per write, was most of what the
    log added to ``post.create`` (bench/results/event_log.md)."""
    if not row_ids:
        return
    if connection.vendor != "postgresql":
        ChannelEvent.objects.filter(id__in=row_ids).update(relayed=True)
        return
    with connection.cursor() as cursor:
        # Local to the transaction: this statement's own, or the relay's sweep.
        cursor.execute(
            """
            UPDATE realtime_channelevent SET relayed = true
            FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous
            WHERE id = ANY(%s)
            """,
            [row_ids],
        )


# --- Reading -------------------------------------------------------------------------------


def head(channel: str) -> Position | None:
    """The position of ``channel``'s latest event; None when it has never had one."""
    row = ChannelHead.objects.filter(channel=channel).values_list("epoch", "last_offset").first()
    return Position(*row) if row else None


def head_columns(channel: Expression, prefix: str) -> dict[str, Subquery]:
    """Annotations giving each row the head of the channel ``channel`` names (an expression
    over the row, through OuterRef): ``<prefix>_epoch`` and ``<prefix>_offset``, NULL before
    its first event (see ``annotated_position``). Read by the statement that reads the rows,
    so both come from one snapshot: a page showing the rows and subscribing from these
    positions misses nothing committed after them and is sent nothing it already shows."""
    heads = ChannelHead.objects.filter(channel=channel)
    return {
        f"{prefix}_epoch": Subquery(heads.values("epoch")[:1]),
        f"{prefix}_offset": Subquery(heads.values("last_offset")[:1]),
    }


def annotated_position(epoch: str | None, offset: int | None) -> Position:
    """The position ``head_columns`` read for a row."""
    return BEFORE_HISTORY if epoch is None or offset is None else Position(epoch, offset)


def page_position(channel: str) -> Position:
    """Where a page rendered now stands on ``channel``. Read it before the content the page
    shows: a change committed after it then has a later offset, and the page's live client,
    subscribing with this position as ``since``, is sent it however long it took to connect."""
    return head(channel) or BEFORE_HISTORY


def events_after(channel: str, since: Position) -> list[LoggedEvent]:
    """Every event of ``channel`` after ``since``, in order, up to the head as it is now.

    Raises NotRecovered when they cannot all be sent, and InvalidPosition for a position
    beyond the head (no client was ever sent it).
    """
    current = head(channel)
    if since == BEFORE_HISTORY:
        if current is None:
            return []
        since = Position(current.epoch, 0)
    if current is None or current.epoch != since.epoch:
        raise NotRecovered(
            f"{channel} has had a new history since epoch {since.epoch!r}: reload.", current
        )
    if since.offset > current.offset:
        raise InvalidPosition(
            f"offset {since.offset} is beyond {channel}'s latest event ({current.offset})."
        )
    if since.offset == current.offset:
        return []
    rows = list(
        ChannelEvent.objects.filter(
            channel=channel, offset__gt=since.offset, offset__lte=current.offset
        ).order_by("offset")
    )
    if len(rows) != current.offset - since.offset or rows[0].epoch != since.epoch:
        raise NotRecovered(
            f"The history of {channel} no longer reaches back to offset {since.offset}: reload.",
            current,
        )
    return [_logged(row) for row in rows]


def events_between(channel: str, epoch: str, after: int, upto: int) -> list[LoggedEvent]:
    """The events of ``channel`` in ``epoch`` with ``after < offset < upto``, in order: the
    gap a subscriber found between two live events. Those that were pruned are missing."""
    rows = ChannelEvent.objects.filter(
        channel=channel, epoch=epoch, offset__gt=after, offset__lt=upto
    ).order_by("offset")
    return [_logged(row) for row in rows]


def events_since(channel: str, position: Position) -> list[LoggedEvent]:
    """The events of ``channel`` after ``position`` up to its head now, in order (all of the
    head's epoch when ``position`` is of another); those pruned are missing. What a
    subscription missed while the channel layer could not deliver to it."""
    current = head(channel)
    if current is None:
        return []
    after = position.offset if position.epoch == current.epoch else 0
    return events_between(channel, current.epoch, after, current.offset + 1)


def unrelayed(*, older_than: timedelta, limit: int) -> list[tuple[int, LoggedEvent]]:
    """Committed events the fast path has not marked as published, oldest first, each with its
    row id; locked (skipping rows another process's relay holds) until the transaction ends."""
    rows = (
        ChannelEvent.objects.select_for_update(skip_locked=True)
        .filter(relayed=False, created_at__lt=timezone.now() - older_than)
        .order_by("id")[:limit]
    )
    return [(row.id, _logged(row)) for row in rows]


# --- Retention -----------------------------------------------------------------------------


def prune(*, older_than: timedelta, keep_per_channel: int | None = None) -> int:
    """Delete the relayed events older than ``older_than``, and those before the last
    ``keep_per_channel`` of their channel (default: the setting); how many were deleted. Heads
    are kept, so offsets and epochs go on."""
    keep = keep_per_channel or settings.REALTIME_EVENT_LOG_MAX_PER_CHANNEL
    by_age, _ = ChannelEvent.objects.filter(
        relayed=True, created_at__lt=timezone.now() - older_than
    ).delete()
    last_offset = ChannelHead.objects.filter(channel=OuterRef("channel")).values("last_offset")
    by_count, _ = ChannelEvent.objects.filter(
        relayed=True, offset__lte=Subquery(last_offset) - keep
    ).delete()
    return by_age + by_count


# --- The crossings to the ORM ------------------------------------------------------------

ahead: Callable[..., Awaitable[Position | None]] = database_sync_to_async(head)
aevents_after: Callable[..., Awaitable[list[LoggedEvent]]] = database_sync_to_async(events_after)
aevents_between: Callable[..., Awaitable[list[LoggedEvent]]] = database_sync_to_async(
    events_between
)
aevents_since: Callable[..., Awaitable[list[LoggedEvent]]] = database_sync_to_async(events_since)
