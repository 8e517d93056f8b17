"""Writes of client sessions."""

from datetime import timedelta

from django.utils import timezone

from sessions_app.models import ClientSession

STALE_AFTER = timedelta(hours=24)


def delete_stale_sessions(*, older_than: timedelta = STALE_AFTER) -> int:
    """Delete sessions unused for ``older_than`` (their chunks go with them); how many went.

    One DELETE statement, so concurrent runs from cron are safe.
    """
    cutoff = timezone.now() - older_than
    _, deleted_by_model = ClientSession.objects.filter(last_used_at__lt=cutoff).delete()
    return deleted_by_model.get(ClientSession._meta.label, 0)
