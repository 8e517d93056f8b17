"""One received chunk of a message that is not whole yet."""

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
