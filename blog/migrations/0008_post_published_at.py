"""Posts get ``published_at``, the time they were first published, and listings order by it
instead of ``created_at``. Posts already published are taken as published when they were
created (the best time known); drafts keep NULL. The feed index on ``created_at`` gives way to
partial indexes on ``published_at`` (all published posts, and each author's).

On PostgreSQL, ADD COLUMN is instant and the backfill one UPDATE of the published rows; the
CHECK constraint and the new indexes read the table once each, under a lock that blocks writes
(seconds per million posts).
"""

from django.conf import settings
from django.db import migrations, models


def backfill_published_at(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    Post.objects.filter(published=True, published_at__isnull=True).update(
        published_at=models.F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0007_post_search_document"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill_published_at, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="post",
            name="blog_post_feed_idx",
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                condition=models.Q(("published", True)),
                fields=["-published_at", "-id"],
                name="blog_post_published_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                condition=models.Q(("published", True)),
                fields=["author", "-published_at", "-id"],
                name="blog_post_author_published_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.CheckConstraint(
                condition=models.Q(("published", False), ("published_at__isnull", False), _connector="OR"),
                name="blog_post_published_has_time",
            ),
        ),
    ]
