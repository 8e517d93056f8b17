"""``manage.py publish_scheduled``: publish every scheduled post whose time has come."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from blog import services


class Command(BaseCommand):
    help = (
        "Publish every draft whose publish_at has come, through the publishing service "
        "(announced, in feeds and search, read caches refreshed). Cron-safe: runs at the same "
        "time never publish a post twice, and running it again with nothing due changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=settings.SCHEDULER_BATCH_SIZE,
            help="Posts published per transaction (default SCHEDULER_BATCH_SIZE).",
        )

    def handle(self, *args: object, **options: object) -> None:
        batch_size = options["batch_size"]
        if not isinstance(batch_size, int) or batch_size < 1:
            raise CommandError("--batch-size must be a whole number of at least 1.")
        published = services.publish_due_posts(batch_size=batch_size)
        for post in published:
            self.stdout.write(f"Published “{post.title}” ({post.id}) at {post.get_absolute_url()}")
        self.stdout.write(f"{len(published)} scheduled post(s) published.")
