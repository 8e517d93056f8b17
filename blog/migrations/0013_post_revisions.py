"""Post revisions: the title, content and excerpt of each save, for the history page and
restoring. Every existing post gets one revision of its current text (saved by its author at its
last change), in batches, so its history starts somewhere."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models

BATCH_SIZE = 500


def add_initial_revisions(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    PostRevision = apps.get_model("blog", "PostRevision")
    columns = ("id", "author_id", "updated_at", "title", "content", "excerpt")
    batch = []
    # Posts that have none yet: running it again (or after a partial run) adds nothing twice.
    posts = Post.objects.filter(revisions__isnull=True).order_by("id").values_list(*columns)
    for post_id, author_id, updated_at, title, content, excerpt in posts.iterator(
        chunk_size=BATCH_SIZE
    ):
        batch.append(
            PostRevision(
                post_id=post_id,
                saved_by_id=author_id,
                kind="saved",
                saved_at=updated_at,
                title=title,
                content=content,
                excerpt=excerpt,
            )
        )
        if len(batch) >= BATCH_SIZE:
            PostRevision.objects.bulk_create(batch)
            batch = []
    PostRevision.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0012_post_publish_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PostRevision',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(choices=[('created', 'Created'), ('saved', 'Saved'), ('autosaved', 'Autosaved'), ('restored', 'Restored')], max_length=16)),
                ('saved_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('title', models.CharField(max_length=200)),
                ('content', models.TextField(blank=True)),
                ('excerpt', models.CharField(blank=True, max_length=300)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='blog.post')),
                ('saved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-saved_at', '-id'],
                'indexes': [models.Index(fields=['post', '-saved_at', '-id'], name='blog_revision_post_idx')],
            },
        ),
        migrations.RunPython(add_initial_revisions, migrations.RunPython.noop, elidable=True),
    ]
