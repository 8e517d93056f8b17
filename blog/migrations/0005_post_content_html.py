"""A post's rendered HTML, stored at save time so views never render Markdown; existing posts
are rendered here, in batches."""

from django.db import migrations, models

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
    dependencies = [("blog", "0004_carriable_text")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="content_html",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(render_posts, migrations.RunPython.noop, elidable=True),
    ]
