"""``manage.py send_digests daily|weekly``: queue each follower's digest of the posts
published since their last one. Cron-safe: run daily and weekly (runs at once never send an
address two digests of the same posts)."""

from django.core.management.base import BaseCommand, CommandParser

from follows.delivery import send_digests
from follows.models import Cadence


class Command(BaseCommand):
    help = "Queue the daily or weekly digests of new posts for those who chose them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cadence", choices=[Cadence.DAILY, Cadence.WEEKLY])

    def handle(self, *args: object, cadence: str, **options: object) -> None:
        queued = send_digests(cadence=cadence)
        self.stdout.write(f"Queued {queued} {cadence} digest(s).")
