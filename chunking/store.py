"""The PostgreSQL-backed (SQLite by default) store of chunks of messages not yet whole, and of
the chunked calls they make, kept with their answers until they are old."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from chunking import codec
from chunking.models import ChunkedCall, IncomingMessage, MessageChunk
from lib.errors import InvalidInput, NotFound, PayloadTooLarge, ServiceError
from sessions_app.models import ClientSession

ABANDONED_AFTER = timedelta(hours=1)
MAX_INCOMPLETE_MESSAGES = 8
# A client re-sends only the calls it has in flight: older answers of a session are dropped.
KEPT_ANSWERS_PER_SESSION = 8


def delete_abandoned_chunks(*, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Delete chunks received, and chunked calls recorded, more than ``older_than`` ago; how
    many went.

    A message still missing chunks after an hour will never be completed by its client, and a
    client re-sends a call only while it waits for its answer (seconds). One DELETE statement
    per table, so concurrent runs from cron are safe.
    """
    cutoff = timezone.now() - older_than
    chunks, _ = MessageChunk.objects.filter(created_at__lt=cutoff).delete()
    IncomingMessage.objects.filter(created_at__lt=cutoff).delete()
    calls, _ = ChunkedCall.objects.filter(created_at__lt=cutoff).delete()
    return chunks + calls


def add_chunk(*, session: ClientSession, payload: object) -> bytes | None:
    """Store one chunk event of ``session``; the whole message's bytes once its last chunk is in.

    Chunks may come in any order, more than once, and through different server processes. On
    PostgreSQL a chunk that does not complete its message is one statement
    (``_STORE_ON_POSTGRESQL``): it reads what the rules need, inserts the chunk if they allow
    (a duplicate is ignored) and adds one to its message's ``IncomingMessage`` count, whose row
    lock makes exactly one of the chunks stored at once the one that completes the message. That
    one then, in one transaction, claims the message (deletes its count), takes its chunks and
    records the whole message as a ChunkedCall, so once this returns (and the last chunk is
    acknowledged) the call survives a crash of the process. A chunk of a message already
    recorded is sent again by a client that saw no answer: it is not stored, and the one with
    the last index hands the recorded message out again, for ``answer_once``, which runs a call
    once.

    The limits (incomplete messages per session, REALTIME_MAX_CHUNK_BYTES_PER_USER across the
    user's sessions) are checked against the chunks committed before the statement: chunks
    stored at the same moment through other sessions of the same user can pass the byte limit
    by at most one chunk each.
    Raises InvalidInput or PayloadTooLarge with the reason.
    """
    try:
        chunk = codec.parse_chunk(payload)
    except codec.ChunkLimitExceeded as error:
        raise PayloadTooLarge(str(error)) from None
    except codec.InvalidChunk as error:
        raise InvalidInput({"chunk": [str(error)]}, str(error)) from None
    if connection.vendor == "postgresql":
        progress, received = _store_in_one_statement(session, chunk)
    else:
        progress, received = _store_in_a_transaction(session, chunk)
    if progress.is_recorded:
        if chunk.chunk_index < chunk.total_chunks - 1:
            return None
        recorded = ChunkedCall.objects.filter(session=session, message_id=chunk.message_id)
        return recorded.values_list("message", flat=True).get().encode()
    refusal = _refusal(progress, chunk)
    if refusal is not None:
        raise refusal
    # A chunk stored before (``received`` None) completes nothing new, but a message whose
    # completion was cut short by a crash is completed by its next re-sent chunk.
    if (progress.stored_count if received is None else received) < chunk.total_chunks:
        return None
    return _complete(session, chunk)


def answer_once(*, session: ClientSession, message_id: str, run: Callable[[], str]) -> str:
    """The answer to the recorded chunked call ``message_id`` of ``session``: the one stored,
    else what ``run`` (the call) answers, stored in the transaction that runs it.

    The record's row stays locked while the call runs, inside this transaction with the
    call's own writes: across processes a call runs once. A re-send meanwhile waits for the
    lock and gets the stored answer; if the process running it dies, its transaction, the
    call's writes included, rolls back and the record stays queued for the next re-send.
    Raises NotFound if the record is gone (cleaned up or its session evicted).
    """
    with transaction.atomic():
        record = (
            ChunkedCall.objects.select_for_update()
            .defer("message")
            .filter(session=session, message_id=message_id)
            .first()
        )
        if record is None:
            raise NotFound(f"The chunked call {message_id} is no longer kept; send it again.")
        if record.state == ChunkedCall.State.ANSWERED:
            return record.answer
        record.answer = run()
        record.state = ChunkedCall.State.ANSWERED
        record.answered_at = timezone.now()
        record.save(update_fields=["answer", "state", "answered_at"])
        _forget_old_answers(session)
    return record.answer


def _record_call(*, session: ClientSession, message_id: str, whole: bytes) -> None:
    """Record a whole message, queued; not one that is not UTF-8 text, which is no call."""
    try:
        text = whole.decode()
    except UnicodeDecodeError:
        return
    ChunkedCall.objects.create(session=session, message_id=message_id, message=text)


def _forget_old_answers(session: ClientSession) -> None:
    """Keep only the session's newest answers: a client re-sends only the calls in flight."""
    answered = ChunkedCall.objects.filter(session=session, state=ChunkedCall.State.ANSWERED)
    old = list(
        answered.order_by("-answered_at", "-pk").values_list("pk", flat=True)[
            KEPT_ANSWERS_PER_SESSION:
        ]
    )
    if old:
        ChunkedCall.objects.filter(pk__in=old).delete()


@dataclass(frozen=True)
class _Progress:
    """What the rules of ``add_chunk`` know of a chunk's message before it is stored."""

    is_recorded: bool  # the message is already a ChunkedCall: this chunk is a re-send
    known_total: int | None  # totalChunks of the message, None before its first chunk
    stored_count: int  # the message's chunks stored so far
    has_this_chunk: bool  # this chunk's index is among them
    incomplete_messages: int  # the session's messages waiting for chunks
    user_stored_bytes: int  # unfinished chunk data across all the user's sessions


def _refusal(progress: _Progress, chunk: codec.Chunk) -> ServiceError | None:
    """The rule a chunk breaks, if any: the same conditions as ``_STORE_ON_POSTGRESQL``'s."""
    if progress.known_total is None:
        if progress.incomplete_messages >= MAX_INCOMPLETE_MESSAGES:
            return PayloadTooLarge(
                f"This session already has {progress.incomplete_messages} messages waiting for "
                "chunks; finish them before starting another."
            )
    elif progress.known_total != chunk.total_chunks:
        message = (
            f"Message {chunk.message_id} was announced with {progress.known_total} chunks, "
            f"not {chunk.total_chunks}."
        )
        return InvalidInput({"totalChunks": [message]}, message)
    # Only a chunk that will stay stored needs room (base64 is ASCII: characters are bytes):
    # one sent again adds nothing, and the last one of a message frees its whole message, so
    # a started message can always end.
    limit = settings.REALTIME_MAX_CHUNK_BYTES_PER_USER
    stays = not progress.has_this_chunk and progress.stored_count + 1 < chunk.total_chunks
    if stays and progress.user_stored_bytes + len(chunk.data) > limit:
        return PayloadTooLarge(
            f"Your unfinished chunked messages already hold {progress.user_stored_bytes} of the "
            f"{limit} bytes allowed across all your sessions; finish them before sending more "
            "(unfinished ones are dropped after an hour)."
        )
    return None


# What the rules need, in one read. PostgreSQL's octet_length reads a value's size from its
# header; SQLite has no such function before 3.43, and a BLOB's length is its size.
_PROGRESS = """
    SELECT
        EXISTS (SELECT 1 FROM chunking_chunkedcall
            WHERE session_id = %(session)s AND message_id = %(message)s) AS is_recorded,
        m.total_chunks AS known_total,
        COALESCE(m.received_chunks, 0) AS stored_count,
        EXISTS (SELECT 1 FROM chunking_messagechunk
            WHERE session_id = %(session)s AND message_id = %(message)s
            AND chunk_index = %(index)s) AS has_this_chunk,
        (SELECT COUNT(*) FROM chunking_incomingmessage
            WHERE session_id = %(session)s) AS incomplete_messages,
        (SELECT COALESCE(SUM({data_bytes}), 0) FROM chunking_messagechunk c
            JOIN sessions_app_clientsession s ON s.session_id = c.session_id
            WHERE s.user_id = (SELECT user_id FROM sessions_app_clientsession
                WHERE session_id = %(session)s)) AS user_stored_bytes
    FROM (SELECT 1 AS one) AS always
    LEFT JOIN chunking_incomingmessage m
        ON m.session_id = %(session)s AND m.message_id = %(message)s
"""
_PROGRESS_ON_SQLITE = _PROGRESS.format(data_bytes="length(CAST(c.chunk_data AS BLOB))")

_INSERT_CHUNK = """
    INSERT INTO chunking_messagechunk
        (session_id, message_id, chunk_index, total_chunks, chunk_data, created_at)
"""
_COUNT_CHUNK = """
    INSERT INTO chunking_incomingmessage
        (session_id, message_id, total_chunks, received_chunks, created_at)
    {source}
    ON CONFLICT (session_id, message_id)
        DO UPDATE SET received_chunks = chunking_incomingmessage.received_chunks + 1
    RETURNING received_chunks
"""
# The read, the insert if the rules allow, and the count, in one statement. Its reads see the
# database as the statement began; ``still_incoming`` sees the message's row as it is when
# locked: a message completed meanwhile (its chunks deleted) gets no stray chunk.
_STORE_ON_POSTGRESQL = f"""
    WITH progress AS ({_PROGRESS.format(data_bytes="octet_length(c.chunk_data)")}),
    still_incoming AS (
        SELECT 1 FROM chunking_incomingmessage
        WHERE session_id = %(session)s AND message_id = %(message)s
        FOR KEY SHARE
    ),
    stored AS (
        {_INSERT_CHUNK}
        SELECT %(session)s, %(message)s, %(index)s, %(total)s, %(data)s, %(now)s
        FROM progress
        WHERE NOT is_recorded AND NOT has_this_chunk
            AND (known_total IS NULL OR EXISTS (SELECT 1 FROM still_incoming))
            AND (known_total = %(total)s
                OR (known_total IS NULL AND incomplete_messages < %(max_messages)s))
            AND (stored_count + 1 >= %(total)s OR user_stored_bytes + %(size)s <= %(max_bytes)s)
        ON CONFLICT (session_id, message_id, chunk_index) DO NOTHING
        RETURNING 1
    ),
    counted AS ({
    _COUNT_CHUNK.format(source="SELECT %(session)s, %(message)s, %(total)s, 1, %(now)s FROM stored")
})
    SELECT progress.*, (SELECT received_chunks FROM counted) FROM progress
"""  # noqa: S608 (constants only; values are parameters)


def _parameters(session: ClientSession, chunk: codec.Chunk) -> dict[str, Any]:
    return {
        "session": session.session_id,
        "message": chunk.message_id,
        "index": chunk.chunk_index,
        "total": chunk.total_chunks,
        "data": chunk.data,
        "size": len(chunk.data),
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "max_messages": MAX_INCOMPLETE_MESSAGES,
        "max_bytes": settings.REALTIME_MAX_CHUNK_BYTES_PER_USER,
    }


def _progress_of(row: tuple[Any, ...]) -> _Progress:
    recorded, known_total, stored_count, has_this_chunk, incomplete, user_bytes = row
    return _Progress(
        is_recorded=bool(recorded),
        known_total=known_total,
        stored_count=stored_count,
        has_this_chunk=bool(has_this_chunk),
        incomplete_messages=incomplete,
        user_stored_bytes=int(user_bytes),
    )


def _store_in_one_statement(
    session: ClientSession, chunk: codec.Chunk
) -> tuple[_Progress, int | None]:
    """The chunk stored if the rules allow; what they knew, and its message's count of stored
    chunks if this one was stored (None if not)."""
    with connection.cursor() as cursor:
        cursor.execute(_STORE_ON_POSTGRESQL, _parameters(session, chunk))
        row = cursor.fetchone()
    return _progress_of(row[:-1]), row[-1]


def _store_in_a_transaction(
    session: ClientSession, chunk: codec.Chunk
) -> tuple[_Progress, int | None]:
    """``_store_in_one_statement`` for SQLite, whose statements cannot insert in a WITH: the
    same steps in a transaction, which SQLite's IMMEDIATE transactions serialise."""
    parameters = _parameters(session, chunk)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_PROGRESS_ON_SQLITE, parameters)
        progress = _progress_of(cursor.fetchone())
        if progress.is_recorded or progress.has_this_chunk or _refusal(progress, chunk):
            return progress, None
        cursor.execute(
            _INSERT_CHUNK
            + "VALUES (%(session)s, %(message)s, %(index)s, %(total)s, %(data)s, %(now)s)",
            parameters,
        )
        cursor.execute(
            _COUNT_CHUNK.format(source="VALUES (%(session)s, %(message)s, %(total)s, 1, %(now)s)"),
            parameters,
        )
        (received,) = cursor.fetchone()
    return progress, received


def _complete(session: ClientSession, chunk: codec.Chunk) -> bytes | None:
    """Claim a message whose chunks are all stored, take them, record it and return its bytes;
    None if another process claimed it first. Raises InvalidInput or PayloadTooLarge (after the
    chunks are gone) when they do not make a message.

    The chunks are joined here rather than by string_agg in PostgreSQL: its base64 decoding
    made that no faster (bench/results/chunks.md).
    """
    refusal: ServiceError | None = None
    with transaction.atomic():
        claimed, _ = IncomingMessage.objects.filter(
            session=session, message_id=chunk.message_id
        ).delete()
        if not claimed:
            return None
        with connection.cursor() as cursor:
            cursor.execute(_TAKE_CHUNKS, [session.session_id, chunk.message_id])
            rows = cursor.fetchall()
        try:
            whole = codec.join(codec.Chunk(chunk.message_id, *row) for row in rows)
        except codec.ChunkLimitExceeded as error:
            refusal = PayloadTooLarge(str(error))
        except codec.InvalidChunk as error:
            refusal = InvalidInput({"chunk": [str(error)]}, str(error))
        else:
            _record_call(session=session, message_id=chunk.message_id, whole=whole)
    if refusal is not None:
        raise refusal
    return whole


# A message's chunks, deleted and read in one statement.
_TAKE_CHUNKS = """
    DELETE FROM chunking_messagechunk WHERE session_id = %s AND message_id = %s
    RETURNING chunk_index, total_chunks, chunk_data
"""
