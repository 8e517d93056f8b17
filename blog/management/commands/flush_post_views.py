"""``manage.py flush_post_views``: add the post views pending in Redis to the database now."""

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blog import view_counts


class Command(BaseCommand):
    help = (
        "Add the post views counted in Redis to the database now (views are flushed every "
        "VIEW_COUNT_FLUSH_SECONDS while posts are read; run this from cron or before a deploy)."
    )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.REDIS_URL or settings.VIEW_COUNT_FLUSH_SECONDS <= 0:
            self.stdout.write("Views are written to the database as they happen: none pending.")
            return
        try:
            added = view_counts.flush()
        except (redis.ConnectionError, redis.TimeoutError) as error:
            raise CommandError(f"Redis is unreachable, the views stay pending: {error}") from None
        self.stdout.write(f"Added {added} view(s) to their posts.")
