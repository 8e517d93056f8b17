"""The answers of mutations called with an idempotency key, kept for the window in which a retry
gets them back instead of a second run (``api.idempotency``)."""

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """One user's key and the answer of the mutation first called with it.

    A row is inserted in the transaction that runs the mutation and holds its answer when that
    transaction commits: no other transaction ever sees a key without its answer.
    """

    # The unique (user, key) index leads with the user: no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=200, help_text="The procedure called with this key.")
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the procedure and its input: a retry must match it."
    )
    outcome = models.TextField(help_text="The answer's JSON text: its data or its tRPC error.")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.path})"
