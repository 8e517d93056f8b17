"""manage.py cleanup_chunks: delete chunks of messages that never completed, and the chunked
calls kept for re-sends, once old (cron-safe)."""

from chunking.store import delete_abandoned_chunks
from lib.cleanup_command import CleanupCommand


class Command(CleanupCommand):
    help = (
        "Delete message chunks received, and chunked calls recorded (queued or answered, kept "
        "so a client that re-sends a call gets its answer), longer ago than --older-than "
        "(default 1h). A session keeps only its newest answers anyway."
    )
    default_age = "1h"
    noun = "chunk(s) and chunked call(s) received more than"

    delete = staticmethod(delete_abandoned_chunks)
