"""manage.py prune_sent_mail: delete sent and failed emails older than --older-than (cron-safe)."""

from lib.cleanup_command import CleanupCommand
from mail.services import delete_old_emails


class Command(CleanupCommand):
    help = "Delete sent and failed emails queued longer ago than --older-than (default 30d)."
    default_age = "30d"
    noun = "sent or failed email(s) queued more than"

    delete = staticmethod(delete_old_emails)
