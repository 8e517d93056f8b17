"""Chunks of messages not whole yet, and the chunked calls made whole, kept with their answers."""

from django.db import models


class MessageChunk(models.Model):
    # Scoped to the session that sent it, so nobody can add to another client's message.
    session = models.ForeignKey(
        "sessions_app.ClientSession", on_delete=models.CASCADE, related_name="chunks"
    )
    message_id = models.CharField(max_length=64)
    chunk_index = models.PositiveIntegerField()
    total_chunks = models.PositiveIntegerField()
    chunk_data = models.TextField(help_text="Base64 text.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["session", "message_id", "chunk_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "message_id", "chunk_index"], name="chunking_chunk_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} [{self.chunk_index + 1}/{self.total_chunks}]"


class IncomingMessage(models.Model):
    """A chunked message being received: its number of chunks and how many are stored.

    The statement that stores a chunk adds one to ``received_chunks``, which locks this row
    until it commits: of chunks stored at once, exactly one brings the count to
    ``total_chunks``. Deleted with the chunks when the message is whole.
    """

    session = models.ForeignKey(
        "sessions_app.ClientSession", on_delete=models.CASCADE, related_name="incoming_messages"
    )
    message_id = models.CharField(max_length=64)
    total_chunks = models.PositiveIntegerField()
    received_chunks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "message_id"], name="chunking_incoming_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.received_chunks} of {self.total_chunks} chunks)"


class ChunkedCall(models.Model):
    """A chunked message made whole, recorded before its last chunk is acknowledged.

    It keeps the call until it is answered and then the answer, so a client that sends the
    chunks again (it lost the connection before the answer came) gets that answer, and the
    call never runs twice.
    """

    class State(models.TextChoices):
        QUEUED = "queued"
        ANSWERED = "answered"

    session = models.ForeignKey(
        "sessions_app.ClientSession", on_delete=models.CASCADE, related_name="chunked_calls"
    )
    message_id = models.CharField(max_length=64)
    message = models.TextField(help_text="The whole message: the call's JSON text.")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    answer = models.TextField(blank=True, help_text="The answer event's JSON text.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "message_id"], name="chunking_call_unique")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.state})"
