"""``manage.py run_scheduler``: run publish_scheduled every SCHEDULER_INTERVAL_SECONDS until
SIGTERM or SIGINT, for a deployment without cron (one process is enough; more are safe)."""

import logging
import signal
import threading
from types import FrameType

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Publish scheduled posts whose time has come, every --interval seconds (default "
        "SCHEDULER_INTERVAL_SECONDS), until stopped with SIGTERM or SIGINT; a run in progress "
        "finishes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=int,
            default=settings.SCHEDULER_INTERVAL_SECONDS,
            help="Seconds between two runs.",
        )

    def handle(self, *args: object, **options: object) -> None:
        interval = options["interval"]
        if not isinstance(interval, int) or interval < 1:
            raise CommandError("--interval must be a whole number of seconds, at least 1.")
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop)
        self.stdout.write(f"Publishing scheduled posts every {interval} s; SIGTERM stops.")
        while not stopping.is_set():
            self._run_once()
            stopping.wait(interval)  # woken at once by a signal
        self.stdout.write("Stopped.")

    def _run_once(self) -> None:
        # A connection the database dropped between runs is replaced, not reused.
        close_old_connections()
        try:
            call_command("publish_scheduled", stdout=self.stdout, stderr=self.stderr)
        except DatabaseError:
            logger.exception("publish_scheduled could not reach the database; retrying later")
        finally:
            close_old_connections()
