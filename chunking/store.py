"""The PostgreSQL-backed (SQLite by default) store of chunks of messages not yet whole."""

from datetime import timedelta

from django.utils import timezone

from chunking.models import MessageChunk

ABANDONED_AFTER = timedelta(hours=1)


def delete_abandoned_chunks(*, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Delete chunks received more than ``older_than`` ago; how many went.

    A message still missing chunks after an hour will never be completed by its client.
    One DELETE statement, so concurrent runs from cron are safe.
    """
    cutoff = timezone.now() - older_than
    deleted, _ = MessageChunk.objects.filter(created_at__lt=cutoff).delete()
    return deleted
