"""Stored HTML rendered before task lists, footnotes and highlighted code showed them as text
("[ ]", "[^1]") and code uncoloured: every post is rendered again, in batches."""

from django.db import migrations

from blog.rendering import render_markdown

BATCH_SIZE = 100


def render_posts(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    batch = []
    for post in Post.objects.only("pk", "content").iterator(chunk_size=BATCH_SIZE):
        post.content_html = render_markdown(post.content)
        batch.append(post)
        if len(batch) >= BATCH_SIZE:
            Post.objects.bulk_update(batch, ["content_html"])
            batch = []
    Post.objects.bulk_update(batch, ["content_html"])


class Migration(migrations.Migration):
    dependencies = [("blog", "0008_post_published_at")]

    operations = [migrations.RunPython(render_posts, migrations.RunPython.noop, elidable=True)]
