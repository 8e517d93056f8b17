"""The full-text GIN index over a post's weighted title and content, on PostgreSQL only.

The embedded SQLite database has no GIN indexes; there search falls back to substring matching.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Left

INDEX_NAME = "blog_post_search_idx"


def search_document() -> CombinedExpression:
    """The weighted document as blog.search defined it then (0007 stores it in a column)."""
    return SearchVector("title", weight="A", config="english") + SearchVector(
        Left("content", 100_000), weight="B", config="english"
    )


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
