"""The PostgreSQL-backed (SQLite by default) store of chunks of messages not yet whole."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from api.errors import InvalidInput, PayloadTooLarge
from chunking import codec
from chunking.models import MessageChunk
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
    The session's row is locked for the transaction, so of two processes storing the last
    two chunks at once exactly one sees the message complete, takes it and deletes its chunks:
    a message is handed out once. Raises InvalidInput or PayloadTooLarge with the reason.
    """
    try:
        chunk = codec.parse_chunk(payload)
    except codec.ChunkLimitExceeded as error:
        raise PayloadTooLarge(str(error)) from None
    except codec.InvalidChunk as error:
        raise InvalidInput({"chunk": [str(error)]}, str(error)) from None
    with transaction.atomic():
        # Serialises the chunks of one session (on SQLite, IMMEDIATE transactions already do).
        ClientSession.objects.select_for_update().filter(pk=session.pk).exists()
        chunks = MessageChunk.objects.filter(session=session, message_id=chunk.message_id)
        known_total = chunks.values_list("total_chunks", flat=True).first()
        if known_total is None:
            _check_room_for_another_message(session)
        elif known_total != chunk.total_chunks:
            message = (
                f"Message {chunk.message_id} was announced with {known_total} chunks, "
                f"not {chunk.total_chunks}."
            )
            raise InvalidInput({"totalChunks": [message]}, message)
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
