"""The full-text GIN index over a post's weighted title and content, on PostgreSQL only.

The embedded SQLite database has no GIN indexes; there search falls back to substring matching.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from blog.search import search_document

INDEX_NAME = "blog_post_search_idx"


def _index() -> GinIndex:
    return GinIndex(search_document(), name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("blog", "Post"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("blog", "Post"), _index())


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
