"""A client session: one user in one browser, with a deterministic id (see sessions_app.ids)."""

from django.conf import settings
from django.db import models


class ClientSession(models.Model):
    session_id = models.CharField(max_length=36, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_sessions"
    )
    client_uuid = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_used_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_uuid"], name="sessions_app_user_client_unique"
            )
        ]

    def __str__(self) -> str:
        return self.session_id
