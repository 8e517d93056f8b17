"""manage.py prune_events: keep each channel's event history within its bounds (cron-safe)."""

from django.conf import settings

from lib.cleanup_command import CleanupCommand
from realtime.event_log import prune


class Command(CleanupCommand):
    help = (
        "Delete published events older than --older-than (default "
        "REALTIME_EVENT_LOG_MAX_AGE_SECONDS) and those before the last "
        "REALTIME_EVENT_LOG_MAX_PER_CHANNEL of their channel. A client that asks to recover from "
        "before what is kept is told to reload."
    )
    default_age = f"{settings.REALTIME_EVENT_LOG_MAX_AGE_SECONDS}s"
    noun = "event(s): too many, or published more than"

    delete = staticmethod(prune)
