"""Chunk data and chunked calls compressed with lz4 rather than pglz on PostgreSQL.

pglz took 2-3 ms to compress a 200 KB chunk of Markdown's base64 (more than the rest of its
insert) and ~70 ms for a 5 MiB call; lz4 does either in a fraction of that (bench/chunks.py).
Servers built without lz4 keep pglz; SQLite has no compression to set.
"""

from django.db import migrations

COLUMNS = [
    ("chunking_messagechunk", "chunk_data"),
    ("chunking_chunkedcall", "message"),
    ("chunking_chunkedcall", "answer"),
]


def _set_compression(schema_editor, method: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)} "
                f"ALTER COLUMN {schema_editor.quote_name(column)} SET COMPRESSION {method}"
            )


def use_lz4(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'"
        )
        (has_lz4,) = cursor.fetchone()
    if has_lz4:
        _set_compression(schema_editor, "lz4")


def use_the_default(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        _set_compression(schema_editor, "DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("chunking", "0002_chunked_call")]

    operations = [migrations.RunPython(use_lz4, use_the_default, elidable=False)]
