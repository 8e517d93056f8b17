"""A post's reading time, stored beside its HTML; and every post rendered again, as HTML stored
before task lists, footnotes and highlighted code showed them as text ("[ ]", "[^1]") and its
code uncoloured. In batches."""

from django.db import migrations, models

from blog.rendering import reading_minutes, render_markdown

BATCH_SIZE = 100


def render_posts(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    batch = []
    for post in Post.objects.only("pk", "content").iterator(chunk_size=BATCH_SIZE):
        post.content_html = render_markdown(post.content)
        post.reading_minutes = reading_minutes(post.content_html)
        batch.append(post)
        if len(batch) >= BATCH_SIZE:
            Post.objects.bulk_update(batch, ["content_html", "reading_minutes"])
            batch = []
    Post.objects.bulk_update(batch, ["content_html", "reading_minutes"])


class Migration(migrations.Migration):
    dependencies = [("blog", "0009_post_slug")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="reading_minutes",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(render_posts, migrations.RunPython.noop, elidable=True),
    ]
