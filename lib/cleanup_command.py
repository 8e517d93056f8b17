"""The shape of the scheduled clean-up commands: delete what is older than ``--older-than``."""

from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lib.durations import parse_duration


class CleanupCommand(BaseCommand):
    """Subclasses name the default age, what they delete, and the service that deletes it."""

    default_age: str
    noun: str
    # A service taking ``older_than`` and answering how many rows it deleted.
    delete: Callable[..., int]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            default=self.default_age,
            help=f"Age to keep (default {self.default_age}): e.g. 90s, 30m, 24h, 7d.",
        )

    def handle(self, *args: object, older_than: str, **options: object) -> None:
        try:
            age = parse_duration(older_than)
        except ValueError as error:
            raise CommandError(str(error)) from None
        deleted = self.delete(older_than=age)
        self.stdout.write(f"Deleted {deleted} {self.noun} {older_than} ago.")
