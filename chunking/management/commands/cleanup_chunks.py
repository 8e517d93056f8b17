"""manage.py cleanup_chunks: delete chunks of messages that never completed (cron-safe)."""

from chunking.store import delete_abandoned_chunks
from lib.cleanup_command import CleanupCommand


class Command(CleanupCommand):
    help = "Delete message chunks received longer ago than --older-than (default 1h)."
    default_age = "1h"
    noun = "chunk(s) received more than"

    delete = staticmethod(delete_abandoned_chunks)
