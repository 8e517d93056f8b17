"""The PostgreSQL-backed (SQLite by default) store of chunks of messages not yet whole."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils import timezone

from accounts.models import User
from chunking import codec
from chunking.models import MessageChunk
from lib.errors import InvalidInput, PayloadTooLarge
from sessions_app.models import ClientSession

ABANDONED_AFTER = timedelta(hours=1)
MAX_INCOMPLETE_MESSAGES = 8


def delete_abandoned_chunks(*, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Delete chunks received more than ``older_than`` ago; how many went.

    A message still missing chunks after an hour will never be completed by its client.
    One DELETE statement, so concurrent runs from cron are safe.
    """
    cutoff = timezone.now() - older_than
    deleted, _ = MessageChunk.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def add_chunk(*, session: ClientSession, payload: object) -> bytes | None:
    """Store one chunk event of ``session``; the whole message's bytes once its last chunk is in.

    Chunks may come in any order, more than once, and through different server processes.
    The user's row is locked for the transaction, so of two processes storing the last
    two chunks at once exactly one sees the message complete, takes it and deletes its chunks:
    a message is handed out once. The same lock makes the per-user limit on stored chunk data
    (REALTIME_MAX_CHUNK_BYTES_PER_USER, across all the user's sessions) exact. Raises
    InvalidInput or PayloadTooLarge with the reason.
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
        return codec.join(
            codec.Chunk(chunk.message_id, index, chunk.total_chunks, data) for index, data in stored
        )
    except codec.ChunkLimitExceeded as error:
        raise PayloadTooLarge(str(error)) from None


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
