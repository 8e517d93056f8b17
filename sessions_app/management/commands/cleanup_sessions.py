"""manage.py cleanup_sessions: delete client sessions nobody has used for a while (cron-safe)."""

from lib.cleanup_command import CleanupCommand
from sessions_app.services import delete_stale_sessions


class Command(CleanupCommand):
    help = "Delete client sessions unused for longer than --older-than (default 24h)."
    default_age = "24h"
    noun = "client session(s) last used more than"

    delete = staticmethod(delete_stale_sessions)
