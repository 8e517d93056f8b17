"""``manage.py send_queued_mail [--loop] [--interval 5s] [--batch-size 50]``: run the worker's
tasks (mail.worker_tasks: expanding new posts into their followers' emails), then send the due
queued emails. Cron-safe: runs at the same time never take the same email."""

import signal
import time
from contextlib import suppress
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lib.durations import parse_duration
from mail import services, worker_tasks


class Command(BaseCommand):
    help = (
        "Send the queued emails that are due, in batches, until none is left; with --loop, "
        "keep running and look again every --interval."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="Keep running (stop with SIGTERM or Ctrl-C)."
        )
        parser.add_argument(
            "--interval",
            default=f"{settings.MAIL_WORKER_INTERVAL_SECONDS}s",
            help="With --loop, how long to wait when nothing is due (e.g. 5s, 1m).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=settings.MAIL_BATCH_SIZE,
            help="Emails taken (and sent over one connection) at a time.",
        )

    def handle(
        self, *args: object, loop: bool, interval: str, batch_size: int, **options: object
    ) -> None:
        try:
            pause = parse_duration(interval).total_seconds()
        except ValueError as error:
            raise CommandError(str(error)) from None
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self._stopping = False
        if loop:
            signal.signal(signal.SIGTERM, self._stop)
        # Ctrl-C ends it quietly: a batch cut short is sent again once its lease ends.
        with suppress(KeyboardInterrupt):
            self._run(loop=loop, pause=pause, batch_size=batch_size)

    def _run(self, *, loop: bool, pause: float, batch_size: int) -> None:
        while not self._stopping:
            worker_tasks.run_all()
            report = services.send_due_emails(limit=batch_size)
            if report.taken:
                self.stdout.write(
                    f"Sent {report.sent}, will retry {report.retried}, failed {report.failed}."
                )
            if report.taken == batch_size:
                continue  # more may be due
            if not loop:
                break
            time.sleep(pause)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        # The batch being sent finishes; the loop ends after it.
        self._stopping = True
