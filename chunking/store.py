"""The PostgreSQL-backed (SQLite by default) store of chunks of messages not yet whole, and of
the chunked calls they make, kept with their answers until they are old."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils import timezone

from accounts.models import User
from chunking import codec
from chunking.models import ChunkedCall, MessageChunk
from lib.errors import InvalidInput, NotFound, PayloadTooLarge
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
    calls, _ = ChunkedCall.objects.filter(created_at__lt=cutoff).delete()
    return chunks + calls


def add_chunk(*, session: ClientSession, payload: object) -> bytes | None:
    """Store one chunk event of ``session``; the whole message's bytes once its last chunk is in.

    Chunks may come in any order, more than once, and through different server processes.
    The user's row is locked for the transaction, so of two processes storing the last
    two chunks at once exactly one sees the message complete. In the same transaction it
    records the whole message as a ChunkedCall and deletes the chunks, so once this returns
    (and the last chunk is acknowledged) the call survives a crash of the process. A chunk of a
    message already recorded is sent again by a client that saw no answer: it is not stored,
    and the one with the last index hands the recorded message out again, for
    ``answer_once``, which runs a call once. The same lock makes the per-user limit on stored
    chunk data (REALTIME_MAX_CHUNK_BYTES_PER_USER, across all the user's sessions) exact.
    Raises InvalidInput or PayloadTooLarge with the reason.
    """
    try:
        chunk = codec.parse_chunk(payload)
    except codec.ChunkLimitExceeded as error:
        raise PayloadTooLarge(str(error)) from None
    except codec.InvalidChunk as error:
        raise InvalidInput({"chunk": [str(error)]}, str(error)) from None
    with transaction.atomic():
        # Serialises the chunks of one user, whichever session they come through (on SQLite,
        # IMMEDIATE transactions already do).
        User.objects.select_for_update().filter(pk=session.user_id).exists()
        recorded = ChunkedCall.objects.filter(session=session, message_id=chunk.message_id)
        if recorded.exists():
            if chunk.chunk_index < chunk.total_chunks - 1:
                return None
            return recorded.values_list("message", flat=True).get().encode()
        chunks = MessageChunk.objects.filter(session=session, message_id=chunk.message_id)
        stored_parts = list(chunks.values_list("chunk_index", "total_chunks"))
        known_total = stored_parts[0][1] if stored_parts else None
        if known_total is None:
            _check_room_for_another_message(session)
        elif known_total != chunk.total_chunks:
            message = (
                f"Message {chunk.message_id} was announced with {known_total} chunks, "
                f"not {chunk.total_chunks}."
            )
            raise InvalidInput({"totalChunks": [message]}, message)
        stored_indexes = {index for index, _ in stored_parts}
        # Only a chunk that will stay stored needs room: one sent again adds nothing, and the
        # last one of a message frees its whole message, so a started message can always end.
        if chunk.chunk_index not in stored_indexes and len(stored_indexes) + 1 < chunk.total_chunks:
            _check_room_for_chunk_data(session, chunk)
        MessageChunk.objects.bulk_create(
            [
                MessageChunk(
                    session=session,
                    message_id=chunk.message_id,
                    chunk_index=chunk.chunk_index,
                    total_chunks=chunk.total_chunks,
                    chunk_data=chunk.data,
                )
            ],
            ignore_conflicts=True,  # a chunk sent twice is stored once
        )
        if chunks.count() < chunk.total_chunks:
            return None
        stored = list(chunks.values_list("chunk_index", "chunk_data"))
        chunks.delete()
        try:
            whole = codec.join(
                codec.Chunk(chunk.message_id, index, chunk.total_chunks, data)
                for index, data in stored
            )
        except codec.ChunkLimitExceeded as error:
            # The chunks still go: the refusal is raised once their deletion is committed.
            too_large: str | None = str(error)
        else:
            too_large = None
            _record_call(session=session, message_id=chunk.message_id, whole=whole)
    if too_large is not None:
        raise PayloadTooLarge(too_large)
    return whole


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


def _check_room_for_another_message(session: ClientSession) -> None:
    incomplete = (
        MessageChunk.objects.filter(session=session).values("message_id").distinct().count()
    )
    if incomplete >= MAX_INCOMPLETE_MESSAGES:
        raise PayloadTooLarge(
            f"This session already has {incomplete} messages waiting for chunks; "
            "finish them before starting another."
        )


def _check_room_for_chunk_data(session: ClientSession, chunk: codec.Chunk) -> None:
    """Refuse a chunk that would take the user's unfinished chunk data over the limit.

    Base64 is ASCII, so characters are bytes.
    """
    limit = settings.REALTIME_MAX_CHUNK_BYTES_PER_USER
    stored = (
        MessageChunk.objects.filter(session__user_id=session.user_id).aggregate(
            total=Sum(Length("chunk_data"))
        )["total"]
        or 0
    )
    if stored + len(chunk.data) > limit:
        raise PayloadTooLarge(
            f"Your unfinished chunked messages already hold {stored} of the {limit} bytes "
            "allowed across all your sessions; finish them before sending more (unfinished ones "
            "are dropped after an hour)."
        )
